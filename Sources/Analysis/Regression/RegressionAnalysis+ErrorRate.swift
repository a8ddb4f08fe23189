import Foundation

extension RegressionAnalysis {
    /// The verdict on the error rate: the difference of proportions, candidate − baseline, in
    /// absolute terms (0.005 = 0.5 percentage points).
    ///
    /// * Each side's proportion pools its runs (Σ errors / Σ requests).
    /// * The interval uses Agresti–Caffo adjusted proportions (e + 1)/(n + 2), so zero errors still
    ///   gets an honest, non-zero width; `change` is the raw difference.
    /// * Variance per side is quasi-binomial: φ · p̃(1 − p̃)/(n + 2), with the dispersion
    ///   φ = Pearson χ²/(k − 1) over the side's k windows (all its runs, against the side's pooled
    ///   rate, so run-to-run shifts count too), floored at 1. An estimated φ > 1 carries k − 1 df
    ///   into the Welch–Satterthwaite ν; a binomial variance (φ = 1) is taken as known.
    /// * An error class with no errors in any baseline run and some in the candidate is a
    ///   regression, whatever the interval or the gates say.
    public static func compareErrorRate(metric: String = "error rate", baseline: [ErrorRunSample],
                                        candidate: [ErrorRunSample], tolerance: Double = 0.005,
                                        gateFailures: [String] = [], options: Options = Options()) -> RegressionVerdict {
        var verdict = RegressionVerdict(metric: metric, verdict: .inconclusive, change: .nan, lower: .nan, upper: .nan,
                                        tolerance: tolerance, baselineRuns: baseline.count,
                                        candidateRuns: candidate.count, reasons: [], unit: .percentagePoints)
        var problems: [String] = []
        if baseline.isEmpty { problems.append("no baseline runs") }
        if candidate.isEmpty { problems.append("no candidate runs") }
        if (baseline + candidate).contains(where: { $0.requests < 0 || $0.errors < 0 || $0.errors > $0.requests }) {
            problems.append("a run's error count is negative or exceeds its requests")
        }
        if !(tolerance >= 0 && tolerance.isFinite) { problems.append("the tolerance \(tolerance) is not a finite, non-negative number") }
        // Sums in floating point: counts from a file can add up past Int.max.
        let baselineRequests = baseline.reduce(0.0) { $0 + Double($1.requests) }
        let candidateRequests = candidate.reduce(0.0) { $0 + Double($1.requests) }
        if problems.isEmpty, baselineRequests == 0 || candidateRequests == 0 { problems.append("no requests") }
        guard problems.isEmpty else {
            verdict.reasons = problems + gateFailures
            return verdict
        }

        let b = side(baseline), c = side(candidate)
        verdict.change = c.rate - b.rate
        let interval = welchInterval(difference: c.adjusted - b.adjusted,
                                     sides: [(b.variance.squareRoot(), 1, b.df), (c.variance.squareRoot(), 1, c.df)])
        verdict.lower = interval.lower
        verdict.upper = interval.upper

        let details = String(format: "dispersion φ %.2f baseline, %.2f candidate; t(0.995, df %@) = %.3f", b.phi, c.phi,
                             interval.df.isFinite ? String(format: "%.1f", interval.df) : "∞", interval.t)
        let newClasses = newErrorClasses(baseline: baseline, candidate: candidate)
        let gates = sampleGate(baseline: baseline.enumerated().map { ($1.requests, "baseline run \($0 + 1)") }
                               + candidate.enumerated().map { ($1.requests, "candidate run \($0 + 1)") },
                               minimum: options.minimumCount) + gateFailures
        let judged = judge(lower: verdict.lower, upper: verdict.upper, tolerance: tolerance, badSign: 1,
                           format: { String(format: "%+.2f pp", $0 * 100) })

        if !newClasses.isEmpty {
            verdict.verdict = .regression
            verdict.reasons = newClasses.map { "new error class \"\($0.name)\": \($0.count) in the candidate, none in \(baseline.count) baseline run\(baseline.count == 1 ? "" : "s")" }
                + gates.map { "quality gate: \($0)" } + [judged.reason, details]
        } else if !gates.isEmpty {
            verdict.verdict = .inconclusive
            verdict.reasons = gates.map { "quality gate: \($0)" } + [details]
        } else {
            verdict.verdict = judged.kind
            verdict.reasons = [judged.reason, details]
        }
        return verdict
    }

    /// Classes with errors in the candidate and none in any baseline run, by name.
    static func newErrorClasses(baseline: [ErrorRunSample], candidate: [ErrorRunSample]) -> [(name: String, count: Int)] {
        var seen: Set<String> = []
        for run in baseline { for (name, count) in run.errorClasses where count > 0 { seen.insert(name) } }
        var fresh: [String: Int] = [:]
        for run in candidate { for (name, count) in run.errorClasses where count > 0 && !seen.contains(name) {
            let (sum, overflow) = fresh[name, default: 0].addingReportingOverflow(count)
            fresh[name] = overflow ? .max : sum
        } }
        return fresh.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// One side's raw rate, adjusted rate, quasi-binomial variance of the adjusted rate, its df and φ.
    private static func side(_ runs: [ErrorRunSample])
        -> (rate: Double, adjusted: Double, variance: Double, df: Double, phi: Double) {
        let errors = runs.reduce(0.0) { $0 + Double($1.errors) }
        let requests = runs.reduce(0.0) { $0 + Double($1.requests) }
        let adjusted = (errors + 1) / (requests + 2)
        let dispersion = dispersion(runs.flatMap(\.windows).filter { $0.requests > 0 })
        let variance = dispersion.phi * adjusted * (1 - adjusted) / (requests + 2)
        return (errors / requests, adjusted, variance, dispersion.df, dispersion.phi)
    }

    /// Quasi-binomial dispersion φ = Pearson χ²/(k − 1) over windows, floored at 1 (then df is infinite).
    static func dispersion(_ windows: [ErrorRunSample.Window]) -> (phi: Double, df: Double) {
        let errors = windows.reduce(0.0) { $0 + Double($1.errors) }
        let requests = windows.reduce(0.0) { $0 + Double($1.requests) }
        guard windows.count >= 2, requests > 0 else { return (1, .infinity) }
        let p = errors / requests
        guard p > 0, p < 1 else { return (1, .infinity) }
        let chiSquare = windows.reduce(0.0) { sum, window in
            let n = Double(window.requests), expected = n * p
            let deviation = Double(window.errors) - expected
            return sum + deviation * deviation / (expected * (1 - p))
        }
        let phi = chiSquare / Double(windows.count - 1)
        guard phi.isFinite else { return (1, .infinity) }
        return phi > 1 ? (phi, Double(windows.count - 1)) : (1, .infinity)
    }
}
