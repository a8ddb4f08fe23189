import Core
import Metrics
import Results

extension Diagnostics {
    /// The percentile spikes are judged on.
    static let spikePercentile = 99.0

    /// Seconds whose p99 stands far above the usual second's (the lower median of the per-second
    /// p99 over seconds with at least `spikeMinimumSamples` responses), grouped into windows.
    static func latencySpikes(_ run: SecondSeries) -> [RunIssue] {
        let T = DiagnosticThresholds.self
        let tail: [Int: Duration] = Dictionary(uniqueKeysWithValues: run.indices.compactMap { t in
            let l = run[t].latency
            guard l.count >= UInt64(T.spikeMinimumSamples), let v = l.value(atPercentile: spikePercentile) else { return nil }
            return (t, v)
        })
        guard let usualSeconds = lowerMedian(tail.values.map(\.seconds)) else { return [] }
        let usual = Duration.nanoseconds(Int64((usualSeconds * 1e9).rounded()))
        let threshold = max(usual * T.spikeFactor, usual + T.spikeMinimumIncrease)
        let windows = runs(in: run.indices) { tail[$0].map { $0 >= threshold } ?? false }
        return windows.map { w in
            let (peakSecond, peak) = w.compactMap { t in tail[t].map { (t, $0) } }.max { $0.1 < $1.1 }!
            let factor = usual > .zero ? peak / usual : .infinity
            let critical = factor >= T.spikeCriticalFactor
            return RunIssue(
                kind: .latencySpike, severity: critical ? .critical : .warning,
                summary: "Latency spike \(window(w)): p99 reached \(duration(peak))\(w.count > 1 ? " at \(CriterionFormat.clock(peakSecond))" : ""), against \(duration(usual)) in a usual second.",
                evidence: .init(fromS: Double(w.lowerBound), toS: Double(w.upperBound), metric: "p99_latency", value: peak.milliseconds, unit: .milliseconds,
                                threshold: threshold.milliseconds, reference: usual.milliseconds,
                                detail: factor.isFinite ? "\(Units.formatNumber(factor))× the usual p99" : nil))
        }
    }
}
