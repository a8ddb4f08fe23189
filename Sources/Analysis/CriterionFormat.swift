import Core

/// How criterion values and evidence read: one place, so every result speaks the same units.
public enum CriterionFormat {
    /// A value in the metric's base unit, for people: `212ms`, `1012/s`, `0.42%`, `3`.
    static func value(_ v: Double, of metric: MetricSelector.Metric) -> String {
        switch metric {
        case .latency, .serviceTime, .recoveryTime:
            guard v.isFinite else { return Units.formatNumber(v) }
            return Units.formatDuration(.nanoseconds(Int64((v * 1e9).rounded())))
        case .throughput:
            return Rate(perSecond: v).description
        case .errorRate:
            return "\(Units.formatNumber(v * 100))%"
        case .errors, .dropped, .prom:
            return Units.formatNumber(v)
        }
    }

    /// The limit with its operator (and sustained duration): `< 250ms`, `>= 1900/s for 10s`.
    static func limit(_ expression: CriterionExpression) -> String {
        var text = "\(expression.comparison.rawValue) \(value(expression.threshold.value, of: expression.selector.metric))"
        if let sustained = expression.sustained { text += " for \(Units.formatDuration(sustained))" }
        return text
    }

    /// `12,345`.
    static func count<N: BinaryInteger>(_ n: N) -> String { Units.formatCount(n) }

    /// A measured second as a clock from the end of warmup: `00:41`, `1:02:05`.
    static func clock(_ second: Int) -> String {
        let h = second / 3600, m = (second % 3600) / 60, s = second % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(two(m)):\(two(s))"
    }

    /// The same clock for a time in seconds, with tenths when asked (`00:05.2`); times a result
    /// file can hold (its bounds) only, negative and non-finite ones read as 0.
    public static func clock(seconds: Double, tenths: Bool) -> String {
        let s = seconds.isFinite ? min(max(0, seconds), 1e9) : 0
        let base = clock(Int(s.rounded(.down)))
        return tenths ? base + ".\(Int((s * 10).rounded(.down)) % 10)" : base
    }

    /// `5s`, `1m30s`, for whole seconds.
    static func seconds(_ n: Int) -> String { Units.formatDuration(.seconds(n)) }

    /// `checkout requests`, or `requests`.
    static func noun(_ plural: String, request: String?) -> String {
        request.map { "\($0) \(plural)" } ?? plural
    }

    /// The name a function goes by in evidence: `p95`, `mean`, `min`, `max`.
    static func function(_ aggregate: MetricSelector.Aggregate) -> String {
        switch aggregate {
        case .percentile(let p): "p\(Units.formatNumber(p))"
        case .avg: "mean"
        case .min: "min"
        case .max: "max"
        case .value: "value"
        }
    }
}
