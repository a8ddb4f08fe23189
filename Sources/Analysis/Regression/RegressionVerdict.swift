import Foundation
import Results

/// The verdict on one gated metric of a candidate against a baseline (README, *Results store and baselines*: the method).
public struct RegressionVerdict: Sendable, Codable, Hashable {
    /// What the confidence interval says about the change.
    public typealias Kind = RegressionVerdictKind
    /// How `change`, `lower`, `upper` and `tolerance` are expressed.
    public typealias Unit = ChangeUnit

    /// The metric's display name, e.g. "p95 latency".
    public var metric: String
    /// The verdict.
    public var verdict: Kind
    /// The point estimate of the change (candidate vs baseline).
    public var change: Double
    /// The lower end of the 99% confidence interval of the change.
    public var lower: Double
    /// The upper end of the 99% confidence interval of the change.
    public var upper: Double
    /// The tolerance the interval was judged against (same unit as `change`).
    public var tolerance: Double
    /// How many baseline runs were compared.
    public var baselineRuns: Int
    /// How many candidate runs were compared (`--repeat K`).
    public var candidateRuns: Int
    /// Why the verdict is what it is, including every failed quality gate.
    public var reasons: [String]
    /// The unit of `change`, `lower`, `upper` and `tolerance`.
    public var unit: Unit

    /// A verdict as given; usually built by `RegressionAnalysis`.
    public init(metric: String, verdict: Kind, change: Double, lower: Double, upper: Double, tolerance: Double,
                baselineRuns: Int, candidateRuns: Int, reasons: [String], unit: Unit = .relative) {
        self.metric = metric
        self.verdict = verdict
        self.change = change
        self.lower = lower
        self.upper = upper
        self.tolerance = tolerance
        self.baselineRuns = baselineRuns
        self.candidateRuns = candidateRuns
        self.reasons = reasons
        self.unit = unit
    }

    /// The one-line form the README shows:
    /// `p95 latency +12.3% [+7.1%, +17.9%] (99% CI, 1 vs 10 runs, tolerance 10%) → regression`.
    /// Error rates read in percentage points: `error rate +0.12 pp [-0.05 pp, +0.30 pp] (…, tolerance 0.5 pp) → unchanged`.
    public var line: String {
        let runs = "\(candidateRuns) vs \(baselineRuns) run\(baselineRuns == 1 ? "" : "s")"
        return "\(metric) \(signed(change)) [\(signed(lower)), \(signed(upper))] "
            + "(99% CI, \(runs), tolerance \(plain(tolerance))) → \(verdict.rawValue)"
    }

    private var suffix: String { unit == .relative ? "%" : " pp" }

    private func signed(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "+∞" : "-∞") + suffix }
        var text = String(format: "%+.1f", value * 100)
        if text == "-0.0" { text = "+0.0" }
        return text + suffix
    }

    private func plain(_ value: Double) -> String {
        let percent = value * 100
        // "10%" rather than "10.0%", but keep the digits a tolerance like 0.5 pp or 2.5% needs.
        let text = (percent * 10).rounded() == percent.rounded() * 10
            ? String(format: "%.0f", percent) : String(format: "%g", (percent * 100).rounded() / 100)
        return text + suffix
    }
}
