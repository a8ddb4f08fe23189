import Metrics

/// The current run's measured seconds so far, summed (README, *Live control and dashboard*):
/// counters, and the seconds' own latency and send-lag histograms merged, so whole-run
/// percentiles are true percentiles of every response so far — at the per-second histograms'
/// precision (2 significant digits, within 1%), not averages of per-second percentiles.
struct LiveTotals: Sendable {
    /// Measured seconds summed.
    private(set) var seconds = 0
    /// The newest second summed (0-based), -1 before the first.
    private(set) var lastIndex = -1
    private(set) var counters = Counters()
    /// Finished requests per request name, in the scenario's order.
    private(set) var perRequest: [Int]
    private(set) var latency = LatencyHistogram(digits: .two)
    private(set) var sendLag = LatencyHistogram(digits: .two)
    /// The newest second, with its in-flight count.
    private(set) var last: SecondStats?

    init(requests: Int) {
        perRequest = [Int](repeating: 0, count: requests)
    }

    /// Adds a measured second once (a second seen again is ignored).
    mutating func add(_ second: SecondStats) {
        guard second.second > lastIndex else { return }
        lastIndex = second.second
        seconds += 1
        counters += second.overall.counters
        for (i, window) in second.perRequest.enumerated() where i < perRequest.count {
            perRequest[i] += window.counters.requests
        }
        if let histograms = second.histograms {
            latency.add(histograms.latency)
            sendLag.add(histograms.sendLag)
        }
        last = second.withoutHistograms
    }
}
