import Core
import Foundation
import Metrics
import Reports
import Results

/// A metric of the criteria grammar (`p95(latency{request=checkout})`, `throughput`, `error_rate`,
/// `prom:NAME`, …) read back from a stored result, as `compare` and `trend` show it.
///
/// Values are in the result file's units (see `unit`): latencies in milliseconds, rates per second,
/// shares as fractions, counts as counts.
public struct ResultMetric: Sendable, Hashable, CustomStringConvertible {
    /// What the metric measures, as the criteria grammar writes it.
    public var selector: MetricSelector

    /// A metric for `selector`.
    public init(_ selector: MetricSelector) {
        self.selector = selector
    }

    /// Parses a metric the way criteria write it; a misspelling is a usage error with a
    /// did-you-mean hint, a metric no stored result carries (`recovery_time`) is one too.
    public init(parsing text: String) throws(StressError) {
        let selector: MetricSelector
        do {
            selector = try CriterionParser.parseSelector(text)
        } catch {
            let hint = error.hint ?? Suggest.hint(for: text, in: Self.examples)
                ?? "write e.g. \(Self.examples.prefix(4).map { "`\($0)`" }.joined(separator: ", "))"
            throw StressError(.usage, "`\(text)` is not a metric: \(error.message)", hint: hint)
        }
        if case .recoveryTime = selector.metric {
            throw StressError(.usage, "`\(text)` is not recorded in stored results", hint: "faults are not built yet; try `p95(latency)`")
        }
        if case .exact(let code)? = selector.filter.status {
            throw StressError(.usage, "`\(text)`: stored results count statuses by class only",
                              hint: "write `status=\(code / 100)xx`")
        }
        self.init(selector)
    }

    /// Metrics people usually follow, for hints.
    static let examples = ["p95(latency)", "p99(latency)", "p50(latency)", "throughput", "error_rate", "errors", "dropped",
                           "avg(latency)", "max(latency)", "p95(service_time)"]

    /// The canonical text, e.g. `p95(latency{request=checkout})`.
    public var description: String { selector.description }

    /// The unit `value(in:)` returns.
    public var unit: MetricUnit {
        switch selector.metric {
        case .latency, .serviceTime, .recoveryTime: .milliseconds
        case .throughput: .perSecond
        case .errorRate: .fraction
        case .errors, .dropped: .count
        case .prom: .number
        }
    }

    /// Whether a larger value is better (throughput); for the others smaller is, or neither (`prom:`).
    public var higherIsBetter: Bool { selector.metric == .throughput }

    /// The metric's value in `result`, or nil when the result does not record it (an unknown
    /// request, a Prometheus series that was not scraped, an exact status code) or it is not finite.
    public func value(in result: ResultDocument) -> Double? {
        rawValue(in: result).flatMap { $0.isFinite ? $0 : nil }
    }

    private func rawValue(in result: ResultDocument) -> Double? {
        let filter = selector.filter
        let window: ResultDocument.Window? = if let request = filter.request {
            result.metrics.perRequest.first { $0.name == request }?.stats
        } else {
            Self.headline(result)
        }
        switch selector.metric {
        case .latency, .serviceTime:
            guard let window else { return nil }
            let latency = selector.metric == .latency ? window.latency : window.serviceTime
            return latencyValue(latency, in: result)
        case .throughput:
            guard let window else { return nil }
            guard let status = filter.status else { return window.throughput }
            guard result.summary.measuredS > 0, let count = statusCount(status, in: window) else { return nil }
            return Double(count) / result.summary.measuredS
        case .errorRate:
            guard let window else { return nil }
            guard let status = filter.status else { return window.errorRate }
            guard let count = statusCount(status, in: window) else { return nil }
            return window.requests == 0 ? 0 : Double(count) / Double(window.requests)
        case .errors:
            guard let window else { return nil }
            guard let status = filter.status else { return Double(window.errors) }
            return statusCount(status, in: window).map(Double.init)
        case .dropped:
            return window.map { Double($0.dropped) }
        case .recoveryTime:
            return nil
        case .prom(let name):
            let samples = (result.targetMetrics?[name] ?? []).compactMap { $0 }.filter { !$0.isNaN }
            guard let last = samples.last else { return nil }
            switch selector.aggregate {
            case .avg: return samples.reduce(0) { $0 + $1 / Double(samples.count) }
            case .min: return samples.min()
            case .max: return samples.max()
            case .value, .percentile: return last
            }
        }
    }

    /// `value` formatted for people: `12.3ms`, `200/s`, `0.5%`, `12`.
    public func format(_ value: Double?) -> String {
        value.map(unit.format) ?? "-"
    }

    /// The run as a whole: the summary's numbers (what `list`, `baseline show` and the regression
    /// check read), with the overall window's status classes.
    private static func headline(_ result: ResultDocument) -> ResultDocument.Window {
        let s = result.summary
        var window = result.metrics.overall
        window.requests = s.requests
        window.throughput = s.throughput
        window.errors = s.errors
        window.errorRate = s.errorRate
        window.dropped = s.dropped
        window.latency = s.latency
        window.serviceTime = s.serviceTime
        return window
    }

    private func latencyValue(_ latency: ResultDocument.Latency, in result: ResultDocument) -> Double? {
        guard latency.count > 0 else { return nil }
        switch selector.aggregate {
        case .avg: return latency.mean
        case .min: return latency.min
        case .max: return latency.max
        case .value: return nil
        case .percentile(let p):
            if let stored = latency.percentiles["p\(Units.formatNumber(p))"] { return stored }
            return histogramPercentile(p, in: result)
        }
    }

    /// A percentile the summary does not list, from the run's stored histogram.
    private func histogramPercentile(_ p: Double, in result: ResultDocument) -> Double? {
        let metric: ResultDocument.EncodedHistogram.Metric = selector.metric == .latency ? .latency : .serviceTime
        let request = selector.filter.request
        guard let encoded = result.histograms.first(where: {
            $0.metric == metric && (request == nil ? $0.scope == .overall : $0.scope == .request && $0.name == request)
        }), let histogram = try? HistogramCodec.decodeLatency(encoded.data), histogram.count > 0 else { return nil }
        return histogram.value(atPercentile: p).seconds * 1000
    }

    private func statusCount(_ status: MetricSelector.StatusFilter, in window: ResultDocument.Window) -> Int? {
        guard case .statusClass(let digit) = status else { return nil }
        return window.statusClasses["\(digit)xx"] ?? 0
    }
}

/// The unit of a `ResultMetric`'s values.
public enum MetricUnit: String, Sendable, Hashable, Codable {
    /// Latencies, as result.json stores them.
    case milliseconds = "ms"
    /// Rates.
    case perSecond = "per_second"
    /// Shares, 0…1.
    case fraction
    /// Counts of requests.
    case count
    /// Scraped Prometheus values, as scraped.
    case number

    /// `12.3ms`, `200/s`, `0.5%`, `12`.
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return Units.formatNumber(value) }
        switch self {
        case .milliseconds: return Units.formatMilliseconds(value)
        case .perSecond: return "\(Units.formatNumber(value))/s"
        case .fraction: return "\(Units.formatNumber(value * 100))%"
        case .count, .number: return Units.formatNumber(value)
        }
    }
}
