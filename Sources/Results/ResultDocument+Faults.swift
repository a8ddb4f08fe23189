extension ResultDocument {
    /// One injected fault as it ran (README, *Failure injection*): what, when it was planned and
    /// when it was in force, what it did, and how long the service took to come back.
    /// Times are seconds on the scenario clock (warmup included, as `timeline.stages`).
    public struct FaultRecord: Sendable, Codable, Equatable {
        /// The seven kinds of fault.
        public enum Kind: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
            case latency, error, reset, blackhole, bandwidth, kill, pause
            public var description: String { rawValue }
        }

        /// A span on the scenario clock.
        public struct Span: Sendable, Codable, Equatable {
            public var startS: Double
            public var endS: Double
            public init(startS: Double, endS: Double) {
                self.startS = startS
                self.endS = endS
            }
            enum CodingKeys: String, CodingKey {
                case startS = "start_s"
                case endS = "end_s"
            }
        }

        /// What a `kill` fault's restart did.
        public struct Restart: Sendable, Codable, Equatable {
            /// When SIGKILL was sent.
            public var killedS: Double
            /// When the target was started again (nil: it was not, the run ended first).
            public var startedS: Double?
            /// When its readiness probe first passed (nil: it did not before the run ended).
            public var readyS: Double?
            /// The new process id.
            public var pid: Int32?
            public init(killedS: Double, startedS: Double?, readyS: Double?, pid: Int32?) {
                self.killedS = killedS
                self.startedS = startedS
                self.readyS = readyS
                self.pid = pid
            }
            enum CodingKeys: String, CodingKey {
                case killedS = "killed_s"
                case startedS = "started_s"
                case readyS = "ready_s"
                case pid
            }
        }

        /// Its `name:`, or `KIND-N` (N counts from 1 among the scenario's faults).
        public var name: String
        public var kind: Kind
        /// The kind's parameters as written (`delay`, `jitter`, `rate`, `status`, `limit`).
        public var parameters: [String: String]
        /// The request of the mix it was scoped to, if any.
        public var request: String?
        /// As the scenario planned it.
        public var planned: Span
        /// As it was in force; nil when the run ended before it began.
        public var actual: Span?
        /// Requests in its scope that reached the fault proxy while it was in force (network faults).
        public var requests: Int?
        /// Of those, the ones it acted on: delayed, answered with an error, reset, held, throttled.
        public var affected: Int?
        /// For `kill`: the restart.
        public var restart: Restart?
        /// Seconds from its end until the error rate and p95 were back at the pre-fault level;
        /// nil when they were not before the run ended (or it never ran).
        public var recoveryS: Double?
        /// The pre-fault error-rate level (fraction) recovery was judged against.
        public var recoveryErrorRateLevel: Double?
        /// The pre-fault p95 level (milliseconds) recovery was judged against, when there was one.
        public var recoveryP95LevelMs: Double?

        public init(name: String, kind: Kind, parameters: [String: String], request: String? = nil, planned: Span, actual: Span?,
                    requests: Int? = nil, affected: Int? = nil, restart: Restart? = nil,
                    recoveryS: Double? = nil, recoveryErrorRateLevel: Double? = nil, recoveryP95LevelMs: Double? = nil) {
            self.name = name
            self.kind = kind
            self.parameters = parameters
            self.request = request
            self.planned = planned
            self.actual = actual
            self.requests = requests
            self.affected = affected
            self.restart = restart
            self.recoveryS = recoveryS
            self.recoveryErrorRateLevel = recoveryErrorRateLevel
            self.recoveryP95LevelMs = recoveryP95LevelMs
        }

        enum CodingKeys: String, CodingKey {
            case name, kind, parameters, request, planned, actual, requests, affected, restart
            case recoveryS = "recovery_s"
            case recoveryErrorRateLevel = "recovery_error_rate_level"
            case recoveryP95LevelMs = "recovery_p95_level_ms"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(kind, forKey: .kind)
            try c.encode(parameters, forKey: .parameters)
            try c.encodeIfPresent(request, forKey: .request)
            try c.encode(planned, forKey: .planned)
            // `actual` and `recovery_s` are always present: null says "did not run" / "never recovered".
            try c.encode(actual, forKey: .actual)
            try c.encodeIfPresent(requests, forKey: .requests)
            try c.encodeIfPresent(affected, forKey: .affected)
            try c.encodeIfPresent(restart, forKey: .restart)
            try c.encode(recoveryS, forKey: .recoveryS)
            try c.encodeIfPresent(recoveryErrorRateLevel, forKey: .recoveryErrorRateLevel)
            try c.encodeIfPresent(recoveryP95LevelMs, forKey: .recoveryP95LevelMs)
        }
    }
}
