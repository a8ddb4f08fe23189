/// The outcome of a run's criteria: passed when every criterion passed.
///
/// How a verdict becomes a process exit code is the CLI's decision, not this type's.
public struct Verdict: Sendable, Hashable, Codable {
    /// True when no criterion failed (also when there were none).
    public var passed: Bool
    /// The source text of every criterion that failed or had no data, in order.
    public var failed: [String]

    /// A verdict as given; usually built with `of(_:)`.
    public init(passed: Bool, failed: [String]) {
        self.passed = passed
        self.failed = failed
    }

    /// The verdict of a set of criterion results.
    public static func of(_ results: [CriterionResult]) -> Verdict {
        let failed = results.filter { !$0.passed }.map(\.source)
        return Verdict(passed: failed.isEmpty, failed: failed)
    }
}
