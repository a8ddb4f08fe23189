import Analysis
import Core
import Metrics
import Results

extension ResultDocument.FaultRecord {
    /// The records of a run's faults (README, *Failure injection*): planned and actual windows,
    /// what the proxy or the process injector did, and the recovery measured after each.
    static func records(scenario: Scenario, injected: [InjectedFault], metrics: RunMetrics) -> [Self] {
        let byIndex = Dictionary(injected.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        return scenario.faults.enumerated().map { i, fault in
            let outcome = byIndex[i]
            let recovery = outcome.flatMap { scenario.faultWindows([$0]).first }.map { RecoveryTime.measure($0, in: metrics) }
            return Self(
                name: fault.displayName(index: i), kind: Kind(rawValue: fault.kind.rawValue) ?? .latency, parameters: fault.parameters,
                request: fault.request,
                planned: Span(startS: fault.at.seconds, endS: (fault.at + fault.duration).seconds),
                actual: outcome?.started.map { Span(startS: $0.seconds, endS: (outcome?.ended ?? scenario.load.totalDuration).seconds) },
                requests: outcome?.requests, affected: outcome?.affected,
                restart: outcome?.restart.map {
                    Restart(killedS: $0.killed.seconds, startedS: $0.started?.seconds, readyS: $0.ready?.seconds, pid: $0.pid)
                },
                recoveryS: recovery?.seconds, recoveryErrorRateLevel: recovery?.errorRateLevel,
                recoveryP95LevelMs: recovery?.p95Level.map { $0.seconds * 1000 })
        }
    }
}

extension ResultDocument {
    /// Adds the run's fault records and ties each `target_restart` issue to the `kill` fault in
    /// force around it (within two seconds of the kill or the restart, in measured seconds).
    mutating func attachFaults(scenario: Scenario, injected: [InjectedFault], metrics: RunMetrics) {
        guard !scenario.faults.isEmpty else { return }
        let records = FaultRecord.records(scenario: scenario, injected: injected, metrics: metrics)
        faults = records
        timeline.faults = records.compactMap { r in r.actual.map { Timeline.Window(name: r.name, startS: $0.startS, endS: $0.endS) } }
        let warmup = scenario.load.warmup.seconds
        for i in issues.indices where issues[i].kind == .targetRestart {
            let evidence = issues[i].evidence
            let cause = records.first { record in
                guard record.kind == .kill, let actual = record.actual else { return false }
                let from = actual.startS - warmup - 2, to = actual.endS - warmup + 2
                return evidence.fromS <= to && evidence.toS >= from
            }
            issues[i].fault = cause?.name
        }
    }
}
