import Metrics

// The closed vocabularies of `result.json`, typed. Their raw values are the JSON's strings
// (`schemas/result.schema.json` lists the same enums), and `description` is the raw value, so a
// value interpolated into a report reads as it does in the file.

extension ResultDocument {
    /// Whether the run went to the end of its schedule.
    public enum Status: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        /// The whole schedule ran.
        case completed
        /// The run stopped early (an aborting criterion, a signal, a failed target): `stop_reason` says why.
        case partial
        public var description: String { rawValue }
    }
}

extension ResultDocument.EncodedHistogram {
    /// Which latency a histogram holds.
    public enum Metric: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        /// Scheduled (open model) or sent (closed model) → response received.
        case latency
        /// Sent → response received.
        case serviceTime = "service_time"
        /// Open model: scheduled → actually sent.
        case sendLag = "send_lag"
        public var description: String { rawValue }
    }

    /// What a histogram covers.
    public enum Scope: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        /// The whole measured run.
        case overall
        /// One request of the mix (`name` is the request's).
        case request
        /// One stage (`name` is the stage's).
        case stage
        public var description: String { rawValue }
    }

    /// The unit of a histogram's values; only microseconds.
    public enum Unit: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        case microseconds = "us"
        public var description: String { rawValue }
    }

    /// How `data` is encoded; only HdrHistogram's compressed V2 form in base64.
    public enum Encoding: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        case hdrHistogramV2CompressedBase64 = "hdrhistogram-v2-compressed-base64"
        public var description: String { rawValue }
    }
}

extension ResultDocument.SourceSeries {
    /// The monitored source's category (`system`, `agents`, `business`).
    public typealias Category = MetricCategory
}

/// What a regression verdict's confidence interval says about a change (README, *Results store
/// and baselines*: the method).
public enum RegressionVerdictKind: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
    /// The whole interval lies beyond the tolerance in the bad direction.
    case regression
    /// The whole interval lies beyond the tolerance in the good direction.
    case improvement
    /// The whole interval lies inside ±2 × tolerance.
    case unchanged
    /// None of the above, or a quality gate failed; warns, fails only under `--strict`.
    case inconclusive
    public var description: String { rawValue }
}

/// How a change and its interval are expressed.
public enum ChangeUnit: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
    /// Relative change: 0.12 is +12% (latency, throughput).
    case relative
    /// Absolute difference of proportions: 0.0012 is +0.12 percentage points (error rate).
    case percentagePoints
    public var description: String { rawValue }
}

extension RunIssue.Evidence {
    /// The unit of an issue's `value`, `threshold` and `reference`.
    public enum Unit: String, Sendable, Codable, Hashable, CaseIterable, CustomStringConvertible {
        /// 0…1.
        case fraction
        /// Milliseconds.
        case milliseconds = "ms"
        /// Of one core, or of the host.
        case percent
        case perSecond = "per_second"
        case count
        case seconds = "s"
        public var description: String { rawValue }
    }
}
