import Core
import Metrics

/// One second's value of a criterion's metric, or why there is none.
enum SecondReading: Equatable {
    case value(Double)
    /// Nothing to judge in that second (no responses for latency, no requests for error_rate):
    /// never a breach, and it ends a run of breaching seconds.
    case idle
    /// The series cannot answer (a percentile not kept per second).
    case unavailable(String)
}

/// A window's value of a criterion's metric with the sentence it rests on, or why there is none.
enum WindowReading {
    case value(Double, evidence: String)
    case noData(String)
}

extension CriteriaEvaluator {
    static let exactStatusReason = "this metric cannot be filtered by status"

    /// What a count-based metric counts in `c` under the status filter; nil when the metric is not a count.
    static func counted(_ selector: MetricSelector, in c: Counters) -> Int? {
        switch selector.metric {
        case .dropped:
            return c.dropped
        case .throughput:
            switch selector.filter.status {
            case nil: return c.requests
            case .statusClass(let k): return c.responses(inClass: k)
            case .exact(let code): return c.responses(withStatus: code)
            }
        case .errorRate, .errors:
            switch selector.filter.status {
            case nil: return c.errors.total
            case .statusClass(let k): return c.responses(inClass: k)
            case .exact(let code): return c.responses(withStatus: code)
            }
        case .latency, .serviceTime, .recoveryTime, .prom:
            return nil
        }
    }

    /// Why a window has nothing to judge for the selector, or nil when it has something.
    static func emptiness(_ selector: MetricSelector, in window: CriterionWindow) -> String? {
        let c = window.counters
        switch selector.metric {
        case .latency, .serviceTime:
            guard c.requests > 0 else { return "no requests matched" }
            let histogram = selector.metric == .latency ? window.latency : window.service
            let responses = histogram?.count ?? window.range.reduce(UInt64(0)) { sum, second in
                let stats = window.stats(at: second)
                return sum + (selector.metric == .latency ? stats.latency.count : stats.service.count)
            }
            if responses == 0 {
                return "none of the \(CriterionFormat.count(c.requests)) matching requests was timed"
            }
            return nil
        case .dropped:
            return c.requests + c.dropped == 0 ? "no requests matched" : nil
        default:
            return c.requests == 0 ? "no requests matched" : nil
        }
    }

    /// One second's value of the selector's metric.
    /// - Parameter fraction: how much of the second was measured (throughput's denominator).
    static func reading(_ selector: MetricSelector, _ stats: WindowStats, fraction: Double) -> SecondReading {
        switch selector.metric {
        case .latency, .serviceTime:
            let summary = selector.metric == .latency ? stats.latency : stats.service
            guard summary.count > 0 else { return .idle }
            switch selector.aggregate {
            case .percentile(let p):
                guard let v = summary.value(atPercentile: p) else {
                    return .unavailable("p\(Units.formatNumber(p)) is not kept per second (the layout's percentiles should include percentilesNeeded(by:))")
                }
                return .value(v.seconds)
            case .avg: return .value(summary.mean.seconds)
            case .min: return .value(summary.min.seconds)
            case .max: return .value(summary.max.seconds)
            case .value: return .unavailable("\(selector) needs a function such as p95 or avg")
            }
        case .throughput:
            guard fraction > 0 else { return .idle }
            guard let n = counted(selector, in: stats.counters) else { return .unavailable(exactStatusReason) }
            return .value(Double(n) / fraction)
        case .errorRate:
            guard stats.counters.requests > 0 else { return .idle }
            guard let n = counted(selector, in: stats.counters) else { return .unavailable(exactStatusReason) }
            return .value(Double(n) / Double(stats.counters.requests))
        case .errors, .dropped:
            guard let n = counted(selector, in: stats.counters) else { return .unavailable(exactStatusReason) }
            return .value(Double(n))
        case .recoveryTime, .prom:
            return .unavailable("\(selector) is not in the per-second series")
        }
    }

    /// The window's value of a count-based metric (throughput, error_rate, errors, dropped) from its totals.
    static func countReading(_ selector: MetricSelector, in window: CriterionWindow, request: String?) -> WindowReading {
        let c = window.counters
        guard let n = counted(selector, in: c) else { return .noData(exactStatusReason) }
        let requests = CriterionFormat.count(c.requests)
        let what: String
        if let status = selector.filter.status {
            what = "\(CriterionFormat.count(n)) \(CriterionFormat.noun("\(status) responses", request: request))"
        } else {
            what = "\(CriterionFormat.count(n)) \(CriterionFormat.noun(selector.metric == .throughput ? "requests" : "errors", request: request))"
        }
        switch selector.metric {
        case .throughput:
            guard window.duration > 0 else { return .noData("the window has no measured time") }
            return .value(Double(n) / window.duration, evidence: "\(what) \(window.phrase)")
        case .errorRate:
            return .value(Double(n) / Double(max(c.requests, 1)), evidence: "\(what) of \(requests) requests \(window.phrase)")
        case .errors:
            return .value(Double(n), evidence: "\(what) of \(requests) requests \(window.phrase)")
        case .dropped:
            return .value(Double(n), evidence: "\(CriterionFormat.count(n)) \(CriterionFormat.noun("arrivals", request: request)) dropped and \(requests) requests sent \(window.phrase)")
        case .latency, .serviceTime, .recoveryTime, .prom:
            return .noData("\(selector) is not a count")
        }
    }

    /// Whether `a` is a worse value than `b` for the comparison: higher for an upper limit, lower for a lower one.
    static func isWorse(_ a: Double, than b: Double, _ comparison: CriterionExpression.Comparison) -> Bool {
        switch comparison {
        case .lessThan, .lessOrEqual: a > b
        case .greaterThan, .greaterOrEqual: a < b
        }
    }
}
