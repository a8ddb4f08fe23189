/// The statistics of one slice of a window: counters and latency summaries.
public struct WindowStats: Sendable, Hashable, Codable {
    public var counters: Counters
    public var latency: LatencySummary
    public var service: LatencySummary

    public init(counters: Counters, latency: LatencySummary, service: LatencySummary) {
        self.counters = counters
        self.latency = latency
        self.service = service
    }

    public init(_ cell: CellStats, percentiles: [Double]) {
        self.init(counters: cell.counters, latency: cell.latency.summary(percentiles: percentiles), service: cell.service.summary(percentiles: percentiles))
    }
}

/// One measured second of the run (README, *What is measured*): throughput, errors by class, percentiles, in-flight, drops, bytes.
public struct SecondStats: Sendable, Hashable, Codable {
    /// 0-based, from the end of warmup.
    public var second: Int
    public var overall: WindowStats
    /// In the order of the scenario's requests.
    public var perRequest: [WindowStats]
    /// Requests outstanding when the second closed.
    public var inFlight: Int

    public init(second: Int, overall: WindowStats, perRequest: [WindowStats], inFlight: Int) {
        self.second = second
        self.overall = overall
        self.perRequest = perRequest
        self.inFlight = inFlight
    }
}
