import Core
import Reports
import Results

/// How a `RunSequence` ended: the result of its last run (nil when it was stopped before any load),
/// every run, the artifacts written, what failed after the load, and the one exit code — the
/// process's, and `result.json`'s `verdict.exit_code`.
public struct RunOutcome: Sendable {
    /// The last run, as stored and written (with the comparison over all runs); nil when a stop
    /// came before any load started.
    public var result: ResultDocument?
    /// Every run, in order (`--repeat K`), as stored.
    public var runs: [ResultDocument]
    /// The artifacts written, in order.
    public var artifacts: [String]
    /// What failed after the load (store, baseline, artifacts), in the order it happened. The run
    /// was still stored and written wherever that was possible.
    public var failures: [StressError]
    /// The exit code (the README's table).
    public var exitCode: Int32

    /// The exit code of a sequence, decided in one place:
    /// a signal (130/143) before anything else, then the first failure after the load (73 when the
    /// store or an artifact could not be written, …), then the verdict — criteria (1; they must hold
    /// in every run), regression (2; also an inconclusive gated verdict under `--strict`), both (3) —
    /// as far as `failOn` lets it fail the build.
    public static func exitCode(runs: [ResultDocument], comparison: ResultDocument.Comparison?, failOn: FailOn,
                                signal: Int32?, failures: [StressError]) -> Int32 {
        if let signal { return ExitCode.code(forSignal: signal) }
        if let failure = failures.first { return ExitCode.code(for: failure.kind) }
        let criteriaFail = failOn.criteriaFail && runs.contains { !$0.verdict.criteriaPassed }
        let regressionFail = failOn.regressionFails && (comparison?.failsBuild ?? false)
        switch (criteriaFail, regressionFail) {
        case (true, true): return ExitCode.criteriaFailedAndRegression
        case (true, false): return ExitCode.criteriaFailed
        case (false, true): return ExitCode.regression
        case (false, false): return ExitCode.ok
        }
    }
}
