import StressCI

/// SPEC §2's exit codes: stable, documented in `--help` and the README.
enum ExitStatus {
    static let ok: Int32 = 0
    static let criteriaFailed: Int32 = 1
    static let regression: Int32 = 2
    static let criteriaFailedAndRegression: Int32 = 3
    static let usage: Int32 = 64
    static let invalidInput: Int32 = 65
    static let notFound: Int32 = 66
    static let targetNotReady: Int32 = 69
    static let internalError: Int32 = 70
    static let cannotWrite: Int32 = 73
    static let sigint: Int32 = 130
    static let sigterm: Int32 = 143

    static func code(for kind: StressError.Kind) -> Int32 {
        switch kind {
        case .usage: usage
        case .invalidInput: invalidInput
        case .notFound: notFound
        case .targetNotReady: targetNotReady
        case .cannotWrite: cannotWrite
        default: internalError
        }
    }

    static let table = """
        EXIT STATUS:
          0    criteria met, no regression
          1    success criteria failed
          2    regression against the baseline (criteria met)
          3    criteria failed and regression
          64   bad command line (usage)
          65   invalid scenario, baseline or result file
          66   a named input (scenario, run, baseline) does not exist
          69   the target never became ready
          70   internal error (a bug: please report it)
          73   cannot write the store or the artifacts
          130  stopped by SIGINT (artifacts written, marked partial)
          143  stopped by SIGTERM (artifacts written, marked partial)
        """
}
