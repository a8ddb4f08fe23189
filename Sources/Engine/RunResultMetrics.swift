import Foundation
import Metrics

/// What a load run measured, and how it ended.
public struct RunResultMetrics: Sendable {
    /// Every recorder's statistics merged, with the per-second series.
    public var metrics: RunMetrics
    /// The run was stopped (`LoadGenerator.stop()`) before the end of its stages: the result is partial.
    public var stoppedEarly: Bool
    /// Wall time when the load started (scenario time zero) and when the run finished.
    public var startedAt: Date
    public var endedAt: Date
    /// Wall time spent paused, excluded from the scenario clock.
    public var pausedDuration: Duration
    /// The scenario clock when issuing ended (the end of the stages, or the stop).
    public var scenarioEnd: Duration
    /// Connections the load opened (TCP connected and, for https, the handshake done), warmup
    /// included.
    public var connectionsOpened = 0
    /// Of those, https handshakes that resumed the slot's previous TLS session.
    public var tlsSessionsResumed = 0

    public init(metrics: RunMetrics, stoppedEarly: Bool, startedAt: Date, endedAt: Date, pausedDuration: Duration, scenarioEnd: Duration) {
        self.metrics = metrics
        self.stoppedEarly = stoppedEarly
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.pausedDuration = pausedDuration
        self.scenarioEnd = scenarioEnd
    }

    /// The layout the metrics were recorded with.
    public var layout: MetricsLayout { metrics.layout }
}
