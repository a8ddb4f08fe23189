import Core

/// One rule of the scenario's `regression:` section as the baseline comparison judges it
/// (README, *Results store and baselines*: the method): the name its verdict line shows, how it is compared, and whether it can fail the build.
///
/// Overall p95 latency, throughput and error rate gate the build; every other rule — other
/// percentiles, averages, service time, anything with `{request=…}` — is reported.
public struct RegressionCheck: Sendable, Hashable {
    /// How the rule's values are compared.
    public enum Method: Sendable, Hashable {
        /// A relative change on a log scale (`RegressionAnalysis.compare`), with the better direction.
        case logScale(MetricDirection)
        /// A difference of proportions in percentage points (`RegressionAnalysis.compareErrorRate`).
        case errorRate
    }

    /// The rule as the scenario wrote it.
    public let rule: RegressionRule
    /// The verdict line's name: `p95 latency`, `p99 latency{request=checkout}`, `error rate{request=product}`.
    public let name: String
    /// How the values are compared.
    public let method: Method
    /// Whether a `regression` (or, under `--strict`, an `inconclusive`) fails the build.
    public let gating: Bool

    /// The check for `rule`; nil when the comparison cannot judge it (see `RegressionRule.comparisonProblem`,
    /// which scenario validation reports at load time).
    public init?(_ rule: RegressionRule) {
        guard rule.comparisonProblem == nil else { return nil }
        let selector = rule.metric
        let metric: String
        let gatesOverall: Bool
        switch (selector.metric, selector.aggregate) {
        case (.latency, .percentile(let p)), (.serviceTime, .percentile(let p)):
            metric = "p\(Units.formatNumber(p)) \(selector.metric == .latency ? "latency" : "service time")"
            method = .logScale(.lowerIsBetter)
            gatesOverall = selector.metric == .latency && p == 95
        case (.latency, .avg), (.serviceTime, .avg):
            metric = "avg \(selector.metric == .latency ? "latency" : "service time")"
            method = .logScale(.lowerIsBetter)
            gatesOverall = false
        case (.throughput, _):
            metric = "throughput"
            method = .logScale(.higherIsBetter)
            gatesOverall = true
        case (.errorRate, _):
            metric = "error rate"
            method = .errorRate
            gatesOverall = true
        default:
            return nil
        }
        self.rule = rule
        name = selector.filter.request.map { "\(metric){request=\($0)}" } ?? metric
        gating = gatesOverall && selector.filter.request == nil
    }

    /// The request the rule is about; nil for the whole run.
    public var request: String? { rule.metric.filter.request }

    /// The verdict of a `.logScale` check on the runs' values.
    public func verdict(baseline: [RunSample], candidate: [RunSample], gateFailures: [String] = [],
                        options: RegressionAnalysis.Options = .init()) -> RegressionVerdict {
        let direction: MetricDirection
        if case .logScale(let d) = method { direction = d } else { direction = .lowerIsBetter }
        return RegressionAnalysis.compare(metric: name, baseline: baseline, candidate: candidate, direction: direction,
                                          tolerance: rule.tolerance, gateFailures: gateFailures, options: options)
    }

    /// The verdict of an `.errorRate` check on the runs' error counts.
    public func verdict(baseline: [ErrorRunSample], candidate: [ErrorRunSample], gateFailures: [String] = [],
                        options: RegressionAnalysis.Options = .init()) -> RegressionVerdict {
        RegressionAnalysis.compareErrorRate(metric: name, baseline: baseline, candidate: candidate, tolerance: rule.tolerance,
                                            gateFailures: gateFailures, options: options)
    }
}
