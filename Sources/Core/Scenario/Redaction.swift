import Foundation

/// Replaces secret values (those that came from the environment) with `***` in free text: error
/// messages, warnings, stop reasons, a launched target's log. Values in a result are redacted in the
/// model before anything is serialized; this never runs over JSON, HTML or XML.
///
/// Matching is per Unicode scalar, so a secret followed by a combining mark is still found.
public struct Redactor: Sendable {
    /// The secrets as scalars, longest first, so a secret that contains another is replaced whole.
    private let secrets: [[Unicode.Scalar]]

    /// `secrets`: the values to hide; empty strings are ignored.
    public init(secrets: Set<String>) {
        self.secrets = secrets.filter { !$0.isEmpty }
            .sorted { $0.unicodeScalars.count != $1.unicodeScalars.count ? $0.unicodeScalars.count > $1.unicodeScalars.count : $0 < $1 }
            .map { Array($0.unicodeScalars) }
    }

    /// Whether there is anything to hide.
    public var isEmpty: Bool { secrets.isEmpty }

    /// `text` with every occurrence of every secret replaced by `***`.
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var scalars = Array(text.unicodeScalars)
        var changed = false
        for secret in secrets {
            guard scalars.count >= secret.count, let first = secret.first else { continue }
            var out: [Unicode.Scalar] = []
            var i = 0
            var found = false
            while i < scalars.count {
                if scalars[i] == first, i + secret.count <= scalars.count, scalars[i..<(i + secret.count)].elementsEqual(secret) {
                    out.append(contentsOf: "***".unicodeScalars)
                    i += secret.count
                    found = true
                } else {
                    out.append(scalars[i])
                    i += 1
                }
            }
            if found {
                scalars = out
                changed = true
            }
        }
        guard changed else { return text }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
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
        public var model: LoadModel
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
        public var name: String?
        public var request: String?
        enum CodingKeys: String, CodingKey { case kind, parameters, name, request, atSeconds = "at_seconds", forSeconds = "for_seconds" }
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
    /// The scenario for echoing: templates as written with environment values as `***`, sensitive
    /// header values as `***`. Built from the model, so a secret never has to be searched for in text.
    public var redactedSummary: RedactedScenario {
        var target = RedactedScenario.Target(insecure: self.target.insecure)
        switch self.target.endpoint {
        case .url:
            target.url = self.target.displayURL
        case .builtin(let demo):
            target.builtin = "demo"
            target.latencySeconds = demo.latency.seconds
            target.jitterSeconds = demo.jitter.seconds
            target.errorRate = demo.errorRate
            target.stallEverySeconds = demo.stallEvery?.seconds
            target.stallForSeconds = demo.stallFor?.seconds
        }
        target.start = self.target.redactedStart ?? self.target.start
        target.readyPath = self.target.ready?.path
        target.readyTimeoutSeconds = self.target.ready?.timeout.seconds
        target.metrics = self.target.metrics

        let load = RedactedScenario.Load(
            model: self.load.model, warmupSeconds: self.load.warmup.seconds, start: self.load.start,
            stages: self.load.stages.map { .init(name: $0.name, durationSeconds: $0.duration.seconds, target: $0.target) },
            maxInFlight: self.load.maxInFlight, connections: self.load.connections, thinkSeconds: self.load.think.seconds,
            timeoutSeconds: self.load.timeout.seconds, keepalive: self.load.keepalive)

        let requests = self.requests.map { request in
            RedactedScenario.Request(
                name: request.name, weight: request.weight, method: request.method,
                path: request.path.redacted,
                headers: request.headers.map { .init(name: $0.name, value: $0.isSensitive ? "***" : $0.value.redacted) },
                body: request.body.map(\.redacted),
                expectStatus: request.expect.status,
                expectBodyContains: request.expect.bodyContains)
        }
        let faults = self.faults.map {
            RedactedScenario.Fault(kind: $0.kind.rawValue, atSeconds: $0.at.seconds, forSeconds: $0.duration.seconds, parameters: $0.parameters,
                                   name: $0.name, request: $0.request)
        }
        return RedactedScenario(
            name: name, description: description, target: target, load: load, requests: requests,
            faults: faults, criteria: criteria.map(\.source), regression: regression.map(\.summary))
    }
}

extension RegressionRule {
    /// `p95(latency) ±10%`, `error_rate ±0.5% absolute`.
    public var summary: String {
        "\(metric) ±\(Units.formatNumber(tolerance * 100))%\(absolute ? " absolute" : "")"
    }
}
