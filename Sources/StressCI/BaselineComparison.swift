import Analysis
import Core
import Foundation
import Reports

/// Compares a run with a baseline's runs (SPEC §11): p95 latency, throughput and error rate gate
/// the build; other overall latency percentiles in the scenario's `regression:` rules are reported.
public enum BaselineComparison {
    /// The verdicts for `candidate` against `baseline`, one per regression rule that can be compared.
    public static func compare(candidate: ResultDocument, baseline: Baseline, rules: [RegressionRule]) -> ResultDocument.Comparison {
        var verdicts: [ResultDocument.RegressionVerdictInfo] = []
        var skipped: [String] = []
        for rule in rules {
            let selector = rule.metric
            guard selector.filter.isEmpty else {
                skipped.append("\(selector): per-request and per-status regression checks are not compared yet")
                continue
            }
            switch (selector.metric, selector.aggregate) {
            case (.latency, .percentile(let p)):
                let key = "p\(Units.formatNumber(p))"
                let verdict = RegressionAnalysis.compare(
                    metric: "\(key) latency", baseline: baseline.runs.map { latencySample($0, key) }, candidate: [latencySample(candidate, key)],
                    direction: .lowerIsBetter, tolerance: rule.tolerance)
                verdicts.append(.init(verdict, gating: p == 95))
            case (.throughput, .value):
                let verdict = RegressionAnalysis.compare(
                    metric: "throughput", baseline: baseline.runs.map(throughputSample), candidate: [throughputSample(candidate)],
                    direction: .higherIsBetter, tolerance: rule.tolerance)
                verdicts.append(.init(verdict, gating: true))
            case (.errorRate, .value):
                let verdict = RegressionAnalysis.compareErrorRate(
                    baseline: baseline.runs.map(errorSample), candidate: [errorSample(candidate)], tolerance: rule.tolerance)
                verdicts.append(.init(verdict, gating: true))
            default:
                skipped.append("\(selector): not a metric the baseline comparison covers yet")
            }
        }
        return ResultDocument.Comparison(baseline: baseline.name, baselineRuns: baseline.runs.map(\.testId), verdicts: verdicts, notes: skipped)
    }

    /// Per-10-second windows of the measured run (the within-run noise floor's input).
    private static func windows(_ r: ResultDocument) -> [[ResultDocument.Second]] {
        Dictionary(grouping: r.metrics.perSecond) { $0.t / 10 }.sorted { $0.key < $1.key }.map(\.value)
    }

    private static func latencySample(_ r: ResultDocument, _ key: String) -> RunSample {
        // Window values: the mean of the per-second percentile (an approximation used only for noise).
        let perWindow = windows(r).compactMap { w -> Double? in
            let values = w.compactMap { $0.latency.count > 0 ? $0.latency.percentiles[key] : nil }
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        return RunSample(value: r.summary.latency.percentiles[key] ?? 0, withinRunWindows: perWindow, count: Int(r.summary.latency.count))
    }

    private static func throughputSample(_ r: ResultDocument) -> RunSample {
        let perWindow = windows(r).map { w in Double(w.reduce(0) { $0 + $1.requests }) / Double(max(w.count, 1)) }
        return RunSample(value: r.summary.throughput, withinRunWindows: perWindow, count: r.summary.requests)
    }

    private static func errorSample(_ r: ResultDocument) -> ErrorRunSample {
        let perWindow = windows(r).map { w in
            ErrorRunSample.Window(errors: w.reduce(0) { $0 + $1.errors.total }, requests: w.reduce(0) { $0 + $1.requests })
        }
        let e = r.metrics.overall.errorsByClass
        let classes = ["connect": e.connect, "timeout": e.timeout, "reset": e.reset, "status": e.status, "expectation": e.expectation].filter { $0.value > 0 }
        return ErrorRunSample(errors: r.summary.errors, requests: r.summary.requests, windows: perWindow, errorClasses: classes)
    }
}

extension ResultDocument.ErrorsByClass {
    var total: Int { connect + timeout + reset + status + expectation }
}

extension ResultDocument.RegressionVerdictInfo {
    init(_ v: RegressionVerdict, gating: Bool) {
        func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
        self.init(metric: v.metric, verdict: v.verdict.rawValue, change: finite(v.change), lower: finite(v.lower), upper: finite(v.upper),
                  tolerance: v.tolerance, unit: v.unit.rawValue, baselineRuns: v.baselineRuns, candidateRuns: v.candidateRuns,
                  reasons: v.reasons, gating: gating, line: v.line)
    }
}
