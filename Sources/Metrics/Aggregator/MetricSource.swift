/// Which family a metric source belongs to; history is queried per category.
public enum MetricCategory: String, Sendable, CaseIterable, Codable {
    /// Host and process resources: CPU, memory, load.
    case system
    /// The target's own metrics (e.g. Prometheus counters turned into TPS).
    case business
    /// Remote load agents; a source's name is the agent ID.
    case agents
}

/// Something the aggregator polls for named values at one instant.
///
/// `collect()` may throw or take long: the aggregator records a warning and skips the source for
/// that round, so one bad source never stops collection.
public protocol MetricSource: Sendable {
    /// The source's current values, keyed by metric name (without the source prefix).
    func collect() async throws -> [String: Double]
}

/// The values one source reported in one collection round.
public struct MetricSnapshot: Sendable, Codable, Hashable {
    /// When the round started, on the aggregator's clock, since the aggregator was created.
    public var time: Duration
    /// The name the source was registered under (an agent ID for `.agents`).
    public var source: String
    public var category: MetricCategory
    /// Metric name → value, as the source reported them.
    public var values: [String: Double]

    public init(time: Duration, source: String, category: MetricCategory, values: [String: Double]) {
        self.time = time
        self.source = source
        self.category = category
        self.values = values
    }
}

/// Identifies a subscription so it can be cancelled with `MetricsAggregator.unsubscribe(_:)`.
public struct SubscriptionID: Sendable, Hashable {
    let rawValue: Int
}
