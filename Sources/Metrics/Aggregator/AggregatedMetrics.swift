/// Statistics of every metric over a time window, keyed by qualified name ("source.metric").
public struct AggregatedMetrics: Sendable, Codable, Hashable {
    /// The window the statistics cover, ending at the time they were calculated.
    public var window: Duration
    /// Qualified metric name ("source.metric") → its statistics.
    public var metrics: [String: MetricSummary]

    public init(window: Duration, metrics: [String: MetricSummary]) {
        self.window = window
        self.metrics = metrics
    }

    /// The statistics of one qualified metric, if it had samples in the window.
    public subscript(_ name: String) -> MetricSummary? { metrics[name] }
}

/// Statistics of one metric's samples in a window.
public struct MetricSummary: Sendable, Codable, Hashable {
    public var count: Int
    public var avg: Double
    public var min: Double
    public var max: Double
    /// Nearest-rank percentiles of the samples.
    public var p95: Double
    public var p99: Double
    /// Per-second increase if the metric is a counter (see `MetricStatistics.rate`); nil with
    /// fewer than two samples. Meaningless for gauges, which callers should ignore.
    public var rate: Double?

    public init(count: Int, avg: Double, min: Double, max: Double, p95: Double, p99: Double, rate: Double?) {
        self.count = count
        self.avg = avg
        self.min = min
        self.max = max
        self.p95 = p95
        self.p99 = p99
        self.rate = rate
    }
}

/// The pure statistics behind `MetricsAggregator`'s windowed queries.
public enum MetricStatistics {
    /// Summary of time-ordered samples; nil when there are none.
    public static func summarize(_ samples: [(time: Duration, value: Double)]) -> MetricSummary? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.map(\.value).sorted()
        return MetricSummary(
            count: sorted.count,
            avg: sorted.reduce(0, +) / Double(sorted.count),
            min: sorted[0],
            max: sorted[sorted.count - 1],
            p95: percentile(sorted: sorted, 95),
            p99: percentile(sorted: sorted, 99),
            rate: rate(samples))
    }

    /// Nearest-rank percentile (`p` in 0…100) of ascending values; nil-free because callers
    /// guarantee at least one value.
    public static func percentile(sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty)
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    /// Per-second rate of a monotonically increasing counter over time-ordered samples:
    /// total increase / (last time − first time).
    ///
    /// A drop means the counter was reset (e.g. the target restarted), so the value after the drop
    /// counts as the increase for that step. Nil with fewer than two samples or no elapsed time.
    public static func rate(_ samples: [(time: Duration, value: Double)]) -> Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }
        let elapsed = (last.time - first.time).seconds
        guard elapsed > 0 else { return nil }
        var increase = 0.0
        for (previous, current) in zip(samples, samples.dropFirst()) {
            increase += current.value >= previous.value ? current.value - previous.value : current.value
        }
        return increase / elapsed
    }
}
