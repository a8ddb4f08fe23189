import Core
import Foundation

extension ResultDocument {
    /// Regression verdicts against a baseline's runs (README, *Results store and baselines*: the method).
    public struct Comparison: Sendable, Codable, Equatable {
        public var baseline: String
        /// The baseline runs compared with, oldest first.
        public var baselineRuns: [String]
        public var verdicts: [RegressionVerdictInfo]
        /// Rules that were not compared, and why; why nothing was compared (a baseline recorded
        /// for another load shape).
        public var notes: [String]
        /// `run --strict`: an inconclusive gated verdict fails the build like a regression.
        public var strict: Bool

        public init(baseline: String, baselineRuns: [String], verdicts: [RegressionVerdictInfo], notes: [String], strict: Bool = false) {
            self.baseline = baseline
            self.baselineRuns = baselineRuns
            self.verdicts = verdicts
            self.notes = notes
            self.strict = strict
        }

        enum CodingKeys: String, CodingKey {
            case baseline
            case baselineRuns = "baseline_runs"
            case verdicts
            case notes
            case strict
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            baseline = try c.decode(String.self, forKey: .baseline)
            baselineRuns = try c.decode([String].self, forKey: .baselineRuns)
            verdicts = try c.decode([RegressionVerdictInfo].self, forKey: .verdicts)
            notes = try c.decode([String].self, forKey: .notes)
            strict = try c.decodeIfPresent(Bool.self, forKey: .strict) ?? false
        }

        /// A gating metric regressed.
        public var hasRegression: Bool { verdicts.contains { $0.gating && $0.verdict == .regression } }
        /// A gating metric could not be judged.
        public var hasInconclusive: Bool { verdicts.contains { $0.gating && $0.verdict == .inconclusive } }
        /// The comparison fails the build: a gated regression, or an inconclusive gated verdict under `--strict`.
        public var failsBuild: Bool { verdicts.contains { $0.failsBuild(strict: strict) } }
    }

    /// One metric's verdict: relative change (or percentage-point difference) with its 99% interval.
    public struct RegressionVerdictInfo: Sendable, Codable, Equatable {
        public var metric: String
        /// `regression`, `improvement`, `unchanged` or `inconclusive`.
        public var verdict: RegressionVerdictKind
        /// Relative change (0.12 = +12%), or the difference in proportion for `unit` `percentage_points`.
        public var change: Double?
        public var lower: Double?
        public var upper: Double?
        public var tolerance: Double
        /// `relative` or `percentagePoints`.
        public var unit: ChangeUnit
        public var baselineRuns: Int
        public var candidateRuns: Int
        public var reasons: [String]
        /// Whether this metric can fail the build.
        public var gating: Bool
        /// The one-line form: `p95 latency +12.3% [+7.1%, +17.9%] (99% CI, 1 vs 10 runs, tolerance 10%) → regression`.
        public var line: String

        public init(metric: String, verdict: RegressionVerdictKind, change: Double?, lower: Double?, upper: Double?, tolerance: Double, unit: ChangeUnit,
                    baselineRuns: Int, candidateRuns: Int, reasons: [String], gating: Bool, line: String) {
            self.metric = metric
            self.verdict = verdict
            self.change = change
            self.lower = lower
            self.upper = upper
            self.tolerance = tolerance
            self.unit = unit
            self.baselineRuns = baselineRuns
            self.candidateRuns = candidateRuns
            self.reasons = reasons
            self.gating = gating
            self.line = line
        }

        /// Whether this verdict fails the build: a gated regression, or a gated inconclusive one under `--strict`.
        public func failsBuild(strict: Bool) -> Bool {
            gating && (verdict == .regression || (strict && verdict == .inconclusive))
        }

        enum CodingKeys: String, CodingKey {
            case metric, verdict, change, lower, upper, tolerance, unit
            case baselineRuns = "baseline_runs"
            case candidateRuns = "candidate_runs"
            case reasons, gating, line
        }
    }
}
