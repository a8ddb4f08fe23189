/// A shaded span of a time chart: a stage, a fault, a pause or the warmup.
///
/// `start` and `end` are seconds from the start of the measured window (the x axis of the time
/// charts). A band with `start == end` (a pause: paused time is not on the scenario clock) is
/// drawn as a marker line.
public struct ChartBand: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case stage, fault, pause, warmup
    }

    /// Shown on the chart as written (escaped by the chart).
    public var label: String
    public var start: Double
    public var end: Double
    public var kind: Kind

    public init(label: String, start: Double, end: Double, kind: Kind) {
        self.label = label
        self.start = start
        self.end = end
        self.kind = kind
    }
}
