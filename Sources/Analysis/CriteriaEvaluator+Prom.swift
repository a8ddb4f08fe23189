import Core
import Metrics

extension CriteriaEvaluator {
    /// A `prom:NAME` criterion over the scraped per-second samples of the window.
    ///
    /// `value` is the last sample, `avg`/`min`/`max` aggregate every sample, a percentile takes
    /// the nearest rank; a sustained criterion reads the samples as its per-second series.
    static func evaluateProm(_ criterion: CriterionSpec, name: String, prom: PromSeries?, layout: MetricsLayout, measuredDuration: Duration) -> CriterionResult {
        let expression = criterion.expression
        guard let all = prom?.samples[name], !all.isEmpty else {
            return result(criterion, .noData, measured: nil, evidence: "no samples of prom:\(name) were scraped")
        }
        var stage: Int?
        if let during = expression.during {
            guard let index = layout.stages.firstIndex(where: { $0.name == during }) else {
                return result(criterion, .noData, measured: nil, evidence: "no samples matched: the run has no stage named \(during)")
            }
            stage = index
        }
        let measuredSeconds = Int(measuredDuration.seconds.rounded(.up))
        let range = CriterionWindow.secondRange(layout: layout, stage: stage, upper: min(all.count, measuredSeconds))
        let phrase = expression.during.map { "during \($0)" } ?? "in the measured \(Units.formatDuration(measuredDuration))"
        let window = range.map { (second: $0, value: all[$0].isNaN ? nil : Optional(all[$0])) }
        let present = window.compactMap(\.value)
        guard let last = present.last else {
            return result(criterion, .noData, measured: nil, evidence: "no samples of prom:\(name) \(phrase)")
        }
        if let sustained = expression.sustained {
            return sustainedResult(criterion, values: window, required: requiredSeconds(sustained), phrase: phrase)
        }
        let samples = "\(CriterionFormat.count(present.count)) per-second samples \(phrase)"
        let reading: WindowReading
        switch expression.selector.aggregate {
        case .value: reading = .value(last, evidence: "last of \(samples)")
        case .avg: reading = .value(present.reduce(0, +) / Double(present.count), evidence: "mean of \(samples)")
        case .min: reading = .value(present.min() ?? last, evidence: "min of \(samples)")
        case .max: reading = .value(present.max() ?? last, evidence: "max of \(samples)")
        case .percentile(let p):
            let sorted = present.sorted()
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            reading = .value(sorted[min(max(rank, 1), sorted.count) - 1], evidence: "p\(Units.formatNumber(p)) of \(samples)")
        }
        return judged(criterion, reading)
    }
}
