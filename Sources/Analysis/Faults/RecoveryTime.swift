import Core
import Metrics

/// How long the service took to come back after a fault (README, *Failure injection*: recovery).
///
/// The pre-fault level is read from the measured seconds that end before the fault begins (the
/// last 30 at most): for the error rate and for p95 latency, the seconds' mean plus a noise band
/// of three standard deviations, never narrower than 1 percentage point for the error rate and
/// never narrower than 25% of the mean or 2 ms for p95. The service has recovered at the first
/// second ending after the fault whose error rate and p95 are both within that level, and whose
/// next second is too (a lone good second is not a recovery; the run's last second needs no
/// successor). `recovery_time` is from the fault's end to the start of that second (0 when it
/// began inside the fault). Without a pre-fault second (a fault during warmup) only the error
/// rate is judged, against 1%. A fault that never recovers before the run ends has no time.
public enum RecoveryTime {
    /// The outcome for one fault.
    public struct Measurement: Sendable, Hashable {
        /// Seconds from the fault's end until recovery; nil when it never recovered.
        public var seconds: Double?
        /// The pre-fault error-rate level (fraction) the seconds after were held to.
        public var errorRateLevel: Double
        /// The pre-fault p95 level, when there were pre-fault seconds with responses.
        public var p95Level: Duration?
        /// How many pre-fault seconds the levels come from.
        public var referenceSeconds: Int
    }

    /// Seconds of reference before a fault, at most.
    static let maxReferenceSeconds = 30
    /// The narrowest error-rate band: 1 percentage point.
    static let minErrorBand = 0.01
    /// The narrowest p95 band: 25% of the level, or 2 ms.
    static let minP95BandFraction = 0.25
    static let minP95Band = Duration.milliseconds(2)

    /// Measures `fault` against the run's per-second series.
    public static func measure(_ fault: FaultWindow, in metrics: RunMetrics) -> Measurement {
        let warmup = Duration.nanoseconds(metrics.layout.warmup)
        let bySecond = Dictionary(metrics.seconds.map { ($0.second, $0.overall) }, uniquingKeysWith: { first, _ in first })
        let measuredSeconds = Int(metrics.measuredDuration.seconds.rounded(.up))
        // Second k covers [warmup + k, warmup + k + 1) on the scenario clock.
        func start(_ k: Int) -> Duration { warmup + .seconds(k) }

        let before = (0..<measuredSeconds).filter { start($0 + 1) <= fault.start }.suffix(maxReferenceSeconds)
        let reference = before.compactMap { bySecond[$0] }.filter { $0.counters.requests > 0 }
        let errorRates = reference.map(\.counters.errorRate)
        let p95s = reference.compactMap { $0.latency.count > 0 ? $0.latency.value(atPercentile: 95) : nil }.map(\.seconds)
        let S = RobustStatistics.self
        let errorLevel = S.mean(errorRates).map { $0 + max(3 * S.standardDeviation(errorRates), minErrorBand) } ?? minErrorBand
        let p95Level: Duration? = S.mean(p95s).map { m in
            .seconds(m + max(3 * S.standardDeviation(p95s), m * minP95BandFraction, minP95Band.seconds))
        }

        func within(_ k: Int) -> Bool {
            guard let s = bySecond[k], s.counters.requests > 0 else { return false }
            if s.counters.errorRate > errorLevel { return false }
            guard let p95Level else { return true }
            guard s.latency.count > 0, let p95 = s.latency.value(atPercentile: 95) else { return false }
            return p95 <= p95Level
        }
        var seconds: Double?
        for k in 0..<measuredSeconds where start(k + 1) > fault.end {
            guard within(k), k + 1 >= measuredSeconds || within(k + 1) else { continue }
            seconds = max(.zero, start(k) - fault.end).seconds
            break
        }
        return Measurement(seconds: seconds, errorRateLevel: errorLevel, p95Level: p95Level, referenceSeconds: reference.count)
    }
}
