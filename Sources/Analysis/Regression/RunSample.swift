/// One run's value of a gated metric, with what the noise floor and the sample gate need.
public struct RunSample: Sendable, Codable, Hashable {
    /// The metric's value over the run (e.g. p95 latency in seconds, throughput in requests/s); must be > 0.
    public var value: Double
    /// The metric's value in each 10 s window inside the run; feeds the noise floor when there are < 3 runs.
    public var withinRunWindows: [Double]
    /// How many samples stand behind `value` (e.g. requests); checked against the minimum sample gate.
    public var count: Int
    /// How much noisier `value` is than `withinRunWindows` show (nil = 1): when the windows are the
    /// whole run's and `value` is one request's, √(the run's requests / the request's), since a
    /// mean's or a percentile's standard error goes as 1/√n.
    public var windowNoiseScale: Double?

    /// A sample as given.
    public init(value: Double, withinRunWindows: [Double] = [], count: Int, windowNoiseScale: Double? = nil) {
        self.value = value
        self.withinRunWindows = withinRunWindows
        self.count = count
        self.windowNoiseScale = windowNoiseScale
    }
}

/// Which way a metric gets better.
public enum MetricDirection: String, Sendable, Codable, Hashable {
    /// Smaller is better: latency, error rate.
    case lowerIsBetter
    /// Larger is better: throughput.
    case higherIsBetter
}
