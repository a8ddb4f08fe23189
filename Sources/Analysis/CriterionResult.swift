/// The judgement of one success criterion: what was measured, against which limit, and why it
/// passed or failed, in words a CI log can show as is.
public struct CriterionResult: Sendable, Hashable, Codable {
    /// How a criterion came out.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The criterion held.
        case pass
        /// The criterion was judged and did not hold.
        case fail
        /// Nothing matched the criterion (no requests, no responses, no samples, no such stage).
        /// Counts as a failure: a criterion with nothing to judge must not pass silently.
        case noData
    }

    /// The criterion as written in the scenario.
    public var source: String
    /// The criterion in its canonical form.
    public var expression: String
    /// Whether the criterion holds; false for `fail` and `noData`.
    public var passed: Bool
    /// Pass, fail, or fail for want of anything to judge.
    public var status: Status
    /// The measured value in the metric's base unit (seconds, per second, fraction, count), if any.
    /// For a sustained criterion, the worst per-second value in the window.
    public var measured: Double?
    /// The measured value for people: `212ms`, `1012/s`, `0.42%`, `3`, or `–` when there is none.
    public var measuredText: String
    /// The limit for people, with its operator and any sustained duration: `< 250ms`, `>= 1900/s for 10s`.
    public var limitText: String
    /// One plain sentence on what the value was computed from, or why the criterion failed.
    public var evidence: String

    /// A result; `passed` follows from `status`.
    public init(source: String, expression: String, status: Status, measured: Double?, measuredText: String, limitText: String, evidence: String) {
        self.source = source
        self.expression = expression
        self.status = status
        self.passed = status == .pass
        self.measured = measured
        self.measuredText = measuredText
        self.limitText = limitText
        self.evidence = evidence
    }
}
