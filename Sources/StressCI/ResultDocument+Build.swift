import Analysis
import Core
import Foundation
import Metrics
import Results

extension ResultDocument {
    /// Builds the result document (README, *Results store and baselines*) of a run from what it measured and judged.
    /// - Parameters:
    ///   - id: the run id (`YYYYMMDD_HHMMSS_name`).
    ///   - environment: where it ran (see `EnvironmentInfo.current`).
    ///   - stopReason: set when the run stopped before the end of its schedule (the result is partial).
    ///   - generatorThreads: the load generator's event-loop threads, for judging its CPU (default:
    ///     one per core, as `run` does without `--threads`).
    public init(
        id: String, scenario: Scenario, metrics: RunMetrics, criteria: [CriterionResult], history: [RunStateMachine.Change],
        pauses: [PauseWindow], stopReason: String?, startedAt: Date, endedAt: Date, target targetAddress: String,
        environment: EnvironmentInfo, tags: [String: String] = [:],
        monitoring: [MetricSnapshot] = [], targetMetrics: [String: [Double]]? = nil, warnings: [String] = [],
        generatorThreads: Int? = nil
    ) {
        let isPartial = stopReason != nil
        let m = metrics
        let windowS = m.measuredDuration.seconds
        let pcts = m.layout.percentiles
        let overall = ResultDocument.Window(m.cell(), seconds: windowS, percentiles: pcts)
        let failed = criteria.filter { !$0.passed }.map(\.source)
        let diagnosis = Diagnostics.diagnose(Diagnostics.Input(
            metrics: metrics, load: scenario.load, monitoring: monitoring, targetMetrics: targetMetrics ?? [:],
            generatorThreads: generatorThreads ?? environment.cores, embeddedTarget: scenario.target.isEmbedded,
            launchedTarget: scenario.target.start != nil, measuredStart: startedAt.addingTimeInterval(scenario.load.warmup.seconds)))
        let stages = m.layout.stages.enumerated().map { i, s in
            ResultDocument.Named(name: s.name, stats: ResultDocument.Window(m.cell(stage: i), seconds: m.measuredDuration(ofStage: i).seconds, percentiles: pcts))
        }
        self.init(
            schemaVersion: ResultDocument.currentSchemaVersion,
            testId: id,
            status: isPartial ? .partial : .completed,
            stopReason: stopReason,
            startedAt: startedAt,
            endedAt: endedAt,
            target: targetAddress,
            tags: tags,
            scenario: scenario.redactedSummary,
            environment: environment,
            timeline: ResultDocument.Timeline(
                warmupS: scenario.load.warmup.seconds,
                plannedS: scenario.load.totalDuration.seconds,
                states: history.map { .init(from: $0.from.rawValue, to: $0.to.rawValue, atS: $0.at.seconds, reason: $0.reason) },
                stages: m.layout.stages.map { .init(name: $0.name, startS: Double($0.start) / 1e9, endS: $0.end == .max ? scenario.load.totalDuration.seconds : Double($0.end) / 1e9) },
                pauses: pauses.map { .init(name: "pause", startS: $0.start.seconds, endS: $0.end.seconds) }),
            summary: ResultDocument.Summary(
                measuredS: windowS,
                requests: overall.requests,
                throughput: overall.throughput,
                errors: overall.errors,
                errorRate: overall.errorRate,
                dropped: overall.dropped,
                latency: overall.latency,
                serviceTime: overall.serviceTime,
                sendLag: scenario.load.model == .open ? ResultDocument.Latency(m.sendLag.summary(percentiles: pcts)) : nil),
            metrics: ResultDocument.Metrics(
                overall: overall,
                perRequest: m.layout.requestNames.enumerated().map { i, name in
                    ResultDocument.Named(name: name, stats: ResultDocument.Window(m.cell(request: i), seconds: windowS, percentiles: pcts))
                },
                perStage: stages,
                perSecond: m.seconds.map(ResultDocument.Second.init)),
            successCriteria: criteria.map { c in
                ResultDocument.Criterion(
                    criterion: c.source, passed: c.passed, measured: c.measured, measuredText: c.measuredText,
                    limit: c.limitText, evidence: c.evidence,
                    abort: scenario.criteria.first { $0.source == c.source }?.abort ?? false)
            },
            verdict: ResultDocument.VerdictInfo(criteriaPassed: failed.isEmpty, failed: failed, exitCode: failed.isEmpty ? 0 : 1),
            histograms: Self.histograms(of: metrics, sendLag: scenario.load.model == .open),
            monitoring: Self.series(of: monitoring),
            targetMetrics: targetMetrics.map { $0.mapValues { $0.map { $0.isFinite ? $0 : nil } } },
            warnings: warnings,
            comparison: nil,
            issues: diagnosis.issues,
            recommendations: diagnosis.recommendations)
    }
}

extension ResultDocument {
    /// Latency and service-time histograms overall, per request and per stage (and send lag).
    static func histograms(of m: RunMetrics, sendLag: Bool) -> [EncodedHistogram] {
        func encoded(_ metric: EncodedHistogram.Metric, _ scope: EncodedHistogram.Scope, _ name: String?, _ h: LatencyHistogram) -> EncodedHistogram {
            EncodedHistogram(metric: metric, scope: scope, name: name, count: h.count, data: HistogramCodec.encodeBase64(h))
        }
        func both(_ scope: EncodedHistogram.Scope, _ name: String?, _ cell: CellStats) -> [EncodedHistogram] {
            [encoded(.latency, scope, name, cell.latency), encoded(.serviceTime, scope, name, cell.service)]
        }
        var out = both(.overall, nil, m.cell())
        for (i, name) in m.layout.requestNames.enumerated() { out += both(.request, name, m.cell(request: i)) }
        for (i, stage) in m.layout.stages.enumerated() { out += both(.stage, stage.name, m.cell(stage: i)) }
        if sendLag { out.append(encoded(.sendLag, .overall, nil, m.sendLag)) }
        return out
    }

    /// Snapshots grouped by source, in first-seen order.
    static func series(of snapshots: [MetricSnapshot]) -> [SourceSeries] {
        var order: [String] = []
        var bySource: [String: SourceSeries] = [:]
        for s in snapshots {
            if bySource[s.source] == nil {
                order.append(s.source)
                bySource[s.source] = SourceSeries(source: s.source, category: s.category, samples: [])
            }
            bySource[s.source]?.samples.append(.init(t: s.time.seconds, values: s.values.filter { $0.value.isFinite }))
        }
        return order.compactMap { bySource[$0] }
    }
}

extension ResultDocument.Latency {
    init(_ s: LatencySummary) {
        self.init(
            count: s.count, min: s.min.milliseconds, mean: s.mean.milliseconds, max: s.max.milliseconds,
            percentiles: Dictionary(uniqueKeysWithValues: s.percentiles.map { ("p\(Units.formatNumber($0.percentile))", $0.value.milliseconds) }))
    }
}

extension ResultDocument.ErrorsByClass {
    init(_ e: ErrorCounts) {
        self.init(connect: e.connect, timeout: e.timeout, reset: e.reset, status: e.status, expectation: e.expectation)
    }
}

extension ResultDocument.Window {
    init(_ cell: CellStats, seconds: Double, percentiles: [Double]) {
        self.init(WindowStats(cell, percentiles: percentiles), seconds: seconds)
    }

    init(_ w: WindowStats, seconds: Double) {
        let c = w.counters
        self.init(
            requests: c.requests,
            throughput: seconds > 0 ? Double(c.requests) / seconds : 0,
            errors: c.errors.total,
            errorRate: c.errorRate,
            errorsByClass: .init(c.errors),
            statusClasses: Dictionary(uniqueKeysWithValues: (1...5).map { ("\($0)xx", c.statusClasses[$0]) }.filter { $0.1 > 0 }),
            dropped: c.dropped,
            bytesIn: c.bytesIn,
            bytesOut: c.bytesOut,
            latency: .init(w.latency),
            serviceTime: .init(w.service))
    }
}

extension ResultDocument.Second {
    init(_ s: SecondStats) {
        let c = s.overall.counters
        self.init(
            t: s.second, requests: c.requests, throughput: Double(c.requests), errors: .init(c.errors),
            dropped: c.dropped, inFlight: s.inFlight, bytesIn: c.bytesIn, bytesOut: c.bytesOut,
            latency: .init(s.overall.latency), serviceTime: .init(s.overall.service))
    }
}

extension TargetSpec {
    /// The embedded demo target, which runs inside stress-ci's own process.
    var isEmbedded: Bool {
        if case .builtin = endpoint { return true }
        return false
    }
}
