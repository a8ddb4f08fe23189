import Core

/// Everything measured in a run, merged from every event loop's recorder: the single source that
/// criteria, reports and comparisons read.
public struct RunMetrics: Sendable {
    public var layout: MetricsLayout
    /// [request][stage]
    public var cells: [[CellStats]]
    /// One entry per measured second, in order.
    public var seconds: [SecondStats]
    /// Schedule → send lag (open model).
    public var sendLag: LatencyHistogram
    /// The measured window (warmup and paused time excluded).
    public var measuredDuration: Duration

    public init(layout: MetricsLayout, cells: [[CellStats]], seconds: [SecondStats], sendLag: LatencyHistogram, measuredDuration: Duration) {
        self.layout = layout
        self.cells = cells
        self.seconds = seconds
        self.sendLag = sendLag
        self.measuredDuration = measuredDuration
    }

    /// Merges recorders' snapshots. `seconds` are the already-reduced per-second statistics;
    /// any seconds still open in the snapshots are reduced here (with in-flight 0).
    public static func merge(layout: MetricsLayout, snapshots: [RecorderSnapshot], seconds: [SecondStats], measuredDuration: Duration) -> RunMetrics {
        var cells = layout.requestNames.map { _ in layout.stages.map { _ in CellStats() } }
        var sendLag = LatencyHistogram()
        var open: [Int: SecondBucket] = [:]
        for snap in snapshots {
            for r in cells.indices { for s in cells[r].indices { cells[r][s] += snap.cells[r][s] } }
            sendLag.add(snap.sendLag)
            for b in snap.seconds { open[b.second, default: SecondBucket(second: b.second, requests: layout.requestNames.count)].add(b) }
        }
        var all = seconds
        let known = Set(seconds.map(\.second))
        let measuredSeconds = Int((measuredDuration.seconds).rounded(.up))
        for (second, bucket) in open where !known.contains(second) && second < max(measuredSeconds, 1) {
            all.append(bucket.stats(percentiles: layout.percentiles, inFlight: 0).withoutHistograms)
        }
        all.sort { $0.second < $1.second }
        return RunMetrics(layout: layout, cells: cells, seconds: all, sendLag: sendLag, measuredDuration: measuredDuration)
    }

    /// The sum over the given request and stage (nil = all).
    public func cell(request: Int? = nil, stage: Int? = nil) -> CellStats {
        var out = CellStats()
        for r in cells.indices where request == nil || request == r {
            for s in cells[r].indices where stage == nil || stage == s { out += cells[r][s] }
        }
        return out
    }

    /// The index of a request name.
    public func requestIndex(_ name: String) -> Int? { layout.requestNames.firstIndex(of: name) }
    /// The index of a stage name.
    public func stageIndex(_ name: String) -> Int? { layout.stages.firstIndex { $0.name == name } }

    /// How long a stage lasted inside the measured window (warmup cut off).
    public func measuredDuration(ofStage i: Int) -> Duration {
        let s = layout.stages[i]
        let start = max(s.start, layout.warmup)
        let measuredEnd = layout.warmup + measuredDuration.nanoseconds
        let end = min(s.end, measuredEnd)
        return .nanoseconds(max(0, end - start))
    }

    /// Measured seconds (0-based) that overlap a stage.
    public func seconds(inStage i: Int) -> [SecondStats] {
        let s = layout.stages[i]
        let first = Int((max(s.start, layout.warmup) - layout.warmup) / 1_000_000_000)
        let endNanos = s.end == .max ? Int64.max : s.end - layout.warmup
        return seconds.filter { $0.second >= first && (endNanos == .max || Int64($0.second) * 1_000_000_000 < endNanos) }
    }
}
