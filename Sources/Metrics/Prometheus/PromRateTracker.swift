import Core

/// Turns successive scrapes of a target's Prometheus metrics into per-scrape readings: counters
/// become per-second rates, gauges stay values (README, *What is measured*, `target.metrics`).
///
/// ## Naming
///
/// Each reading is keyed by series identity:
///
/// * `NAME{a="x",b="y"}` for a labelled series — labels sorted by name, values escaped as in the
///   exposition (`\\`, `\"`, `\n`);
/// * `NAME` for a family's unlabelled series, and — for counters and gauges with labelled
///   series — the **sum over all the family's series** (NaN values skipped), so
///   `prom:http_requests_total` reads the total rate of a counter split by `code` and `method`;
/// * histograms and summaries: `NAME_count` and `NAME_sum` are counters (so `NAME_count` is the
///   observation rate), keyed and summed as above; a summary's quantiles are gauges keyed
///   `NAME{quantile="0.99"}` (never summed); histogram buckets are left out;
/// * `untyped` metrics are read as gauges.
///
/// ## Rates
///
/// A counter's rate is its increase over the time since its previous scrape, per second. The
/// first scrape only sets the baseline, so counters have no reading from it. A drop means the
/// target restarted: the new value is the increase. A labelled series that first appears after
/// the baseline counts from zero (client libraries create a series at its first increment).
/// Sample timestamps are ignored: the scrape's own time is what counts.
public struct PromRateTracker: Sendable {
    private struct Previous: Sendable {
        var value: Double
        var time: Duration
    }

    private enum Role {
        case counter(summed: Bool)
        case gauge(summed: Bool)
    }

    private var previous: [String: Previous] = [:]
    private var lastScrape: Duration?

    /// A tracker that has seen no scrape.
    public init() {}

    /// Reads one scrape taken at `time` (any monotonic origin, e.g. since the run started).
    ///
    /// - Returns: the scrape's readings keyed as described above; counters are missing from the
    ///   first scrape, and from a scrape whose time is not after their previous one.
    public mutating func update(_ families: [MetricFamily], at time: Duration) -> [String: Double] {
        var readings: [String: Double] = [:]
        // Series values by the sum they take part in, for groups with labelled series.
        var groups: [String: [String: Double]] = [:]
        var labelled: Set<String> = []
        for family in families {
            for sample in family.samples {
                guard let role = Self.role(of: sample, in: family) else { continue }
                let key = Self.seriesKey(name: sample.name, labels: sample.labels)
                let value: Double?
                let summed: Bool
                switch role {
                case .counter(let s): value = rate(of: key, value: sample.value, at: time); summed = s
                case .gauge(let s): value = sample.value; summed = s
                }
                guard let value else { continue }
                readings[key] = value
                if summed {
                    groups[sample.name, default: [:]][key] = value
                    if !sample.labels.isEmpty { labelled.insert(sample.name) }
                }
            }
        }
        for name in labelled {
            let values = (groups[name] ?? [:]).values.filter { !$0.isNaN }
            readings[name] = values.isEmpty ? .nan : values.reduce(0, +)
        }
        lastScrape = time
        return readings
    }

    /// The reading's key of a series: `name`, or `name{a="x",…}` with labels sorted by name.
    public static func seriesKey(name: String, labels: [String: String]) -> String {
        guard !labels.isEmpty else { return name }
        let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }
        return "\(name){\(pairs.joined(separator: ","))}"
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func role(of sample: MetricFamily.Sample, in family: MetricFamily) -> Role? {
        switch family.type {
        case .counter: return .counter(summed: true)
        case .gauge, .untyped: return .gauge(summed: true)
        case .histogram, .summary:
            if sample.name == family.name + "_count" || sample.name == family.name + "_sum" { return .counter(summed: true) }
            if family.type == .summary && sample.name == family.name { return .gauge(summed: false) }
            return nil
        }
    }

    /// The counter's per-second increase since it was last seen; nil for the baseline.
    private mutating func rate(of key: String, value: Double, at time: Duration) -> Double? {
        guard value.isFinite else { return nil }
        guard let lastScrape else {
            previous[key] = Previous(value: value, time: time)
            return nil
        }
        let before = previous[key] ?? Previous(value: 0, time: lastScrape)
        let elapsed = (time - before.time).seconds
        guard elapsed > 0 else { return nil }
        previous[key] = Previous(value: value, time: time)
        let increase = value >= before.value ? value - before.value : value
        return increase / elapsed
    }
}
