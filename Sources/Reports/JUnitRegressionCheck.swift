/// One baseline comparison as `junit.xml` shows it: a testcase in the `regressions` testsuite.
///
/// Kept apart from the comparison model so the JUnit report can be written before (and without)
/// a baseline; the comparison maps its results onto this.
public struct JUnitRegressionCheck: Sendable, Hashable {
    /// The rule, as written: `p95(latency) ±10%`.
    public var name: String
    public var passed: Bool
    /// What this run measured, with its unit and the delta to the baseline: `212ms (+14.2%)`.
    public var measured: String
    /// The baseline value and tolerance: `186ms ±10%`.
    public var limit: String
    /// Why it passed or failed, in a sentence (the statistics behind the verdict).
    public var evidence: String

    public init(name: String, passed: Bool, measured: String, limit: String, evidence: String) {
        self.name = name
        self.passed = passed
        self.measured = measured
        self.limit = limit
        self.evidence = evidence
    }
}
