/// The range of every number, count and length a scenario takes, in one place: the reader, the
/// validator (shared with `ScenarioBuilder`) and the README's table of bounds follow these.
///
/// They are generous for real use (days of load, millions of arrivals per second, a million
/// connections) and small enough that no arithmetic on an accepted value can overflow: a run of
/// at most 7 days is 6.05e14 nanoseconds, far inside `Int64`; a rate of at most 10,000,000/s over
/// it is 6.05e12 arrivals; weights of at most 1,000,000 over at most 1,000 requests sum to 1e9.
public enum ScenarioBounds {
    // MARK: The file

    /// A scenario file larger than this is refused before it is parsed.
    public static let maxFileBytes = 1_048_576
    /// YAML values the file may hold, counting every alias use as a full copy of what it names
    /// (an alias bomb of 20 lines would otherwise stand for billions of values).
    public static let maxYAMLNodes = 100_000
    /// Characters that can start a YAML value (`,` `:` `-` `?` `[` `{`), counted in the text before
    /// it is composed (in strings and comments too), so composing it stays cheap: at most 40,001
    /// nodes before aliases. A scenario has a few hundred; a large body belongs in `${NAME}`.
    public static let maxYAMLIndicators = 20_000
    /// How deeply YAML collections may nest (again counting through aliases).
    public static let maxYAMLDepth = 64

    // MARK: Durations

    /// The whole run (the stages, warmup included), any one stage, the warmup, a fault's `at` and
    /// `for`, a criterion's `after` and `for` window, a duration threshold, the demo target's stall period.
    public static let maxRunDuration: Duration = .seconds(7 * 86_400)
    /// A request's timeout, the readiness timeout, the closed model's think time, the demo target's
    /// latency, jitter and stall length, a latency fault's delay and jitter.
    public static let maxShortDuration: Duration = .seconds(3_600)

    // MARK: Load levels and connections

    /// Open model: arrivals per second (stage targets, `rate`, `start`). Zero is allowed; there is
    /// no lower bound above zero, as the arrival schedule never divides by a rate.
    public static let maxRatePerSecond = 10_000_000.0
    /// Closed model: virtual users (stage targets, `users`, `start`).
    public static let maxUsers = 1_000_000
    /// `connections` and `max_in_flight` (each at least 1).
    public static let maxConnections = 1_000_000
    /// Stages in the load profile.
    public static let maxStages = 10_000

    // MARK: Requests

    /// Requests in the mix.
    public static let maxRequests = 1_000
    /// A request's weight (at least 1).
    public static let maxWeight = 1_000_000
    /// Headers on one request.
    public static let maxHeaders = 100
    /// A header name, in characters.
    public static let maxHeaderNameLength = 256
    /// A header value, a request path, the ready and metrics paths, `body_contains`, in UTF-8 bytes
    /// (after `${NAME}` is substituted).
    public static let maxFieldBytes = 8_192
    /// A request body, in UTF-8 bytes, after substitution.
    public static let maxBodyBytes = 1_048_576
    /// Statuses in one `expect.status` list.
    public static let maxExpectedStatuses = 500
    /// `${random.int(a,b)}`: both bounds within ±(2^53 - 1), the integers a JSON number holds exactly.
    public static let maxTemplateInteger = 9_007_199_254_740_991

    // MARK: Names

    /// The scenario name: run ids are `YYYYMMDD_HHMMSS_<name>` plus a `-N` suffix when two runs
    /// share a second, and the store takes ids of at most 100 characters.
    public static let maxNameLength = 64
    /// A stage or request name, in characters.
    public static let maxPartNameLength = 128
    /// The description, in characters.
    public static let maxDescriptionLength = 4_096

    // MARK: Faults, criteria, regression

    /// Faults in the scenario.
    public static let maxFaults = 256
    /// A bandwidth fault's `limit`, in bytes per second (at least 1 B/s).
    public static let maxBandwidthBytesPerSecond = 8_589_934_592.0
    /// Criteria in the scenario.
    public static let maxCriteria = 1_000
    /// Regression rules in the scenario.
    public static let maxRegressionRules = 100
    /// A regression rule's tolerance (as a fraction: 10 = 1000%).
    public static let maxTolerance = 10.0
    /// A throughput threshold, per second.
    public static let maxThroughputThreshold = 1_000_000_000.0
    /// An `errors` or `dropped` threshold (more than 10,000,000/s for 7 days).
    public static let maxCountThreshold = 1e15
    /// A `prom:` threshold, either sign (scraped values are compared as they are).
    public static let maxPromThreshold = 1e300

    // MARK: Messages

    /// `7d`, `1h`: a bound as the README writes it.
    public static func describe(_ d: Duration) -> String {
        let seconds = d.components.seconds
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        return Units.formatDuration(d)
    }

    /// `10,000,000`: a count with thousands separators.
    public static func describe(_ n: Int) -> String { Units.formatCount(n) }

    /// `10,000,000`, or the number as `Units` formats it when it is not whole.
    public static func describe(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? describe(Int(v)) : Units.formatNumber(v)
    }
}
