import Core

extension MetricsAggregator {
    /// Statistics of every metric over the last `window` (snapshots with time ≥ now − window),
    /// keyed by qualified name "source.metric".
    public func calculateAggregatedMetrics(window: Duration) -> AggregatedMetrics {
        var series: [String: [(time: Duration, value: Double)]] = [:]
        for snapshot in snapshots(in: window) {
            for (metric, value) in snapshot.values {
                series["\(snapshot.source).\(metric)", default: []].append((snapshot.time, value))
            }
        }
        return AggregatedMetrics(window: window, metrics: series.compactMapValues(MetricStatistics.summarize))
    }

    /// Per-second rate of a counter `metric` ("source.metric") over the last `window`; a drop is
    /// treated as a reset. Nil with fewer than two samples in the window or an unknown name.
    public func calculateRate(_ metric: String, window: Duration) -> Double? {
        guard let (source, name) = split(metric) else { return nil }
        let samples = snapshots(in: window, source: source).compactMap { s in
            s.values[name].map { (time: s.time, value: $0) }
        }
        return MetricStatistics.rate(samples)
    }

    /// The newest `count` snapshots of every source in `category`, oldest first.
    public func metricsHistory(_ category: MetricCategory, count: Int) -> [MetricSnapshot] {
        let all = history.values.flatMap { $0.filter { $0.category == category } }
        return Array(all.sorted(by: Self.chronological).suffix(max(0, count)))
    }

    /// The newest `count` snapshots of the agent registered as `agentID`, oldest first.
    public func agentMetricsHistory(_ agentID: String, count: Int) -> [MetricSnapshot] {
        history[agentID].map { $0.last(count).filter { $0.category == .agents } } ?? []
    }

    // MARK: Helpers

    private static func chronological(_ a: MetricSnapshot, _ b: MetricSnapshot) -> Bool {
        a.time != b.time ? a.time < b.time : a.source < b.source
    }

    /// Snapshots at or after now − window, oldest first (all sources, or just `source`).
    private func snapshots(in window: Duration, source: String? = nil) -> [MetricSnapshot] {
        let since = now - window
        let history = self.history
        let buffers = source.map { history[$0].map { [$0] } ?? [] } ?? Array(history.values)
        return buffers.flatMap { $0.filter { $0.time >= since } }.sorted(by: Self.chronological)
    }

    /// Splits "source.metric" at the longest registered source name that prefixes it, so source
    /// names and metric names may both contain dots.
    private func split(_ qualified: String) -> (source: String, metric: String)? {
        let names = history.keys
        let match = names.filter { qualified.hasPrefix($0 + ".") }.max { $0.count < $1.count }
        return match.map { ($0, String(qualified.dropFirst($0.count + 1))) }
    }
}
