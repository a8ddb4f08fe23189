/// One metric family of a Prometheus text exposition: its samples, with the `# HELP` and
/// `# TYPE` that describe them.
///
/// A histogram's `NAME_bucket`, `NAME_sum` and `NAME_count` samples, and a summary's `NAME`
/// (with `quantile`), `NAME_sum` and `NAME_count` samples, all belong to the family `NAME`; each
/// sample keeps its own name.
public struct MetricFamily: Sendable, Hashable {
    /// What a family measures, from its `# TYPE` line (`untyped` without one).
    public enum MetricType: String, Sendable, Hashable, CaseIterable {
        case counter, gauge, histogram, summary, untyped
    }

    /// One line of values: `name{label="value",…} value [timestamp]`.
    public struct Sample: Sendable, Hashable {
        /// The sample's own name (`http_request_duration_seconds_bucket`, …).
        public var name: String
        /// Label values, unescaped.
        public var labels: [String: String]
        /// The value; `NaN` and `±infinity` are legal.
        public var value: Double
        /// Milliseconds since the Unix epoch, when the exposition gives one.
        public var timestamp: Int64?

        public init(name: String, labels: [String: String] = [:], value: Double, timestamp: Int64? = nil) {
            self.name = name
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
        }
    }

    /// The family's name: the metric name without `_bucket`, `_sum` or `_count`.
    public var name: String
    public var type: MetricType
    /// The `# HELP` text, unescaped; nil without one.
    public var help: String?
    /// The samples in exposition order.
    public var samples: [Sample]

    public init(name: String, type: MetricType = .untyped, help: String? = nil, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.samples = samples
    }
}
