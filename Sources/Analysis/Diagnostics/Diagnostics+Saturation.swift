import Core
import Metrics
import Results

extension Diagnostics {
    // MARK: Dropped arrivals

    /// Open model: arrivals that found `max_in_flight` requests outstanding and were not sent.
    static func droppedArrivals(_ run: SecondSeries, load: LoadSpec) -> [RunIssue] {
        let dropping = run.indices.filter { run[$0].counters.dropped > 0 }
        guard let first = dropping.first, let last = dropping.last else { return [] }
        let total = run.counters(run.indices)
        let share = Double(total.dropped) / Double(total.dropped + total.requests)
        let peak = dropping.max { run[$0].counters.dropped < run[$1].counters.dropped }!
        let span = first..<(last + 1)
        return [RunIssue(
            kind: .droppedArrivals, severity: share >= DiagnosticThresholds.droppedCriticalShare ? .critical : .warning,
            summary: "\(CriterionFormat.count(total.dropped)) arrivals (\(percent(share)) of the schedule) were dropped \(window(span)) because \(CriterionFormat.count(load.maxInFlight)) requests were already outstanding (max_in_flight); the most, \(CriterionFormat.count(run[peak].counters.dropped)), at \(CriterionFormat.clock(peak)).",
            evidence: .init(fromS: Double(first), toS: Double(last + 1), metric: "dropped_share", value: share, unit: .fraction,
                            threshold: 0, count: total.dropped, detail: "max_in_flight \(load.maxInFlight)"))]
    }

    // MARK: The generator

    /// The generator at its limit: its CPU near its threads' capacity (or the host's CPU full) in
    /// enough of the monitoring samples, as `GeneratorSaturation` judges them; or, in the open
    /// model, requests leaving well after their scheduled time.
    static func generatorSaturation(_ input: Input, run: SecondSeries) -> [RunIssue] {
        var issues: [RunIssue] = []
        if let cpu = generatorCPU(input, run: run) { issues.append(cpu) }
        if input.load.model == .open, input.metrics.sendLag.count > 0 {
            let lag = input.metrics.sendLag.value(atPercentile: 99)
            let limit = DiagnosticThresholds.sendLagLimit
            if lag > limit {
                issues.append(RunIssue(
                    kind: .generatorSaturation, severity: .warning,
                    summary: "Requests left late: the send lag (schedule to send) had a p99 of \(duration(lag)), above \(duration(limit)), so the generator did not keep the schedule — all \(input.load.connections) connections were busy, or its CPU was.",
                    evidence: .init(fromS: 0, toS: run.measuredEnd, metric: "send_lag_p99", value: lag.milliseconds, unit: .milliseconds,
                                    threshold: limit.milliseconds, detail: "\(input.load.connections) connections")))
            }
        }
        return issues
    }

    private struct CPUSample {
        var second: Double
        var sample: GeneratorSaturation.Sample
    }

    private static func generatorCPU(_ input: Input, run: SecondSeries) -> RunIssue? {
        let judge = GeneratorSaturation()
        var hostCPU: Double?
        var samples: [CPUSample] = []
        for s in input.monitoring.sorted(by: { $0.time < $1.time }) {
            switch s.source {
            case "host": hostCPU = s.values[HostSampler.Key.cpuPercent] ?? hostCPU
            case "generator":
                let second = s.time.seconds - run.warmup
                guard second >= 0, second <= run.measuredEnd, let cpu = s.values[ProcessSampler.Key.cpuPercent] else { continue }
                samples.append(CPUSample(second: second, sample: .init(cpuPercent: cpu, threads: input.generatorThreads, hostCPUPercent: hostCPU)))
            default: break
            }
        }
        // Saturated samples that belong to a window `GeneratorSaturation` would warn about.
        var flagged = Set<Int>()
        for end in samples.indices {
            let window = max(0, end - judge.window + 1)...end
            let hot = window.filter { judge.isSaturated(samples[$0].sample) }
            if hot.count >= judge.required { flagged.formUnion(hot) }
        }
        guard !flagged.isEmpty else { return nil }
        let hot = flagged.sorted().map { samples[$0] }
        let from = hot.first!.second.rounded(.down), to = hot.last!.second.rounded(.down) + 1
        let capacity = Double(input.generatorThreads) * 100
        let limit = judge.threadShare * capacity
        let peak = hot.map(\.sample.cpuPercent).max()!
        let threads = input.generatorThreads == 1 ? "1 thread" : "\(input.generatorThreads) threads"
        let critical = Double(hot.count) >= Double(samples.count) / 2
        let who = input.embeddedTarget ? "The stress-ci process (the load generator and the embedded demo target)" : "The load generator"
        let span = "from \(CriterionFormat.clock(Int(from))) to \(CriterionFormat.clock(Int(to)))"
        if peak >= limit {
            return RunIssue(
                kind: .generatorSaturation, severity: critical ? .critical : .warning,
                summary: "\(who) was CPU-bound \(span): it peaked at \(Int(peak.rounded()))% of one core, against \(Int(capacity))% for its \(threads) (limit \(Int(limit.rounded()))%), so the results may understate the target.",
                evidence: .init(fromS: from, toS: to, metric: "generator_cpu_percent", value: peak, unit: .percent,
                                threshold: limit, reference: capacity, count: hot.count, detail: threads))
        }
        let host = hot.compactMap(\.sample.hostCPUPercent).max() ?? 0
        return RunIssue(
            kind: .generatorSaturation, severity: critical ? .critical : .warning,
            summary: "The host's CPU was full \(span) (up to \(Int(host.rounded()))%, limit \(Int(judge.hostThreshold))%) while the load generator used up to \(Int(peak.rounded()))% of one core: the generator competed for CPU, so the results may understate the target.",
            evidence: .init(fromS: from, toS: to, metric: "host_cpu_percent", value: host, unit: .percent,
                            threshold: judge.hostThreshold, count: hot.count, detail: "generator up to \(Int(peak.rounded()))%, \(threads)"))
    }
}
