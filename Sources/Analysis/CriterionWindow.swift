import Core
import Metrics

/// The slice of a run one criterion reads: totals, run-level histograms when known, and the
/// per-second series over a range of measured seconds.
struct CriterionWindow {
    /// Where the numbers come from, for evidence: "in the measured 60s", "during peak (20s measured)".
    var phrase: String
    /// Totals over the window (of one request name when the criterion filters by request).
    var counters: Counters
    /// Run-level histograms; nil when only the per-second series is known (live checks).
    var latency: LatencyHistogram?
    var service: LatencyHistogram?
    /// Measured seconds the window covers: throughput's denominator.
    var duration: Double
    /// The measured seconds (0-based, from the end of warmup) the window covers.
    var range: Range<Int>
    /// The per-second series by second; a second missing here had no activity.
    var seconds: [Int: SecondStats]
    /// Where measurement ends, in seconds from its start: the last second may be partial.
    var measuredEnd: Double
    /// The request the criterion filters on, as an index into the layout's names.
    var request: Int?

    private static let idle = WindowStats(counters: Counters(), latency: .empty, service: .empty)

    /// One second's statistics for the criterion's request filter; an idle second if none were recorded.
    func stats(at second: Int) -> WindowStats {
        guard let s = seconds[second] else { return Self.idle }
        guard let request else { return s.overall }
        return s.perRequest.indices.contains(request) ? s.perRequest[request] : Self.idle
    }

    /// How much of a second lies inside the measured run (1 except for a partial last second).
    func fraction(of second: Int) -> Double {
        min(1, max(0, measuredEnd - Double(second)))
    }

    /// The measured seconds that overlap a stage (nil = the whole run), below `upper`.
    ///
    /// Agrees with `RunMetrics.seconds(inStage:)`: a second belongs to a stage when it overlaps it.
    static func secondRange(layout: MetricsLayout, stage: Int?, upper: Int) -> Range<Int> {
        guard let stage, layout.stages.indices.contains(stage) else { return 0..<max(0, upper) }
        let s = layout.stages[stage]
        let nanosPerSecond: Int64 = 1_000_000_000
        let lower = Int((max(s.start, layout.warmup) - layout.warmup) / nanosPerSecond)
        var end = upper
        if s.end != .max {
            let endNanos = s.end - layout.warmup
            let stageEnd = endNanos <= 0 ? 0 : Int((endNanos + nanosPerSecond - 1) / nanosPerSecond)
            end = min(end, stageEnd)
        }
        return lower..<max(lower, end)
    }

    /// The series indexed by second.
    static func index(_ seconds: [SecondStats]) -> [Int: SecondStats] {
        Dictionary(seconds.map { ($0.second, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
