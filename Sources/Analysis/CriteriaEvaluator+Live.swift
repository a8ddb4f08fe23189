import Core
import Metrics

extension CriteriaEvaluator {
    /// How many of the most recent seconds a live latency check without `for` looks at.
    static let liveLatencySeconds = 5

    /// Judges an abort criterion while the run is going, from the complete measured seconds so far.
    ///
    /// Returns nil while the criterion cannot be decided yet: before its `after`, before its
    /// window (a stage) has begun, before a sustained window has `for` seconds to look at, or
    /// while nothing has matched. `prom:` and `recovery_time` criteria are never decided live.
    ///
    /// Counts (throughput, error rate, errors, drops) are summed over every second of the window
    /// so far. Latency without `for` is the worst per-second value of the last five seconds
    /// (the highest for an upper limit, the lowest for a lower one): per-second percentiles
    /// can't be merged, and an abort should answer to what the target does now.
    ///
    /// - Parameters:
    ///   - seconds: the complete measured seconds so far, as drained from the recorders.
    ///   - layout: the run's layout (stage windows, warmup, kept percentiles).
    ///   - elapsed: how much of the run has passed, compared with the criterion's `after`.
    public static func evaluateLive(_ criterion: CriterionSpec, seconds: [SecondStats], layout: MetricsLayout, elapsed: Duration) -> CriterionResult? {
        if let after = criterion.after, elapsed < after { return nil }
        let expression = criterion.expression
        let selector = expression.selector
        switch selector.metric {
        case .recoveryTime, .prom: return nil
        case .latency, .serviceTime, .throughput, .errorRate, .errors, .dropped: break
        }

        var request: Int?
        if let name = selector.filter.request {
            guard let index = layout.requestNames.firstIndex(of: name) else {
                return result(criterion, .noData, measured: nil, evidence: "no requests matched: the scenario has no request named \(name)")
            }
            request = index
        }
        var stage: Int?
        if let name = expression.during {
            guard let index = layout.stages.firstIndex(where: { $0.name == name }) else {
                return result(criterion, .noData, measured: nil, evidence: "no requests matched: the run has no stage named \(name)")
            }
            stage = index
        }

        let observedEnd = (seconds.map(\.second).max() ?? -1) + 1
        let range = CriterionWindow.secondRange(layout: layout, stage: stage, upper: observedEnd)
        guard !range.isEmpty else { return nil }
        let so = CriterionFormat.seconds(range.count)
        var window = CriterionWindow(
            phrase: expression.during.map { "in the first \(so) of \($0)" } ?? "in the first \(so) measured",
            counters: Counters(), latency: nil, service: nil, duration: Double(range.count), range: range,
            seconds: CriterionWindow.index(seconds.filter { range.contains($0.second) }),
            measuredEnd: Double(range.upperBound), request: request
        )
        for second in range { window.counters += window.stats(at: second).counters }
        guard emptiness(selector, in: window) == nil else { return nil }

        if let sustained = expression.sustained {
            let required = requiredSeconds(sustained)
            guard range.count >= required else { return nil }
            let result = evaluateSustained(criterion, window: window, required: required)
            // A series that can't answer (a percentile not kept) is the orchestrator's omission; don't abort on it.
            return result.status == .noData ? nil : result
        }
        switch selector.metric {
        case .latency, .serviceTime:
            return liveLatency(criterion, window: window)
        default:
            return judged(criterion, countReading(selector, in: window, request: selector.filter.request))
        }
    }

    /// The worst per-second latency value of the last seconds of the window, or nil when none had responses.
    private static func liveLatency(_ criterion: CriterionSpec, window: CriterionWindow) -> CriterionResult? {
        let expression = criterion.expression
        let recent = max(window.range.lowerBound, window.range.upperBound - liveLatencySeconds)..<window.range.upperBound
        var worst: Double?
        for second in recent {
            switch reading(expression.selector, window.stats(at: second), fraction: 1) {
            case .value(let v):
                if worst.map({ isWorse(v, than: $0, expression.comparison) }) ?? true { worst = v }
            case .idle: continue
            case .unavailable: return nil
            }
        }
        guard let worst else { return nil }
        let evidence = "worst per-second \(CriterionFormat.function(expression.selector.aggregate)) of the last \(CriterionFormat.seconds(recent.count)) (\(CriterionFormat.clock(recent.lowerBound)) to \(CriterionFormat.clock(recent.upperBound)))"
        return judged(criterion, .value(worst, evidence: evidence))
    }
}
