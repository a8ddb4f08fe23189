import Core
import Foundation
import Metrics
import Results

/// Finds the issues in a finished run — error bursts, latency spikes, saturation of the generator
/// or the target, dropped arrivals, target restarts — and the recommendations that follow
/// (README, *Results store and baselines*). Pure: a function of the run's metrics, its monitoring samples and its scenario.
///
/// Each detector lives in its own `Diagnostics+…` file; the lines they draw are
/// `DiagnosticThresholds`.
public enum Diagnostics {
    /// What the diagnostics read.
    public struct Input: Sendable {
        /// Everything the run measured, per second and overall.
        public var metrics: RunMetrics
        /// The scenario's load: model, levels over time, `max_in_flight`, connections, timeout.
        public var load: LoadSpec
        /// Host, generator and target samples; times from the start of the load (warmup included).
        public var monitoring: [MetricSnapshot]
        /// The target's Prometheus series per measured second (`NaN` where there was no reading).
        public var targetMetrics: [String: [Double]]
        /// Event-loop threads of the load generator: its CPU ceiling is threads × one core.
        public var generatorThreads: Int
        /// The target runs inside stress-ci's process (`builtin: demo`): the generator's CPU is shared.
        public var embeddedTarget: Bool
        /// stress-ci launched the target (`target.start`), so its output is in `target.log`.
        public var launchedTarget: Bool
        /// The wall-clock time of measured second 0, to name times people can find in other logs.
        public var measuredStart: Date?

        public init(metrics: RunMetrics, load: LoadSpec, monitoring: [MetricSnapshot] = [], targetMetrics: [String: [Double]] = [:],
                    generatorThreads: Int, embeddedTarget: Bool = false, launchedTarget: Bool = false, measuredStart: Date? = nil) {
            self.metrics = metrics
            self.load = load
            self.monitoring = monitoring
            self.targetMetrics = targetMetrics
            self.generatorThreads = max(1, generatorThreads)
            self.embeddedTarget = embeddedTarget
            self.launchedTarget = launchedTarget
            self.measuredStart = measuredStart
        }
    }

    /// Every issue in time order, and the recommendations that follow from them.
    public static func diagnose(_ input: Input) -> Diagnosis {
        let run = SecondSeries(input.metrics)
        let (bursts, connectionRestarts) = errorBursts(run)
        var issues = bursts
        issues += restarts(run, targetMetrics: input.targetMetrics, connectionLosses: connectionRestarts)
        issues += latencySpikes(run)
        issues += droppedArrivals(run, load: input.load)
        let generator = generatorSaturation(input, run: run)
        issues += generator
        issues += targetSaturation(run, load: input.load, generatorSaturated: !generator.isEmpty)
        let ordered = issues.enumerated().sorted { a, b in
            (a.element.evidence.fromS, a.offset) < (b.element.evidence.fromS, b.offset)
        }.map(\.element)
        return Diagnosis(issues: ordered, recommendations: recommendations(for: ordered, input: input))
    }
}

/// The measured seconds as a dense series (a second nothing finished in is idle, not missing).
struct SecondSeries {
    /// Index = measured second.
    let seconds: [WindowStats]
    /// Fraction of each second inside the measured window (1 except a partial last one).
    let fractions: [Double]
    let measuredEnd: Double
    let warmup: Double

    private static let idle = WindowStats(counters: Counters(), latency: .empty, service: .empty)

    init(_ metrics: RunMetrics) {
        measuredEnd = metrics.measuredDuration.seconds
        warmup = Double(metrics.layout.warmup) / 1e9
        let last = max(Int(measuredEnd.rounded(.up)), (metrics.seconds.map(\.second).max() ?? -1) + 1)
        var dense = [WindowStats](repeating: Self.idle, count: max(0, last))
        for s in metrics.seconds where s.second >= 0 && s.second < dense.count { dense[s.second] = s.overall }
        seconds = dense
        fractions = dense.indices.map { min(1, max(0, metrics.measuredDuration.seconds - Double($0))) }
    }

    var count: Int { seconds.count }
    var indices: Range<Int> { seconds.indices }
    subscript(_ t: Int) -> WindowStats { seconds[t] }

    /// Totals over a range of seconds.
    func counters(_ range: Range<Int>) -> Counters {
        var out = Counters()
        for t in range where seconds.indices.contains(t) { out += seconds[t].counters }
        return out
    }
}

extension Diagnostics {
    /// The lower median: robust to bad values in up to half of the set. Nil when empty.
    static func lowerMedian(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.sorted()[(values.count - 1) / 2]
    }

    /// Consecutive seconds for which `hot` holds, as ranges.
    static func runs(in range: Range<Int>, where hot: (Int) -> Bool) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start: Int?
        for t in range {
            if hot(t) {
                if start == nil { start = t }
            } else if let s = start {
                out.append(s..<t)
                start = nil
            }
        }
        if let s = start { out.append(s..<range.upperBound) }
        return out
    }

    /// `at 00:12` for one second, `from 00:12 to 00:15` for more.
    static func window(_ r: Range<Int>) -> String {
        r.count == 1 ? "at \(CriterionFormat.clock(r.lowerBound))" : "from \(CriterionFormat.clock(r.lowerBound)) to \(CriterionFormat.clock(r.upperBound))"
    }

    /// `3.1%`.
    static func percent(_ fraction: Double) -> String { "\(Units.formatNumber(fraction * 100))%" }

    /// `12.3ms`.
    static func duration(_ d: Duration) -> String { Units.formatDuration(d) }
}
