import Foundation

/// The statistics behind `--baseline` verdicts (README, *Results store and baselines*: the method): a candidate's runs against the baseline's
/// last N runs, judged against the noise seen across the baseline's own runs.
///
/// Latency and throughput (`compare`) are compared on a log scale:
/// * σ_b, the baseline's run-to-run noise of ln(value): MAD × 1.4826 of the baseline runs' logs
///   when there are ≥ 3 of them (estimated, n_b − 1 df); otherwise the within-run floor (below).
/// * Within-run floor of a run: MAD × 1.4826 of ln(window values) over its 10 s windows, divided by
///   √windows — the standard error of the run's mean — times the sample's `windowNoiseScale` (a
///   request's share of a run's windows). Over several runs, the root mean square.
///   Treated as a known variance (infinite df). Runs with < 2 windows give no floor.
/// * Every σ is at least ln(1 + minimumNoise).
/// * σ_c, the candidate's: its own MAD when it has ≥ 3 runs (n_c − 1 df); with fewer, the larger of
///   its within-run floor and σ_b — one or two runs cannot show run-to-run noise, and the
///   baseline's is the best evidence of what this machine does (then one pooled term,
///   σ_b²·(1/n_b + 1/n_c), with σ_b's df).
/// * Δ = exp(mean ln candidate − mean ln baseline) − 1; the 99% interval is the Welch t interval
///   `d ± t(0.995, ν) · √(σ_b²/n_b + σ_c²/n_c)` on the log scale, with Welch–Satterthwaite ν,
///   mapped back through exp(·) − 1.
public enum RegressionAnalysis {
    /// The confidence level of every interval.
    public static let confidence = 0.99

    /// Knobs shared by every metric; the defaults are the README's (*Results store and baselines*).
    public struct Options: Sendable, Hashable {
        /// The smallest noise σ assumed, as a relative amount (0.02 = 2%).
        public var minimumNoise: Double
        /// Runs with fewer samples than this (requests) make the verdict inconclusive.
        public var minimumCount: Int

        /// Options as given.
        public init(minimumNoise: Double = 0.02, minimumCount: Int = 100) {
            self.minimumNoise = minimumNoise
            self.minimumCount = minimumCount
        }
    }

    /// The verdict on a log-scale metric (latency, throughput).
    ///
    /// - Parameters:
    ///   - metric: the display name, e.g. "p95 latency".
    ///   - baseline: the baseline's last N runs.
    ///   - candidate: the candidate's 1…K runs.
    ///   - direction: which way is better.
    ///   - tolerance: the relative change that matters (0.10 = 10%).
    ///   - gateFailures: quality gates the caller checked and found failed (open model: achieved
    ///     rate < 99% of the target, send-lag p99 too high); each makes the verdict inconclusive.
    public static func compare(metric: String, baseline: [RunSample], candidate: [RunSample],
                               direction: MetricDirection, tolerance: Double, gateFailures: [String] = [],
                               options: Options = Options()) -> RegressionVerdict {
        var verdict = RegressionVerdict(metric: metric, verdict: .inconclusive, change: .nan, lower: .nan, upper: .nan,
                                        tolerance: tolerance, baselineRuns: baseline.count,
                                        candidateRuns: candidate.count, reasons: [])
        var problems: [String] = []
        if baseline.isEmpty { problems.append("no baseline runs") }
        if candidate.isEmpty { problems.append("no candidate runs") }
        let all = baseline + candidate
        if all.contains(where: { !($0.value > 0) || !$0.value.isFinite }) {
            problems.append("a value is not a positive number, so it has no log")
        }
        if !(tolerance >= 0 && tolerance.isFinite) { problems.append("the tolerance \(tolerance) is not a finite, non-negative number") }
        guard problems.isEmpty else {
            verdict.reasons = problems + gateFailures
            return verdict
        }

        let floor = log1p(options.minimumNoise)
        let logBaseline = baseline.map { log($0.value) }
        let logCandidate = candidate.map { log($0.value) }

        let baselineNoise = noise(of: baseline, logs: logBaseline, floor: floor)
        var candidateNoise = noise(of: candidate, logs: logCandidate, floor: floor)
        var borrowed = false
        if candidate.count < 3, baselineNoise.sigma > candidateNoise.sigma {
            candidateNoise = (baselineNoise.sigma, baselineNoise.df, "baseline run-to-run σ")
            borrowed = true
        }

        let difference = RobustStatistics.mean(logCandidate)! - RobustStatistics.mean(logBaseline)!
        // A borrowed σ is the same estimate on both sides, so its variance terms are one term with
        // σ_b's df (a pooled t), not two independent ones Welch–Satterthwaite would add df for.
        let sides: [(sigma: Double, runs: Int, df: Double)] = borrowed
            ? [(baselineNoise.sigma * (1 + Double(baseline.count) / Double(candidate.count)).squareRoot(),
                baseline.count, baselineNoise.df)]
            : [(baselineNoise.sigma, baseline.count, baselineNoise.df),
               (candidateNoise.sigma, candidate.count, candidateNoise.df)]
        let interval = welchInterval(difference: difference, sides: sides)
        verdict.change = expm1(difference)
        verdict.lower = expm1(interval.lower)
        verdict.upper = expm1(interval.upper)

        var reasons = [String(format: "noise σ %.1f%% (%@) baseline, %.1f%% (%@) candidate; t(0.995, df %@) = %.3f",
                              expm1(baselineNoise.sigma) * 100, baselineNoise.source,
                              expm1(candidateNoise.sigma) * 100, candidateNoise.source,
                              interval.df.isFinite ? String(format: "%.1f", interval.df) : "∞", interval.t)]
        let gates = sampleGate(baseline: baseline, candidate: candidate, minimum: options.minimumCount) + gateFailures
        let judged = judge(lower: verdict.lower, upper: verdict.upper, tolerance: tolerance,
                           badSign: direction == .lowerIsBetter ? 1 : -1)
        if gates.isEmpty {
            verdict.verdict = judged.kind
            reasons.insert(judged.reason, at: 0)
        } else {
            verdict.verdict = .inconclusive
            reasons.insert(contentsOf: gates.map { "quality gate: \($0)" }, at: 0)
        }
        verdict.reasons = reasons
        return verdict
    }

    // MARK: - Shared pieces (also used by the error-rate comparison)

    /// The Welch t interval of `difference` for sides of (σ per run, runs, df of σ).
    static func welchInterval(difference: Double, sides: [(sigma: Double, runs: Int, df: Double)])
        -> (lower: Double, upper: Double, df: Double, t: Double) {
        let terms = sides.map { (variance: $0.sigma * $0.sigma / Double($0.runs), df: $0.df) }
        let standardError = terms.reduce(0) { $0 + $1.variance }.squareRoot()
        let df = StudentT.welchDegreesOfFreedom(terms)
        let t = StudentT.quantile(1 - (1 - confidence) / 2, df: df)
        return (difference - t * standardError, difference + t * standardError, df, t)
    }

    /// The method's rules on an interval (README, *Results store and baselines*); `badSign` is +1 when an increase is bad, −1 when a decrease is.
    static func judge(lower: Double, upper: Double, tolerance: Double, badSign: Double,
                      format: (Double) -> String = { String(format: "%+.1f%%", $0 * 100) })
        -> (kind: RegressionVerdict.Kind, reason: String) {
        // Work in "badness" units so one set of rules serves both directions.
        let (badLow, badHigh) = badSign > 0 ? (lower, upper) : (-upper, -lower)
        let side = badSign > 0 ? "above" : "below"
        let otherSide = badSign > 0 ? "below" : "above"
        let bound = format(badSign * tolerance), otherBound = format(-badSign * tolerance)
        if badLow > tolerance {
            return (.regression, "the whole 99% interval lies \(side) the tolerance \(bound)")
        }
        if badHigh < -tolerance {
            return (.improvement, "the whole 99% interval lies \(otherSide) the tolerance \(otherBound)")
        }
        if lower >= -2 * tolerance && upper <= 2 * tolerance {
            return (.unchanged, "the whole 99% interval lies inside ±2 × tolerance")
        }
        return (.inconclusive, "the 99% interval is too wide to decide: it crosses the tolerance and leaves ±2 × tolerance")
    }

    /// The sample-size gate: every run needs at least `minimum` samples.
    static func sampleGate(baseline: [(count: Int, label: String)], minimum: Int) -> [String] {
        baseline.filter { $0.count < minimum }.map { "too few samples: \($0.label) has \($0.count) < \(minimum)" }
    }

    private static func sampleGate(baseline: [RunSample], candidate: [RunSample], minimum: Int) -> [String] {
        sampleGate(baseline: baseline.enumerated().map { ($1.count, "baseline run \($0 + 1)") }
                   + candidate.enumerated().map { ($1.count, "candidate run \($0 + 1)") }, minimum: minimum)
    }

    /// One side's σ of ln(value) per run, the df it was estimated with, and where it came from.
    private static func noise(of runs: [RunSample], logs: [Double], floor: Double)
        -> (sigma: Double, df: Double, source: String) {
        if runs.count >= 3, let spread = RobustStatistics.robustSigma(logs) {
            return spread >= floor ? (spread, Double(runs.count - 1), "MAD of \(runs.count) runs")
                                   : (floor, .infinity, "minimum")
        }
        if let within = withinRunFloor(runs), within > floor {
            return (within, .infinity, "within-run floor")
        }
        return (floor, .infinity, "minimum")
    }

    /// The within-run floor of ln(value): per run, MAD × 1.4826 of ln(windows) / √windows; RMS over runs.
    static func withinRunFloor(_ runs: [RunSample]) -> Double? {
        let perRun: [Double] = runs.compactMap { run in
            let logs = run.withinRunWindows.filter { $0 > 0 && $0.isFinite }.map(log)
            guard logs.count >= 2, let sigma = RobustStatistics.robustSigma(logs) else { return nil }
            return sigma / Double(logs.count).squareRoot() * (run.windowNoiseScale ?? 1)
        }
        guard !perRun.isEmpty else { return nil }
        return (perRun.reduce(0) { $0 + $1 * $1 } / Double(perRun.count)).squareRoot()
    }
}
