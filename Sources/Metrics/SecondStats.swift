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
    /// Schedule → actual send of the requests sent in this second (open model; empty otherwise).
    public var sendLag: LatencySummary
    /// The second's own histograms, handed to the live per-second callback only so a live view can
    /// sum them into whole-run percentiles (README, *Live control and dashboard*); never kept in
    /// the run's series (`withoutHistograms`), never encoded, not part of equality.
    public var histograms: SecondHistograms?

    public init(second: Int, overall: WindowStats, perRequest: [WindowStats], inFlight: Int, sendLag: LatencySummary = .empty,
                histograms: SecondHistograms? = nil) {
        self.second = second
        self.overall = overall
        self.perRequest = perRequest
        self.inFlight = inFlight
        self.sendLag = sendLag
        self.histograms = histograms
    }

    /// The same second without its histograms, as the run's series keeps it (memory does not grow with run length).
    public var withoutHistograms: SecondStats {
        var copy = self
        copy.histograms = nil
        return copy
    }

    private enum CodingKeys: String, CodingKey {
        case second, overall, perRequest, inFlight, sendLag
    }

    public static func == (a: SecondStats, b: SecondStats) -> Bool {
        a.second == b.second && a.overall == b.overall && a.perRequest == b.perRequest && a.inFlight == b.inFlight
            && a.sendLag == b.sendLag
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(second)
        hasher.combine(overall)
        hasher.combine(perRequest)
        hasher.combine(inFlight)
        hasher.combine(sendLag)
    }
}

/// One second's latency (all requests) and send-lag histograms, 2 significant digits.
public struct SecondHistograms: Sendable {
    public var latency: LatencyHistogram
    public var sendLag: LatencyHistogram

    public init(latency: LatencyHistogram, sendLag: LatencyHistogram) {
        self.latency = latency
        self.sendLag = sendLag
    }
}
