
import Core
import Foundation

/// The result file (`result.json`, README, *Results store and baselines*): what machines read. Latencies are milliseconds,
/// rates per second, fractions 0…1, times in seconds from the start of the load — except a
/// criterion's `measured`, which is in the metric's base unit (seconds, per second, fraction,
/// count) beside its human `measured_text`. `schemas/result.schema.json` describes every field.
///
/// Bump `currentSchemaVersion` on any breaking change.
public struct ResultDocument: Sendable, Codable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var testId: String
    /// `completed`, or `partial` when the run stopped before the end of its schedule.
    public var status: Status
    public var stopReason: String?
    public var startedAt: Date
    public var endedAt: Date
    public var target: String
    /// `--tag KEY=VALUE` pairs given to `run`.
    public var tags: [String: String]
    public var scenario: RedactedScenario
    public var environment: EnvironmentInfo
    public var timeline: Timeline
    public var summary: Summary
    public var metrics: Metrics
    public var successCriteria: [Criterion]
    public var verdict: VerdictInfo
    /// Every run-level histogram, in HdrHistogram's compressed V2 encoding.
    public var histograms: [EncodedHistogram]
    /// Host, load generator and launched-target samples, one per second.
    public var monitoring: [SourceSeries]
    /// The target's Prometheus metrics per measured second (counters as rates), when scraped.
    public var targetMetrics: [String: [Double?]]?
    /// Things that make the numbers less trustworthy (a saturated generator, a failing scrape).
    public var warnings: [String]
    /// The comparison with a baseline (`run --baseline`), when there was one.
    public var comparison: Comparison?

    /// What went wrong in the run (error bursts, latency spikes, saturation, dropped arrivals,
    /// target restarts), each with its evidence, in time order (`Diagnostics`).
    public var issues: [RunIssue]
    /// Plain sentences that follow from the issues; empty when there are none.
    public var recommendations: [String]
    /// The injected faults (README, *Failure injection*); nil (absent) when the scenario has none.
    public var faults: [FaultRecord]?

    /// A histogram as HdrHistogram's Java, Go, Python and Rust libraries read it.
    public struct EncodedHistogram: Sendable, Codable, Equatable {
        /// `latency`, `service_time` or `send_lag`.
        public var metric: Metric
        /// `overall`, `request` or `stage`.
        public var scope: Scope
        /// The request or stage name (nil for `overall`).
        public var name: String?
        public var count: UInt64
        /// Always `us`: values are microseconds.
        public var unit: Unit
        /// Always `hdrhistogram-v2-compressed-base64`.
        public var encoding: Encoding
        public var data: String

        public init(metric: Metric, scope: Scope, name: String? = nil, count: UInt64, unit: Unit = .microseconds,
                    encoding: Encoding = .hdrHistogramV2CompressedBase64, data: String) {
            self.metric = metric
            self.scope = scope
            self.name = name
            self.count = count
            self.unit = unit
            self.encoding = encoding
            self.data = data
        }
    }

    /// One monitored source's samples.
    public struct SourceSeries: Sendable, Codable, Equatable {
        public struct Sample: Sendable, Codable, Equatable {
            /// Seconds from the start of the load (warmup included).
            public var t: Double
            public var values: [String: Double]

            public init(t: Double, values: [String: Double]) {
                self.t = t
                self.values = values
            }
        }
        /// `host`, `generator`, `target` or `prometheus`.
        public var source: String
        /// `system`, `agents` or `business`.
        public var category: Category
        public var samples: [Sample]

        public init(source: String, category: Category, samples: [Sample]) {
            self.source = source
            self.category = category
            self.samples = samples
        }
    }

    public struct EnvironmentInfo: Sendable, Codable, Equatable {
        public var host: String
        public var os: String
        public var cores: Int
        public var toolVersion: String
        public var gitCommit: String?
        public var gitBranch: String?
        public var ci: String?

        enum CodingKeys: String, CodingKey {
            case host
            case os
            case cores
            case toolVersion = "tool_version"
            case gitCommit = "git_commit"
            case gitBranch = "git_branch"
            case ci
        }

        public init(host: String, os: String, cores: Int, toolVersion: String, gitCommit: String? = nil, gitBranch: String? = nil, ci: String? = nil) {
            self.host = host
            self.os = os
            self.cores = cores
            self.toolVersion = toolVersion
            self.gitCommit = gitCommit
            self.gitBranch = gitBranch
            self.ci = ci
        }
    }

    public struct Timeline: Sendable, Codable, Equatable {
        public struct StateChange: Sendable, Codable, Equatable {
            public var from: String
            public var to: String
            public var atS: Double
            public var reason: String?

            enum CodingKeys: String, CodingKey {
                case from
                case to
                case atS = "at_s"
                case reason
            }

            public init(from: String, to: String, atS: Double, reason: String? = nil) {
                self.from = from
                self.to = to
                self.atS = atS
                self.reason = reason
            }
        }
        public struct Window: Sendable, Codable, Equatable {
            public var name: String
            public var startS: Double
            public var endS: Double

            enum CodingKeys: String, CodingKey {
                case name
                case startS = "start_s"
                case endS = "end_s"
            }

            public init(name: String, startS: Double, endS: Double) {
                self.name = name
                self.startS = startS
                self.endS = endS
            }
        }
        public var warmupS: Double
        public var plannedS: Double
        public var states: [StateChange]
        public var stages: [Window]
        public var pauses: [Window]
        /// When each injected fault was in force (absent without faults; `faults` has the detail).
        public var faults: [Window]?

        enum CodingKeys: String, CodingKey {
            case warmupS = "warmup_s"
            case plannedS = "planned_s"
            case states
            case stages
            case pauses
            case faults
        }

        public init(warmupS: Double, plannedS: Double, states: [StateChange], stages: [Window], pauses: [Window], faults: [Window]? = nil) {
            self.warmupS = warmupS
            self.plannedS = plannedS
            self.states = states
            self.stages = stages
            self.pauses = pauses
            self.faults = faults
        }
    }

    public struct Criterion: Sendable, Codable, Equatable {
        public var criterion: String
        public var passed: Bool
        public var measured: Double?
        public var measuredText: String
        public var limit: String
        public var evidence: String
        public var abort: Bool

        enum CodingKeys: String, CodingKey {
            case criterion
            case passed
            case measured
            case measuredText = "measured_text"
            case limit
            case evidence
            case abort
        }

        public init(criterion: String, passed: Bool, measured: Double? = nil, measuredText: String, limit: String, evidence: String, abort: Bool) {
            self.criterion = criterion
            self.passed = passed
            self.measured = measured
            self.measuredText = measuredText
            self.limit = limit
            self.evidence = evidence
            self.abort = abort
        }
    }

    public struct VerdictInfo: Sendable, Codable, Equatable {
        public var criteriaPassed: Bool
        public var failed: [String]
        /// The process exit code this verdict maps to (README, *Exit codes*).
        public var exitCode: Int32

        enum CodingKeys: String, CodingKey {
            case criteriaPassed = "criteria_passed"
            case failed
            case exitCode = "exit_code"
        }

        public init(criteriaPassed: Bool, failed: [String], exitCode: Int32) {
            self.criteriaPassed = criteriaPassed
            self.failed = failed
            self.exitCode = exitCode
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case testId = "test_id"
        case status
        case stopReason = "stop_reason"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case target
        case tags
        case scenario
        case environment
        case timeline
        case summary
        case metrics
        case successCriteria = "success_criteria"
        case verdict
        case histograms
        case monitoring
        case targetMetrics = "target_metrics"
        case warnings
        case comparison
        case issues
        case recommendations
        case faults
    }

    public init(schemaVersion: Int, testId: String, status: Status, stopReason: String? = nil, startedAt: Date, endedAt: Date, target: String, tags: [String: String], scenario: RedactedScenario, environment: EnvironmentInfo, timeline: Timeline, summary: Summary, metrics: Metrics, successCriteria: [Criterion], verdict: VerdictInfo, histograms: [EncodedHistogram], monitoring: [SourceSeries], targetMetrics: [String: [Double?]]? = nil, warnings: [String], comparison: Comparison? = nil, issues: [RunIssue], recommendations: [String], faults: [FaultRecord]? = nil) {
        self.schemaVersion = schemaVersion
        self.testId = testId
        self.status = status
        self.stopReason = stopReason
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.target = target
        self.tags = tags
        self.scenario = scenario
        self.environment = environment
        self.timeline = timeline
        self.summary = summary
        self.metrics = metrics
        self.successCriteria = successCriteria
        self.verdict = verdict
        self.histograms = histograms
        self.monitoring = monitoring
        self.targetMetrics = targetMetrics
        self.warnings = warnings
        self.comparison = comparison
        self.issues = issues
        self.recommendations = recommendations
        self.faults = faults
    }
}

extension ResultDocument {
    /// The encoder every writer of results uses: ISO 8601 dates, sorted keys.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The matching decoder.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
