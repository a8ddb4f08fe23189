import Core
import Metrics

extension CriteriaEvaluator {
    /// A run of consecutive breaching seconds.
    struct BreachRun: Equatable {
        var start: Int
        var length: Int
    }

    /// The longest run of consecutive breaching values (the first, on a tie) and the worst value,
    /// in a series where nil is a second with nothing to judge.
    static func longestBreach(_ values: [(second: Int, value: Double?)], _ comparison: CriterionExpression.Comparison, limit: Double) -> (longest: BreachRun?, worst: Double?) {
        var longest: BreachRun?
        var current: BreachRun?
        var worst: Double?
        for (second, value) in values {
            guard let value, !value.isNaN else {
                current = nil
                continue
            }
            if worst.map({ isWorse(value, than: $0, comparison) }) ?? true { worst = value }
            if comparison.holds(value, limit) {
                current = nil
                continue
            }
            if var run = current, run.start + run.length == second {
                run.length += 1
                current = run
            } else {
                current = BreachRun(start: second, length: 1)
            }
            if let run = current, run.length > (longest?.length ?? 0) { longest = run }
        }
        return (longest, worst)
    }

    /// Judges a breach series against a sustained duration of `required` whole seconds.
    static func sustainedResult(_ criterion: CriterionSpec, values: [(second: Int, value: Double?)], required: Int, phrase: String) -> CriterionResult {
        let expression = criterion.expression
        let (longest, worst) = longestBreach(values, expression.comparison, limit: expression.threshold.value)
        guard let longest else {
            return result(criterion, .pass, measured: worst, evidence: "never breached \(phrase)")
        }
        let failed = longest.length >= required
        var evidence = "breached for \(CriterionFormat.seconds(longest.length)) from \(CriterionFormat.clock(longest.start)) to \(CriterionFormat.clock(longest.start + longest.length)) (longest run)"
        if !failed { evidence += ", shorter than \(CriterionFormat.seconds(required))" }
        return result(criterion, failed ? .fail : .pass, measured: worst, evidence: evidence)
    }

    /// A sustained criterion over the window's per-second series. Seconds missing from the series
    /// count as idle seconds: no latency to judge, but zero throughput.
    static func evaluateSustained(_ criterion: CriterionSpec, window: CriterionWindow, required: Int) -> CriterionResult {
        let selector = criterion.expression.selector
        var values: [(second: Int, value: Double?)] = []
        values.reserveCapacity(window.range.count)
        for second in window.range {
            switch reading(selector, window.stats(at: second), fraction: window.fraction(of: second)) {
            case .value(let v): values.append((second, v))
            case .idle: values.append((second, nil))
            case .unavailable(let reason): return result(criterion, .noData, measured: nil, evidence: reason)
            }
        }
        return sustainedResult(criterion, values: values, required: required, phrase: window.phrase)
    }
}
