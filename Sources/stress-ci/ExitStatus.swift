import StressCI

/// The exit codes (`ExitCode` in Core), with the table `--help` prints.
enum ExitStatus {
    static func code(for kind: StressError.Kind) -> Int32 { ExitCode.code(for: kind) }
    static let ok = ExitCode.ok
    static let internalError = ExitCode.internalError
    static let sigint = ExitCode.sigint
    static let sigterm = ExitCode.sigterm

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
          A POST /stop on --control is no signal: partial, with the verdict's code (0-3).
        """
}
