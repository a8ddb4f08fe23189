/// The process exit codes users rely on (the README's exit-code table): stable, so pipelines can
/// tell a failed criterion from a regression from a broken set-up.
///
/// The library computes a run's code once (`RunOutcome` in StressCI) and writes it into
/// `result.json`; the CLI exits with the same number.
public enum ExitCode {
    public static let ok: Int32 = 0
    public static let criteriaFailed: Int32 = 1
    public static let regression: Int32 = 2
    public static let criteriaFailedAndRegression: Int32 = 3
    public static let usage: Int32 = 64
    public static let invalidInput: Int32 = 65
    public static let notFound: Int32 = 66
    public static let targetNotReady: Int32 = 69
    public static let internalError: Int32 = 70
    public static let cannotWrite: Int32 = 73
    public static let sigint: Int32 = 130
    public static let sigterm: Int32 = 143

    /// The code for an error of `kind`.
    public static func code(for kind: StressError.Kind) -> Int32 {
        switch kind {
        case .usage: usage
        case .invalidInput: invalidInput
        case .notFound: notFound
        case .targetNotReady: targetNotReady
        case .cannotWrite: cannotWrite
        default: internalError
        }
    }

    /// The code for a run stopped by `signal` (128 + the signal's number, as shells report it).
    public static func code(forSignal signal: Int32) -> Int32 { 128 + signal }
}
