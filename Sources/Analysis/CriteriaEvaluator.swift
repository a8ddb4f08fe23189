import Core
import Metrics

/// Judges success criteria (README, *Scenario file*) against what a run measured (README, *What is measured*).
///
/// - Window: a criterion without a stage reads the whole measured run; with a stage, that stage's
///   cells, its measured duration and the measured seconds that overlap it.
/// - Latency and service time come from the window's summed histograms, never from averaged
///   percentiles.
/// - Throughput is finished requests (or responses of a status class) per measured second of the
///   window; error rate is errors (or responses of a status class) per finished request.
/// - A sustained criterion reads the per-second series and fails only when consecutive seconds
///   breach the limit for at least its duration, rounded up to whole seconds.
/// - A criterion that matched nothing fails with status `noData`: nothing to judge never passes.
public enum CriteriaEvaluator {
    /// Judges every criterion against a finished run's metrics, in order.
    /// - Parameters:
    ///   - prom: per-second values scraped from the target, for `prom:` criteria.
    ///   - faults: when the faults were in force, for `recovery_time`.
    public static func evaluate(_ criteria: [CriterionSpec], metrics: RunMetrics, prom: PromSeries? = nil, faults: [FaultWindow] = []) -> [CriterionResult] {
        criteria.map { evaluate($0, metrics: metrics, prom: prom, faults: faults) }
    }

    /// Judges one criterion against a finished run's metrics.
    public static func evaluate(_ criterion: CriterionSpec, metrics: RunMetrics, prom: PromSeries? = nil, faults: [FaultWindow] = []) -> CriterionResult {
        let expression = criterion.expression
        let selector = expression.selector
        switch selector.metric {
        case .recoveryTime:
            return evaluateRecovery(criterion, metrics: metrics, faults: faults)
        case .prom(let name):
            return evaluateProm(criterion, name: name, prom: prom, layout: metrics.layout, measuredDuration: metrics.measuredDuration)
        case .latency, .serviceTime, .throughput, .errorRate, .errors, .dropped:
            break
        }

        var request: Int?
        if let name = selector.filter.request {
            guard let index = metrics.requestIndex(name) else {
                return result(criterion, .noData, measured: nil, evidence: "no requests matched: the scenario has no request named \(name)")
            }
            request = index
        }
        var stage: Int?
        if let name = expression.during {
            guard let index = metrics.stageIndex(name) else {
                return result(criterion, .noData, measured: nil, evidence: "no requests matched: the run has no stage named \(name)")
            }
            stage = index
        }

        let duration = stage.map { metrics.measuredDuration(ofStage: $0) } ?? metrics.measuredDuration
        guard duration > .zero else {
            let where_ = expression.during.map { "stage \($0) had" } ?? "the run had"
            return result(criterion, .noData, measured: nil, evidence: "no requests matched: \(where_) no measured time")
        }
        let measuredEnd = metrics.measuredDuration.seconds
        let cell = metrics.cell(request: request, stage: stage)
        let range = CriterionWindow.secondRange(layout: metrics.layout, stage: stage, upper: Int(measuredEnd.rounded(.up)))
        let phrase = expression.during.map { "during \($0) (\(Units.formatDuration(duration)) measured)" }
            ?? "in the measured \(Units.formatDuration(duration))"
        let window = CriterionWindow(
            phrase: phrase, counters: cell.counters, latency: cell.latency, service: cell.service,
            duration: duration.seconds, range: range,
            seconds: CriterionWindow.index(metrics.seconds.filter { range.contains($0.second) }),
            measuredEnd: measuredEnd, request: request
        )

        if let reason = emptiness(selector, in: window) {
            return result(criterion, .noData, measured: nil, evidence: reason)
        }
        if let sustained = expression.sustained {
            return evaluateSustained(criterion, window: window, required: requiredSeconds(sustained))
        }
        switch selector.metric {
        case .latency, .serviceTime:
            return evaluateHistogram(criterion, window: window)
        default:
            return judged(criterion, countReading(selector, in: window, request: selector.filter.request))
        }
    }

    /// The percentiles the per-second series must keep so that every sustained (`for`) and
    /// live (abort) latency criterion can be judged from it; the orchestrator adds them to the
    /// metrics layout. Sorted, without duplicates.
    public static func percentilesNeeded(by criteria: [CriterionSpec]) -> [Double] {
        var needed = Set<Double>()
        for criterion in criteria where criterion.expression.sustained != nil || criterion.abort {
            let selector = criterion.expression.selector
            guard selector.metric == .latency || selector.metric == .serviceTime,
                  case .percentile(let p) = selector.aggregate else { continue }
            needed.insert(p)
        }
        return needed.sorted()
    }

    /// Whole seconds a sustained breach must last: the duration rounded up, at least one.
    static func requiredSeconds(_ sustained: Duration) -> Int {
        max(1, Int(sustained.seconds.rounded(.up)))
    }

    /// A latency or service-time criterion over the window's summed histogram.
    private static func evaluateHistogram(_ criterion: CriterionSpec, window: CriterionWindow) -> CriterionResult {
        let selector = criterion.expression.selector
        guard let histogram = selector.metric == .latency ? window.latency : window.service else {
            return result(criterion, .noData, measured: nil, evidence: "no histogram for the window")
        }
        let value: Duration
        switch selector.aggregate {
        case .percentile(let p): value = histogram.value(atPercentile: p)
        case .avg: value = histogram.mean
        case .min: value = histogram.min
        case .max: value = histogram.max
        case .value:
            return result(criterion, .noData, measured: nil, evidence: "\(selector) needs a function such as p95 or avg")
        }
        let responses = CriterionFormat.noun("responses", request: selector.filter.request)
        let evidence = "\(CriterionFormat.function(selector.aggregate)) over \(CriterionFormat.count(histogram.count)) \(responses) \(window.phrase)"
        return judged(criterion, .value(value.seconds, evidence: evidence))
    }

    // MARK: Results

    /// A result whose status follows from comparing the measured value with the limit.
    static func judged(_ criterion: CriterionSpec, _ reading: WindowReading) -> CriterionResult {
        switch reading {
        case .noData(let reason):
            return result(criterion, .noData, measured: nil, evidence: reason)
        case .value(let v, let evidence):
            let expression = criterion.expression
            let holds = expression.comparison.holds(v, expression.threshold.value)
            return result(criterion, holds ? .pass : .fail, measured: v, evidence: evidence)
        }
    }

    static func result(_ criterion: CriterionSpec, _ status: CriterionResult.Status, measured: Double?, evidence: String) -> CriterionResult {
        let expression = criterion.expression
        return CriterionResult(
            source: criterion.source, expression: expression.description, status: status, measured: measured,
            measuredText: measured.map { CriterionFormat.value($0, of: expression.selector.metric) } ?? "–",
            limitText: CriterionFormat.limit(expression), evidence: evidence
        )
    }
}
