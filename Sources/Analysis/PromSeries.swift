/// Values scraped from the target's Prometheus endpoint, one per measured second.
///
/// `samples[name][i]` is the metric's value in measured second `i` (0 = the first second after
/// warmup); counters are expected already turned into per-second rates. `NaN` marks a second
/// without a sample.
public struct PromSeries: Sendable, Hashable {
    /// Per-second values by metric name.
    public var samples: [String: [Double]]

    /// A series of the given samples.
    public init(samples: [String: [Double]] = [:]) {
        self.samples = samples
    }
}
