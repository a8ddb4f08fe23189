/// Records request outcomes for one event loop. Not thread-safe by design: each event loop owns
/// one, so the hot path takes no lock; recorders are merged when the run ends (README, *What is measured*).
public final class MetricsRecorder {
    public let layout: MetricsLayout
    /// [request][stage]
    // The recorder belongs to one event loop and its accesses never overlap: the hot path skips
    // the runtime's dynamic exclusivity checks on these.
    @exclusivity(unchecked) private var cells: [[CellStats]]
    /// Open seconds, oldest first, until `drainSeconds(before:)` takes them.
    @exclusivity(unchecked) private var open: [SecondBucket] = []
    /// Schedule → actual send, open model.
    @exclusivity(unchecked) public private(set) var sendLag = LatencyHistogram()

    public init(layout: MetricsLayout) {
        self.layout = layout
        cells = layout.requestNames.map { _ in layout.stages.map { _ in CellStats() } }
    }

    /// Records a finished request. Times are nanoseconds on the scenario clock.
    /// - Parameters:
    ///   - status: the response status, or 0 when there was no response.
    ///   - sentAt: when the request was actually written (nil when it never was, e.g. connect failed).
    @inline(__always)
    public func record(request: Int, scheduledAt: Int64, sentAt: Int64?, finishedAt: Int64, status: Int, error: ErrorClass?, bytesIn: Int, bytesOut: Int) {
        guard scheduledAt >= layout.warmup else { return }
        let stage = layout.stageIndex(at: scheduledAt)
        let hasResponse = status > 0
        cells[request][stage].counters.count(status: status, error: error, bytesIn: bytesIn, bytesOut: bytesOut)
        if hasResponse {
            cells[request][stage].latency.record(nanoseconds: finishedAt - scheduledAt)
            if let sentAt { cells[request][stage].service.record(nanoseconds: finishedAt - sentAt) }
        }
        let bucket = bucketIndex(second: layout.secondIndex(at: finishedAt))
        open[bucket].cells[request].counters.count(status: status, error: error, bytesIn: bytesIn, bytesOut: bytesOut)
        if hasResponse {
            open[bucket].cells[request].latency.record(nanoseconds: finishedAt - scheduledAt)
            if let sentAt { open[bucket].cells[request].service.record(nanoseconds: finishedAt - sentAt) }
        }
    }

    /// Records the lag from an arrival's schedule to its actual send (open model).
    @inline(__always)
    public func recordSendLag(scheduledAt: Int64, sentAt: Int64) {
        guard scheduledAt >= layout.warmup else { return }
        sendLag.record(nanoseconds: sentAt - scheduledAt)
        open[bucketIndex(second: layout.secondIndex(at: sentAt))].sendLag.record(nanoseconds: sentAt - scheduledAt)
    }

    /// Records an arrival dropped because too many requests were outstanding.
    public func recordDropped(request: Int, scheduledAt: Int64) {
        guard scheduledAt >= layout.warmup else { return }
        cells[request][layout.stageIndex(at: scheduledAt)].counters.dropped += 1
        open[bucketIndex(second: layout.secondIndex(at: scheduledAt))].cells[request].counters.dropped += 1
    }

    /// Hands over the per-second buckets of every second before `second`.
    public func drainSeconds(before second: Int) -> [SecondBucket] {
        let n = open.prefix { $0.second < second }.count
        let out = Array(open.prefix(n))
        open.removeFirst(n)
        return out
    }

    /// The run-level statistics recorded so far, and every open second.
    public func snapshot() -> RecorderSnapshot {
        RecorderSnapshot(cells: cells, seconds: open, sendLag: sendLag)
    }

    @inline(__always)
    private func bucketIndex(second: Int) -> Int {
        // Records arrive in nearly increasing time order, so the bucket is almost always the last.
        if let last = open.last {
            if last.second == second { return open.count - 1 }
            if second > last.second {
                for s in (last.second + 1)...second { open.append(SecondBucket(second: s, requests: layout.requestNames.count)) }
                return open.count - 1
            }
            if let i = open.lastIndex(where: { $0.second == second }) { return i }
            // Older than anything still open (already drained): file it with the oldest open second.
            return 0
        }
        open.append(SecondBucket(second: second, requests: layout.requestNames.count))
        return 0
    }
}

/// A recorder's state, handed from its event loop to whoever merges.
public struct RecorderSnapshot: Sendable {
    public var cells: [[CellStats]]
    public var seconds: [SecondBucket]
    public var sendLag: LatencyHistogram
}

/// One measured second's histograms and counters, per request name.
public struct SecondBucket: Sendable {
    public var second: Int
    public var cells: [CellStats]
    /// Schedule → send lag of the requests sent in this second (open model).
    public var sendLag = LatencyHistogram(digits: .two)

    public init(second: Int, requests: Int) {
        self.second = second
        cells = (0..<requests).map { _ in CellStats(digits: .two) }
    }

    public mutating func add(_ other: SecondBucket) {
        for i in cells.indices { cells[i] += other.cells[i] }
        sendLag.add(other.sendLag)
    }

    /// Reduces the histograms to the statistics the series keeps; the second's overall latency
    /// and send-lag histograms ride along in `histograms` for the live callback.
    public func stats(percentiles: [Double], inFlight: Int) -> SecondStats {
        var total = CellStats(digits: .two)
        for c in cells { total += c }
        return SecondStats(
            second: second,
            overall: WindowStats(total, percentiles: percentiles),
            perRequest: cells.map { WindowStats($0, percentiles: percentiles) },
            inFlight: inFlight,
            sendLag: sendLag.summary(percentiles: percentiles),
            histograms: SecondHistograms(latency: total.latency, sendLag: sendLag)
        )
    }
}
