/// Collects the rate tracker's readings second by second into the per-second series that
/// criteria read (`PromSeries.samples` in Analysis).
///
/// Index `i` of a series is measured second `i`; `NaN` marks a second without a reading (a
/// failed scrape, the counter baseline, a series not yet exposed).
public struct PromSeriesBuilder: Sendable {
    private var series: [String: [Double]] = [:]
    /// One past the last second added.
    public private(set) var seconds = 0

    /// An empty builder.
    public init() {}

    /// Records the readings of measured second `second`; a second added twice keeps the later
    /// readings, and negative seconds (warmup) are ignored.
    public mutating func add(second: Int, values: [String: Double]) {
        guard second >= 0 else { return }
        seconds = max(seconds, second + 1)
        for (key, value) in values {
            var column = series.removeValue(forKey: key) ?? []
            if column.count <= second { column.append(contentsOf: repeatElement(Double.nan, count: second + 1 - column.count)) }
            column[second] = value
            series[key] = column
        }
    }

    /// Every series, `length` seconds long (default: up to the last second added), padded with
    /// `NaN` or cut to fit.
    public func build(length: Int? = nil) -> [String: [Double]] {
        let n = max(length ?? seconds, 0)
        return series.mapValues { column in
            if column.count >= n { return Array(column.prefix(n)) }
            return column + repeatElement(Double.nan, count: n - column.count)
        }
    }
}
