import Foundation

/// Replaces secret values (those that came from the environment) with `***` in any text.
public struct Redactor: Sendable {
    /// The secrets, longest first, so a secret that contains another is replaced whole.
    private let secrets: [String]

    /// `secrets`: the values to hide; empty strings are ignored.
    public init(secrets: Set<String>) {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// `text` with every occurrence of every secret replaced by `***`.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "***")
        }
        return out
    }
}

/// The scenario as echoed in `result.json`: everything that shaped the run, with secrets and
/// sensitive headers replaced by `***`. Durations are in seconds; rates per second.
public struct RedactedScenario: Codable, Sendable, Hashable {
    /// The target: a URL, or the builtin demo target with its knobs.
    public struct Target: Codable, Sendable, Hashable {
        /// The base URL, or nil for the builtin target.
        public var url: String?
        /// `demo` for the builtin target.
        public var builtin: String?
        public var latencySeconds: Double?
        public var jitterSeconds: Double?
        public var errorRate: Double?
        public var stallEverySeconds: Double?
        public var stallForSeconds: Double?
        public var start: [String]?
        public var readyPath: String?
        public var readyTimeoutSeconds: Double?
        public var metrics: String?
        public var insecure: Bool

        enum CodingKeys: String, CodingKey {
            case url, builtin, start, metrics, insecure
            case latencySeconds = "latency_seconds", jitterSeconds = "jitter_seconds", errorRate = "error_rate"
            case stallEverySeconds = "stall_every_seconds", stallForSeconds = "stall_for_seconds"
            case readyPath = "ready_path", readyTimeoutSeconds = "ready_timeout_seconds"
        }
    }

    /// One stage of the load profile.
    public struct Stage: Codable, Sendable, Hashable {
        public var name: String
        public var durationSeconds: Double
        /// Arrivals per second (open model) or users (closed model) at the stage's end.
        public var target: Double
        enum CodingKeys: String, CodingKey { case name, target, durationSeconds = "duration_seconds" }
    }

    /// The load model, stages and connection knobs.
    public struct Load: Codable, Sendable, Hashable {
        public var model: String
        public var warmupSeconds: Double
        public var start: Double
        public var stages: [Stage]
        public var maxInFlight: Int
        public var connections: Int
        public var thinkSeconds: Double
        public var timeoutSeconds: Double
        public var keepalive: Bool
        enum CodingKeys: String, CodingKey {
            case model, start, stages, connections, keepalive
            case warmupSeconds = "warmup_seconds", maxInFlight = "max_in_flight", thinkSeconds = "think_seconds", timeoutSeconds = "timeout_seconds"
        }
    }

    /// A header; sensitive or environment-derived values are `***`.
    public struct Header: Codable, Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// One request of the mix, with templates shown as written and secrets as `***`.
    public struct Request: Codable, Sendable, Hashable {
        public var name: String
        public var weight: Int
        public var method: String
        public var path: String
        public var headers: [Header]
        public var body: String?
        public var expectStatus: [Int]?
        public var expectBodyContains: String?
        enum CodingKeys: String, CodingKey {
            case name, weight, method, path, headers, body
            case expectStatus = "expect_status", expectBodyContains = "expect_body_contains"
        }
    }

    /// A fault as scheduled, with its parameters as written.
    public struct Fault: Codable, Sendable, Hashable {
        public var kind: String
        public var atSeconds: Double
        public var forSeconds: Double
        public var parameters: [String: String]
        enum CodingKeys: String, CodingKey { case kind, parameters, atSeconds = "at_seconds", forSeconds = "for_seconds" }
    }

    public var name: String
    public var description: String?
    public var target: Target
    public var load: Load
    public var requests: [Request]
    public var faults: [Fault]
    /// The criteria as written.
    public var criteria: [String]
    /// The regression rules, as `p95(latency) ±10%` / `error_rate ±0.5% absolute`.
    public var regression: [String]
}

extension Scenario {
    /// The scenario with secrets and sensitive header values replaced by `***`, for echoing.
    public var redactedSummary: RedactedScenario {
        let redactor = Redactor(secrets: secrets)
        var target = RedactedScenario.Target(insecure: self.target.insecure)
        switch self.target.endpoint {
        case .url(let url):
            target.url = redactor.redact(url.description)
        case .builtin(let demo):
            target.builtin = "demo"
            target.latencySeconds = demo.latency.seconds
            target.jitterSeconds = demo.jitter.seconds
            target.errorRate = demo.errorRate
            target.stallEverySeconds = demo.stallEvery?.seconds
            target.stallForSeconds = demo.stallFor?.seconds
        }
        target.start = self.target.start?.map(redactor.redact)
        target.readyPath = self.target.ready.map { redactor.redact($0.path) }
        target.readyTimeoutSeconds = self.target.ready?.timeout.seconds
        target.metrics = self.target.metrics.map(redactor.redact)

        let load = RedactedScenario.Load(
            model: self.load.model.rawValue, warmupSeconds: self.load.warmup.seconds, start: self.load.start,
            stages: self.load.stages.map { .init(name: $0.name, durationSeconds: $0.duration.seconds, target: $0.target) },
            maxInFlight: self.load.maxInFlight, connections: self.load.connections, thinkSeconds: self.load.think.seconds,
            timeoutSeconds: self.load.timeout.seconds, keepalive: self.load.keepalive)

        let requests = self.requests.map { request in
            RedactedScenario.Request(
                name: redactor.redact(request.name), weight: request.weight, method: request.method,
                path: redactor.redact(request.path.redacted),
                headers: request.headers.map { .init(name: $0.name, value: $0.isSensitive ? "***" : redactor.redact($0.value.redacted)) },
                body: request.body.map { redactor.redact($0.redacted) },
                expectStatus: request.expect.status,
                expectBodyContains: request.expect.bodyContains.map(redactor.redact))
        }
        let faults = self.faults.map {
            RedactedScenario.Fault(kind: $0.kind.rawValue, atSeconds: $0.at.seconds, forSeconds: $0.duration.seconds,
                                   parameters: $0.parameters.mapValues(redactor.redact))
        }
        return RedactedScenario(
            name: name, description: description.map(redactor.redact), target: target, load: load, requests: requests,
            faults: faults, criteria: criteria.map { redactor.redact($0.source) },
            regression: regression.map(\.summary))
    }
}

extension RegressionRule {
    /// `p95(latency) ±10%`, `error_rate ±0.5% absolute`.
    public var summary: String {
        "\(metric) ±\(Units.formatNumber(tolerance * 100))%\(absolute ? " absolute" : "")"
    }
}
