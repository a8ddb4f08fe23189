/// A load test as a scenario file describes it (README, *Scenario file*), parsed and checked.
///
/// Build one with `ScenarioLoader` from a file, or in code (see `ScenarioBuilder` in StressCI).
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    public var target: TargetSpec
    public var load: LoadSpec
    public var requests: [RequestSpec]
    public var faults: [FaultSpec]
    public var criteria: [CriterionSpec]
    public var regression: [RegressionRule]
    /// Where the scenario was read from, if from a file.
    public var sourcePath: String?
    /// Values that came from the environment. They are replaced by `***` wherever text is echoed.
    public var secrets: Set<String>

    public init(
        name: String, description: String? = nil, target: TargetSpec, load: LoadSpec,
        requests: [RequestSpec], faults: [FaultSpec] = [], criteria: [CriterionSpec] = [],
        regression: [RegressionRule] = RegressionRule.defaults, sourcePath: String? = nil, secrets: Set<String> = []
    ) {
        self.name = name
        self.description = description
        self.target = target
        self.load = load
        self.requests = requests
        self.faults = faults
        self.criteria = criteria
        self.regression = regression
        self.sourcePath = sourcePath
        self.secrets = secrets
    }
}

/// Where the load goes and how the runner gets it ready.
public struct TargetSpec: Sendable, Hashable {
    /// A URL to reach, or the embedded demo target (README, *Scenario file*: the embedded target).
    public enum Endpoint: Sendable, Hashable {
        case url(TargetURL)
        case builtin(DemoTargetOptions)
    }
    public var endpoint: Endpoint
    /// A command the runner launches before the load, and stops after (SIGTERM, then SIGKILL).
    public var start: [String]?
    /// What the runner waits for before the load starts.
    public var ready: ReadySpec?
    /// A path serving Prometheus text, scraped during the run.
    public var metrics: String?
    /// Accept any TLS certificate (self-signed test targets).
    public var insecure: Bool
    /// The URL as written, with the parts that came from the environment as `***`; nil when
    /// none did. What results and logs show instead of the URL.
    public var redactedURL: String?
    /// The start command as written, with environment values as `***`; nil when none came from it.
    public var redactedStart: [String]?

    public init(endpoint: Endpoint, start: [String]? = nil, ready: ReadySpec? = nil, metrics: String? = nil, insecure: Bool = false,
                redactedURL: String? = nil, redactedStart: [String]? = nil) {
        self.endpoint = endpoint
        self.start = start
        self.ready = ready
        self.metrics = metrics
        self.insecure = insecure
        self.redactedURL = redactedURL
        self.redactedStart = redactedStart
    }

    /// The load speaks TLS to it (an `https://` URL).
    public var isHTTPS: Bool {
        if case .url(let url) = endpoint { return url.scheme == .https }
        return false
    }

    /// Where the load goes, safe to show: the URL with environment values as `***`, or `builtin: demo`.
    public var displayURL: String? {
        guard case .url(let url) = endpoint else { return nil }
        return redactedURL ?? url.description
    }
}

/// An `http://` or `https://` base URL.
public struct TargetURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable { case http, https }
    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// A path prefix put before every request's path ("" or "/api").
    public var basePath: String

    public init(scheme: Scheme, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port ?? (scheme == .https ? 443 : 80)
        self.basePath = basePath
    }

    /// Parses `http://host[:port][/base]`; nil if it is not one.
    public init?(parsing text: String) {
        let scheme: Scheme
        let rest: Substring
        if text.hasPrefix("http://") { scheme = .http; rest = text.dropFirst(7) }
        else if text.hasPrefix("https://") { scheme = .https; rest = text.dropFirst(8) }
        else { return nil }
        let hostPort = rest.prefix { $0 != "/" }
        var base = String(rest.dropFirst(hostPort.count))
        while base.hasSuffix("/") { base.removeLast() }
        var host = Substring(hostPort)
        var port: Int?
        if host.hasPrefix("[") {  // [::1]:8080
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") { guard let p = Int(after.dropFirst()) else { return nil }; port = p }
            else if !after.isEmpty { return nil }
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, port.map({ (1...65535).contains($0) }) ?? true else { return nil }
        self.init(scheme: scheme, host: String(host), port: port, basePath: base)
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(h):\(port)\(basePath)"
    }
}

/// How the runner knows the target is up: a GET of `path` answering 2xx within `timeout`.
public struct ReadySpec: Sendable, Hashable {
    public var path: String
    public var timeout: Duration
    public init(path: String = "/", timeout: Duration = .seconds(30)) {
        self.path = path
        self.timeout = timeout
    }
}

/// The knobs of the embedded demo target (README, *Scenario file*: the embedded target).
public struct DemoTargetOptions: Sendable, Hashable, Codable {
    /// Base latency of every answer.
    public var latency: Duration
    /// Uniform jitter added on top of `latency` (0 … jitter).
    public var jitter: Duration
    /// Fraction of answers that are `500` (0 … 1).
    public var errorRate: Double
    /// Periodic stalls: every `stallEvery` the target stops answering for `stallFor`.
    public var stallEvery: Duration?
    public var stallFor: Duration?

    public init(latency: Duration = .zero, jitter: Duration = .zero, errorRate: Double = 0, stallEvery: Duration? = nil, stallFor: Duration? = nil) {
        self.latency = latency
        self.jitter = jitter
        self.errorRate = errorRate
        self.stallEvery = stallEvery
        self.stallFor = stallFor
    }
}

/// The load model: open (arrival rate) or closed (virtual users).
public enum LoadModel: String, Sendable, Hashable, CaseIterable, Codable {
    /// Requests start on schedule whatever the target does; latency is timed from the schedule.
    case open
    /// Each virtual user sends, waits for the response, thinks, and sends again.
    case closed
}

/// One stage of the load profile: a linear ramp from the previous level to `target` over `duration`.
public struct Stage: Sendable, Hashable {
    public var name: String
    public var duration: Duration
    /// Arrivals per second (open model) or users (closed model) at the stage's end.
    public var target: Double
    public init(name: String, duration: Duration, target: Double) {
        self.name = name
        self.duration = duration
        self.target = target
    }
}

/// How much load, of which model, for how long.
public struct LoadSpec: Sendable, Hashable {
    public var model: LoadModel
    /// The first `warmup` of the run applies load but is excluded from every statistic.
    public var warmup: Duration
    /// The level before the first stage (default 0).
    public var start: Double
    public var stages: [Stage]
    /// Open model: arrivals beyond this many outstanding requests are counted as dropped.
    public var maxInFlight: Int
    /// HTTP/1.1 keep-alive connections (open model); in the closed model each user has one.
    public var connections: Int
    /// Closed model: pause between a user's requests.
    public var think: Duration
    public var timeout: Duration
    /// Reuse connections (HTTP keep-alive). `false` opens a connection per request.
    public var keepalive: Bool

    public init(
        model: LoadModel, warmup: Duration = .zero, start: Double = 0, stages: [Stage],
        maxInFlight: Int = 1024, connections: Int = 64, think: Duration = .zero,
        timeout: Duration = .seconds(5), keepalive: Bool = true
    ) {
        self.model = model
        self.warmup = warmup
        self.start = start
        self.stages = stages
        self.maxInFlight = maxInFlight
        self.connections = connections
        self.think = think
        self.timeout = timeout
        self.keepalive = keepalive
    }

    /// The whole run, warmup included (the sum of the stages).
    public var totalDuration: Duration { stages.reduce(.zero) { $0 + $1.duration } }
}

/// One request of the mix.
public struct RequestSpec: Sendable, Hashable {
    public var name: String
    public var weight: Int
    public var method: String
    public var path: Template
    public var headers: [Header]
    public var body: Template?
    public var expect: Expectation

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: Template
        public init(name: String, value: Template) {
            self.name = name
            self.value = value
        }
        /// Headers whose values are always redacted: authorization, cookie, *token*, *secret*, *key*.
        public var isSensitive: Bool {
            let n = name.lowercased()
            return n == "authorization" || n == "cookie" || n == "set-cookie" || n == "proxy-authorization"
                || n.contains("token") || n.contains("secret") || n.contains("key")
        }
    }

    public init(name: String, weight: Int = 1, method: String = "GET", path: Template, headers: [Header] = [], body: Template? = nil, expect: Expectation = Expectation()) {
        self.name = name
        self.weight = weight
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.expect = expect
    }
}

/// What a response must satisfy. Without `status`, any status below 400 passes.
public struct Expectation: Sendable, Hashable {
    public var status: [Int]?
    /// A substring the body must contain.
    public var bodyContains: String?
    public init(status: [Int]? = nil, bodyContains: String? = nil) {
        self.status = status
        self.bodyContains = bodyContains
    }
}

/// A fault injected on the scenario clock (fault injection, not built yet).
public struct FaultSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case latency, error, reset, blackhole, bandwidth, kill, pause
        /// `kill` and `pause` act on a launched target's process; the rest on its traffic.
        public var isProcessFault: Bool { self == .kill || self == .pause }
    }
    public var kind: Kind
    /// When it begins, on the scenario clock (warmup included).
    public var at: Duration
    /// How long it lasts (`for`); for `kill`, how long the target stays down (0: started again at once).
    public var duration: Duration
    /// The kind's parameters as written (delay, jitter, rate, status, limit).
    public var parameters: [String: String]
    /// Its `name:`, for `{fault=NAME}` and the reports.
    public var name: String?
    /// A network fault scoped to one request of the mix (`request:`).
    public var request: String?
    public init(kind: Kind, at: Duration, duration: Duration, parameters: [String: String] = [:], name: String? = nil, request: String? = nil) {
        self.kind = kind
        self.at = at
        self.duration = duration
        self.parameters = parameters
        self.name = name
        self.request = request
    }

    /// Its name in reports and `{fault=NAME}`: `name:`, or `KIND-N` with N its 1-based position
    /// among the scenario's faults.
    public func displayName(index: Int) -> String { name ?? "\(kind.rawValue)-\(index + 1)" }
}

/// A success criterion with its run-time options.
public struct CriterionSpec: Sendable, Hashable {
    public var expression: CriterionExpression
    /// The text as written in the scenario.
    public var source: String
    /// Stop the run early when the criterion fails (checked live).
    public var abort: Bool
    /// With `abort`: not checked before this much of the run has passed.
    public var after: Duration?
    public init(expression: CriterionExpression, source: String, abort: Bool = false, after: Duration? = nil) {
        self.expression = expression
        self.source = source
        self.abort = abort
        self.after = after
    }
}

/// A regression check against the baseline (used by the baseline comparison; parsed and checked now).
public struct RegressionRule: Sendable, Hashable {
    public var metric: MetricSelector
    /// Tolerated change: relative (0.10 = 10%) unless `absolute`.
    public var tolerance: Double
    public var absolute: Bool
    public init(metric: MetricSelector, tolerance: Double, absolute: Bool = false) {
        self.metric = metric
        self.tolerance = tolerance
        self.absolute = absolute
    }

    /// The defaults (README, *Results store and baselines*).
    public static let defaults: [RegressionRule] = [
        RegressionRule(metric: MetricSelector(aggregate: .percentile(95), metric: .latency), tolerance: 0.10),
        RegressionRule(metric: MetricSelector(aggregate: .percentile(99), metric: .latency), tolerance: 0.15),
        RegressionRule(metric: MetricSelector(aggregate: .value, metric: .throughput), tolerance: 0.05),
        RegressionRule(metric: MetricSelector(aggregate: .value, metric: .errorRate), tolerance: 0.005, absolute: true),
    ]
}
