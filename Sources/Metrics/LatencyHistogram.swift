import Histogram

/// A latency histogram in microseconds, 1 µs … 1 h (README, *What is measured*), backed by HdrHistogram.
///
/// Values outside the range are clamped and counted in `clamped`, never dropped silently.
public struct LatencyHistogram: Sendable {
    /// The highest trackable latency: one hour, in microseconds.
    public static let highestMicroseconds: UInt64 = 3_600_000_000

    public private(set) var histogram: Histogram<UInt64>
    /// How many values were clamped into the range.
    public private(set) var clamped: UInt64 = 0

    /// - Parameter digits: significant digits (3 for run-level histograms, 2 for per-second ones).
    public init(digits: SignificantDigits = .three) {
        histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: Self.highestMicroseconds, numberOfSignificantValueDigits: digits)
    }

    /// A latency histogram around counts already in this layout (the codec's decoder builds them).
    init(histogram: Histogram<UInt64>, clamped: UInt64) {
        self.histogram = histogram
        self.clamped = clamped
    }

    /// Records a latency given in nanoseconds.
    @inline(__always)
    public mutating func record(nanoseconds: Int64) {
        var micros = nanoseconds / 1000
        if micros < 1 { micros = 1 }
        if UInt64(micros) > Self.highestMicroseconds {
            micros = Int64(Self.highestMicroseconds)
            clamped += 1
        }
        _ = histogram.record(UInt64(micros))
    }

    public mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
        clamped += other.clamped
    }

    public mutating func reset() {
        histogram.reset()
        clamped = 0
    }

    public var count: UInt64 { histogram.totalCount }

    /// The value at a percentile (0 … 100), or zero for an empty histogram.
    public func value(atPercentile p: Double) -> Duration {
        count == 0 ? .zero : .microseconds(Int64(histogram.valueAtPercentile(p)))
    }

    public var min: Duration { count == 0 ? .zero : .microseconds(Int64(histogram.min)) }
    public var max: Duration { count == 0 ? .zero : .microseconds(Int64(histogram.max)) }
    public var mean: Duration { count == 0 ? .zero : .nanoseconds(Int64(histogram.mean * 1000)) }

    /// A summary with the given percentiles.
    public func summary(percentiles: [Double]) -> LatencySummary {
        LatencySummary(
            count: count, min: min, mean: mean, max: max,
            percentiles: percentiles.map { LatencySummary.Point(percentile: $0, value: value(atPercentile: $0)) }
        )
    }
}

/// Percentiles, min, mean and max of a latency histogram.
public struct LatencySummary: Sendable, Hashable, Codable {
    public struct Point: Sendable, Hashable, Codable {
        public var percentile: Double
        public var value: Duration
        public init(percentile: Double, value: Duration) {
            self.percentile = percentile
            self.value = value
        }
    }
    public var count: UInt64
    public var min: Duration
    public var mean: Duration
    public var max: Duration
    public var percentiles: [Point]

    public init(count: UInt64, min: Duration, mean: Duration, max: Duration, percentiles: [Point]) {
        self.count = count
        self.min = min
        self.mean = mean
        self.max = max
        self.percentiles = percentiles
    }

    public static let empty = LatencySummary(count: 0, min: .zero, mean: .zero, max: .zero, percentiles: [])

    /// The value at a percentile if it was summarized.
    public func value(atPercentile p: Double) -> Duration? {
        percentiles.first { abs($0.percentile - p) < 1e-9 }?.value
    }
}

/// The percentiles every summary carries, before any a criterion asks for.
public let standardPercentiles: [Double] = [50, 90, 95, 99, 99.9]
