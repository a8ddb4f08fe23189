extension CriterionExpression {
    /// Why the threshold or the `for` window is beyond its bound in `ScenarioBounds`, or nil.
    /// The parser reports it at the threshold's column; the validator (for criteria built in code) at the criterion.
    public var boundProblem: String? {
        if let problem = Self.boundProblem(threshold, metric: selector.metric) { return problem }
        if let sustained, sustained > ScenarioBounds.maxRunDuration {
            return "a `for` window must be at most \(ScenarioBounds.describe(ScenarioBounds.maxRunDuration)), got \(Units.formatDuration(sustained))"
        }
        return nil
    }

    /// Why `threshold` is beyond the bound of its kind, or nil.
    static func boundProblem(_ threshold: Threshold, metric: MetricSelector.Metric) -> String? {
        typealias B = ScenarioBounds
        switch threshold {
        case .duration(let d):
            return d > B.maxRunDuration ? "a duration threshold must be at most \(B.describe(B.maxRunDuration))" : nil
        case .rate(let r):
            return r.perSecond.isFinite && r.perSecond <= B.maxThroughputThreshold ? nil
                : "a throughput threshold must be at most \(B.describe(B.maxThroughputThreshold))/s"
        case .fraction(let f):
            return (0...1).contains(f) ? nil : "an error-rate threshold must be between 0% and 100%"
        case .number(let n):
            if case .prom = metric {
                return n.isFinite && abs(n) <= B.maxPromThreshold ? nil : "a `prom:` threshold must be between -1e300 and 1e300"
            }
            return n.isFinite && n <= B.maxCountThreshold ? nil : "a count threshold must be at most 1e15"
        }
    }
}
