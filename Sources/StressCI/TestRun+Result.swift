import Core
import Foundation
import Reports
import Results

extension TestRun {
    /// The result document (README, *Results store and baselines*) for this run.
    public func resultDocument(id: String, environment: ResultDocument.EnvironmentInfo, tags: [String: String] = [:]) -> ResultDocument {
        var document = ResultDocument(
            id: id, scenario: scenario, metrics: metrics, criteria: criteria, history: history, pauses: pauses,
            stopReason: stopReason, startedAt: startedAt, endedAt: endedAt, target: targetAddress,
            environment: environment, tags: tags, monitoring: monitoring.snapshots,
            targetMetrics: scenario.target.metrics == nil ? nil : monitoring.prometheus, warnings: monitoring.warnings)
        document.attachFaults(scenario: scenario, injected: faults, metrics: metrics)
        return document
    }
}
