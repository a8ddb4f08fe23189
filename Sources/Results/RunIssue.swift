/// Something that went wrong in a run, found in its own data (README, *Issues and recommendations*): what kind, how
/// bad, one sentence with the numbers, and the evidence behind it.
///
/// Encoded as it appears in `result.json` (`schemas/result.schema.json`, `issues`).
public struct RunIssue: Sendable, Hashable, Codable {
    /// What was detected. The raw values are stable: machines match on them.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Seconds whose error rate stood far above the rest of the run.
        case errorBurst = "error_burst"
        /// Seconds whose tail latency stood far above the run's typical second.
        case latencySpike = "latency_spike"
        /// The load generator could not do what the scenario asked (CPU, host CPU, or send lag).
        case generatorSaturation = "generator_saturation"
        /// The target could not keep up: behind the arrival schedule, or throughput flat while load rose.
        case targetSaturation = "target_saturation"
        /// Open model: arrivals not sent because `max_in_flight` requests were outstanding.
        case droppedArrivals = "dropped_arrivals"
        /// The target's process started anew during the run (or refused connections, then recovered).
        case targetRestart = "target_restart"
    }

    /// How much the issue undermines the run.
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
        /// Worth a look; the numbers still stand.
        case warning
        /// The run's numbers are dominated or invalidated by it.
        case critical
    }

    /// The measurement behind an issue: when, what, how much, against which level.
    public struct Evidence: Sendable, Hashable, Codable {
        /// Start of the window, in measured seconds (the `t` of `metrics.per_second`: 0 = end of warmup).
        public var fromS: Double
        /// End of the window (exclusive), in measured seconds.
        public var toS: Double
        /// What was measured: `error_rate`, `p99_latency`, `generator_cpu_percent`, `host_cpu_percent`,
        /// `send_lag_p99`, `dropped_share`, `throughput`, `process_start_time_seconds`, `connect_errors`.
        public var metric: String
        /// The measured value (the window's rate, the peak, the share), in `unit`.
        public var value: Double
        /// `fraction` (0…1), `ms`, `percent` (of one core, or of the host), `per_second`, `count` or `s`.
        public var unit: Unit
        /// The level at which the detector reports (same unit), when there is one.
        public var threshold: Double?
        /// The run's usual level it was compared with (same unit), when there is one.
        public var reference: Double?
        /// How many events the window holds (errors, dropped arrivals, restarts), when that is the point.
        public var count: Int?
        /// A short qualifier: the dominant error class or status, the load's rise, the generator's threads.
        public var detail: String?

        public init(fromS: Double, toS: Double, metric: String, value: Double, unit: Unit,
                    threshold: Double? = nil, reference: Double? = nil, count: Int? = nil, detail: String? = nil) {
            self.fromS = fromS
            self.toS = toS
            self.metric = metric
            self.value = value
            self.unit = unit
            self.threshold = threshold
            self.reference = reference
            self.count = count
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case fromS = "from_s"
            case toS = "to_s"
            case metric, value, unit, threshold, reference, count, detail
        }
    }

    /// What was detected.
    public var kind: Kind
    /// How much it undermines the run.
    public var severity: Severity
    /// One plain sentence with the numbers.
    public var summary: String
    public var evidence: Evidence
    /// The injected fault that caused it (a `target_restart` after a `kill`), by name.
    public var fault: String?

    public init(kind: Kind, severity: Severity, summary: String, evidence: Evidence, fault: String? = nil) {
        self.kind = kind
        self.severity = severity
        self.summary = summary
        self.evidence = evidence
        self.fault = fault
    }
}

/// What the diagnostics pass found: issues in time order, and recommendations that follow from them.
public struct Diagnosis: Sendable, Hashable {
    public var issues: [RunIssue]
    /// Plain sentences, one per distinct action; empty when there are no issues.
    public var recommendations: [String]

    public init(issues: [RunIssue], recommendations: [String]) {
        self.issues = issues
        self.recommendations = recommendations
    }
}
