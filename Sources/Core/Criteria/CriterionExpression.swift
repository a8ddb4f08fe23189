/// What a criterion or a regression rule measures: `p95(latency{request=checkout})`, `throughput`, …
public struct MetricSelector: Sendable, Hashable, CustomStringConvertible {
    public enum Aggregate: Sendable, Hashable {
        /// `p50` … `p99.9` (the argument is the percentile, 0 … 100).
        case percentile(Double)
        case avg, min, max
        /// The metric as it stands (throughput, error_rate, errors, dropped, recovery_time, prom:…).
        case value
    }
    public enum Metric: Sendable, Hashable {
        case latency, serviceTime, throughput, errorRate, errors, dropped, recoveryTime
        case prom(String)
    }
    /// `{request=…}` and `{status=5xx}` (`status` holds a class like `5xx` or an exact code like `503`);
    /// `{fault=…}` picks one fault for `recovery_time`.
    public struct Filter: Sendable, Hashable {
        public var request: String?
        public var status: StatusFilter?
        public var fault: String?
        public init(request: String? = nil, status: StatusFilter? = nil, fault: String? = nil) {
            self.request = request
            self.status = status
            self.fault = fault
        }
        public var isEmpty: Bool { request == nil && status == nil && fault == nil }
    }
    public enum StatusFilter: Sendable, Hashable, CustomStringConvertible {
        /// `5xx`: the hundreds digit.
        case statusClass(Int)
        case exact(Int)
        public func matches(_ status: Int) -> Bool {
            switch self {
            case .statusClass(let c): status / 100 == c
            case .exact(let s): status == s
            }
        }
        public var description: String {
            switch self {
            case .statusClass(let c): "\(c)xx"
            case .exact(let s): "\(s)"
            }
        }
    }

    public var aggregate: Aggregate
    public var metric: Metric
    public var filter: Filter

    public init(aggregate: Aggregate, metric: Metric, filter: Filter = Filter()) {
        self.aggregate = aggregate
        self.metric = metric
        self.filter = filter
    }

    /// The canonical text: `p95(latency{request=checkout})`.
    public var description: String {
        var m: String
        switch metric {
        case .latency: m = "latency"
        case .serviceTime: m = "service_time"
        case .throughput: m = "throughput"
        case .errorRate: m = "error_rate"
        case .errors: m = "errors"
        case .dropped: m = "dropped"
        case .recoveryTime: m = "recovery_time"
        case .prom(let name): m = "prom:\(name)"
        }
        var labels: [String] = []
        if let r = filter.request { labels.append("request=\(r)") }
        if let s = filter.status { labels.append("status=\(s)") }
        if let f = filter.fault { labels.append("fault=\(f)") }
        if !labels.isEmpty { m += "{\(labels.joined(separator: ","))}" }
        switch aggregate {
        case .percentile(let p): return "p\(Units.formatNumber(p))(\(m))"
        case .avg: return "avg(\(m))"
        case .min: return "min(\(m))"
        case .max: return "max(\(m))"
        case .value: return m
        }
    }
}

/// A parsed success criterion: `p95(latency) < 250ms during peak for 10s`.
public struct CriterionExpression: Sendable, Hashable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Hashable {
        case lessThan = "<", lessOrEqual = "<=", greaterThan = ">", greaterOrEqual = ">="
        /// Whether `value` satisfies `value OP limit`.
        public func holds(_ value: Double, _ limit: Double) -> Bool {
            switch self {
            case .lessThan: value < limit
            case .lessOrEqual: value <= limit
            case .greaterThan: value > limit
            case .greaterOrEqual: value >= limit
            }
        }
    }
    /// The limit, in the unit the metric is measured in.
    public enum Threshold: Sendable, Hashable, CustomStringConvertible {
        case duration(Duration)
        case rate(Rate)
        /// A fraction written as a percentage (`1%` = 0.01).
        case fraction(Double)
        case number(Double)
        /// The limit in the metric's base unit: seconds, per second, fraction, or count.
        public var value: Double {
            switch self {
            case .duration(let d): d.seconds
            case .rate(let r): r.perSecond
            case .fraction(let f): f
            case .number(let n): n
            }
        }
        public var description: String {
            switch self {
            case .duration(let d): Units.formatDuration(d)
            case .rate(let r): r.description
            case .fraction(let f): "\(Units.formatNumber(f * 100))%"
            case .number(let n): Units.formatNumber(n)
            }
        }
    }

    public var selector: MetricSelector
    public var comparison: Comparison
    public var threshold: Threshold
    /// `during STAGE`: only that stage's window.
    public var during: String?
    /// `for DURATION`: fails only if breached continuously for this long (per-second values).
    public var sustained: Duration?

    public init(selector: MetricSelector, comparison: Comparison, threshold: Threshold, during: String? = nil, sustained: Duration? = nil) {
        self.selector = selector
        self.comparison = comparison
        self.threshold = threshold
        self.during = during
        self.sustained = sustained
    }

    public var description: String {
        var text = "\(selector) \(comparison.rawValue) \(threshold)"
        if let during { text += " during \(during)" }
        if let sustained { text += " for \(Units.formatDuration(sustained))" }
        return text
    }
}
