import Analysis
import Core
import Engine
import Foundation
import Reports
import Results
import Store

/// Compares a run — or the `--repeat K` runs of one build — with a baseline's runs (README, *Results store and baselines*: the method), one
/// verdict per rule of the scenario's `regression:` section (`RegressionCheck` says which gate the build).
///
/// * Values come from the result files (`ResultMetric`), overall or per request; the within-run noise
///   floor from the overall per-second series in 10 s windows, scaled by √(run's requests / the
///   request's) for a per-request rule. Per-request error rates use a binomial variance: result
///   files keep errors per second for the whole run only.
/// * The open-model quality gates (`QualityGates`) are checked on every candidate run; a failed one
///   makes every verdict inconclusive with the gate as its reason.
/// * Baseline runs without a rule's request (recorded before the request existed) are left out of that
///   rule, with a note.
public enum BaselineComparison {
    /// The verdicts for one candidate run against `baseline`.
    public static func compare(candidate: ResultDocument, baseline: Baseline, rules: [RegressionRule]) -> ResultDocument.Comparison {
        compare(candidates: [candidate], baseline: baseline, rules: rules)
    }

    /// The verdicts for `candidates` (one build's `--repeat K` runs; the estimate is their mean on the
    /// log scale) against `baseline`, one per regression rule that can be compared.
    public static func compare(candidates: [ResultDocument], baseline: Baseline, rules: [RegressionRule],
                               gates: QualityGates = QualityGates(),
                               options: RegressionAnalysis.Options = .init()) -> ResultDocument.Comparison {
        let gateFailures = qualityGateFailures(candidates, gates: gates)
        var verdicts: [ResultDocument.RegressionVerdictInfo] = []
        var notes: [String] = []
        if candidates.count > 1 {
            notes.append("candidate: the mean of \(candidates.count) runs (\(candidates.map(\.testId).joined(separator: ", "))); the report shows the last")
        }
        for rule in rules {
            guard let check = RegressionCheck(rule) else {
                notes.append("\(rule.metric): \(rule.comparisonProblem?.message ?? "not compared")")
                continue
            }
            let base = baseline.runs.filter { slice($0, check.request) != nil }
            let candidate = candidates.filter { slice($0, check.request) != nil }
            if let request = check.request, base.count < baseline.runs.count {
                notes.append("\(check.name): \(baseline.runs.count - base.count) of \(baseline.runs.count) baseline runs have no request `\(request)`; compared with the other \(base.count)")
            }
            let verdict: RegressionVerdict
            switch check.method {
            case .errorRate:
                verdict = check.verdict(baseline: base.map { errorSample($0, check) }, candidate: candidate.map { errorSample($0, check) },
                                        gateFailures: gateFailures, options: options)
            case .logScale:
                verdict = check.verdict(baseline: base.map { valueSample($0, check) }, candidate: candidate.map { valueSample($0, check) },
                                        gateFailures: gateFailures, options: options)
            }
            verdicts.append(.init(verdict, gating: check.gating))
        }
        return ResultDocument.Comparison(baseline: baseline.name, baselineRuns: baseline.runs.map(\.testId), verdicts: verdicts, notes: notes)
    }

    /// The quality gates each candidate run fails, labelled `candidate run I of K` (`candidate run` for one).
    public static func qualityGateFailures(_ candidates: [ResultDocument], gates: QualityGates = QualityGates()) -> [String] {
        candidates.enumerated().flatMap { i, run in
            gates.failures(of: quality(of: run), label: candidates.count == 1 ? "candidate run" : "candidate run \(i + 1) of \(candidates.count)")
        }
    }

    /// What the quality gates read of `run`: the requests the open model's schedule planned inside
    /// the measured window (warmup excluded) against those made, and the send lag.
    public static func quality(of run: ResultDocument) -> RunQuality {
        let load = run.scenario.load
        var scheduled: Double?
        if load.model == .open {
            let schedule = ArrivalSchedule(start: load.start, stages: load.stages.map {
                Stage(name: $0.name, duration: .seconds($0.durationSeconds), target: $0.target)
            })
            let from = nanoseconds(load.warmupSeconds)
            let to = from.addingReportingOverflow(nanoseconds(run.summary.measuredS)).partialValue
            scheduled = schedule.cumulativeCount(at: to) - schedule.cumulativeCount(at: from)
        }
        let lag = run.summary.sendLag.flatMap { $0.count > 0 ? $0.percentiles["p99"] : nil }
        return RunQuality(scheduledRequests: scheduled, requests: run.summary.requests, measuredSeconds: run.summary.measuredS,
                          sendLagP99: lag.map { .nanoseconds(nanoseconds($0 / 1000)) })
    }

    /// `seconds` in nanoseconds, clamped to ±2^62 (a stored result's numbers are checked when read;
    /// this keeps a library caller's NaN or 1e300 from trapping).
    private static func nanoseconds(_ seconds: Double) -> Int64 {
        let n = (seconds * 1e9).rounded()
        return n.isNaN ? 0 : Int64(min(max(n, -0x1p62), 0x1p62))
    }

    /// The run's counters for `request`, or for the whole run; nil when the run has no such request.
    private static func slice(_ run: ResultDocument, _ request: String?) -> ResultDocument.Window? {
        guard let request else { return run.metrics.overall }
        return run.metrics.perRequest.first { $0.name == request }?.stats
    }

    /// Per-10-second windows of the measured run (the within-run noise floor's input).
    private static func windows(_ run: ResultDocument) -> [[ResultDocument.Second]] {
        Dictionary(grouping: run.metrics.perSecond) { $0.t / 10 }.sorted { $0.key < $1.key }.map(\.value)
    }

    /// A latency, service-time or throughput value of `run` for a `.logScale` check.
    private static func valueSample(_ run: ResultDocument, _ check: RegressionCheck) -> RunSample {
        let stats = slice(run, check.request) ?? run.metrics.overall
        let value = ResultMetric(check.rule.metric).value(in: run) ?? .nan
        let perWindow: [Double]
        let count: Int
        switch check.rule.metric.metric {
        case .throughput:
            count = stats.requests
            perWindow = windows(run).map { w in w.reduce(0.0) { $0 + Double($1.requests) } / Double(max(w.count, 1)) }
        default:
            let serviceTime = check.rule.metric.metric == .serviceTime
            let latency = serviceTime ? stats.serviceTime : stats.latency
            count = Int(clamping: latency.count)
            // Window values: the mean of the per-second values (an approximation used only for noise).
            perWindow = windows(run).compactMap { w -> Double? in
                let values = w.compactMap { second -> Double? in
                    let l = serviceTime ? second.serviceTime : second.latency
                    guard l.count > 0 else { return nil }
                    if case .percentile(let p) = check.rule.metric.aggregate { return l.percentiles["p\(Units.formatNumber(p))"] }
                    return l.mean
                }
                return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
        }
        let share = check.request == nil || count == 0 ? nil : (Double(run.metrics.overall.requests) / Double(count)).squareRoot()
        return RunSample(value: value, withinRunWindows: perWindow, count: count, windowNoiseScale: share)
    }

    /// The error counts of `run` for an `.errorRate` check.
    private static func errorSample(_ run: ResultDocument, _ check: RegressionCheck) -> ErrorRunSample {
        let stats = slice(run, check.request) ?? run.metrics.overall
        let perWindow = check.request != nil ? [] : windows(run).map { w in
            ErrorRunSample.Window(errors: saturatingSum(w.map(\.errors.total)), requests: saturatingSum(w.map(\.requests)))
        }
        let e = stats.errorsByClass
        let classes = ["connect": e.connect, "timeout": e.timeout, "reset": e.reset, "status": e.status, "expectation": e.expectation].filter { $0.value > 0 }
        return ErrorRunSample(errors: stats.errors, requests: stats.requests, windows: perWindow, errorClasses: classes)
    }
}

/// The sum, or Int.max where it would overflow.
func saturatingSum(_ values: [Int]) -> Int {
    values.reduce(0) { sum, value in
        let (next, overflow) = sum.addingReportingOverflow(value)
        return overflow ? (value > 0 ? .max : .min) : next
    }
}

extension ResultDocument.ErrorsByClass {
    var total: Int { saturatingSum([connect, timeout, reset, status, expectation]) }
}

extension ResultDocument.RegressionVerdictInfo {
    init(_ v: RegressionVerdict, gating: Bool) {
        func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
        self.init(metric: v.metric, verdict: v.verdict, change: finite(v.change), lower: finite(v.lower), upper: finite(v.upper),
                  tolerance: v.tolerance, unit: v.unit, baselineRuns: v.baselineRuns, candidateRuns: v.candidateRuns,
                  reasons: v.reasons, gating: gating, line: v.line)
    }
}
