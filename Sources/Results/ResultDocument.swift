
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
    public var status: String
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

    /// Regression verdicts against a baseline's runs (README, *Results store and baselines*: the method).
    public struct Comparison: Sendable, Codable, Equatable {
        public var baseline: String
        /// The baseline runs compared with, oldest first.
        public var baselineRuns: [String]
        public var verdicts: [RegressionVerdictInfo]
        /// Rules that were not compared, and why; why nothing was compared (a baseline recorded
        /// for another load shape).
        public var notes: [String]
        /// `run --strict`: an inconclusive gated verdict fails the build like a regression.
        public var strict: Bool

        public init(baseline: String, baselineRuns: [String], verdicts: [RegressionVerdictInfo], notes: [String], strict: Bool = false) {
            self.baseline = baseline
            self.baselineRuns = baselineRuns
            self.verdicts = verdicts
            self.notes = notes
            self.strict = strict
        }

        enum CodingKeys: String, CodingKey {
            case baseline
            case baselineRuns = "baseline_runs"
            case verdicts
            case notes
            case strict
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            baseline = try c.decode(String.self, forKey: .baseline)
            baselineRuns = try c.decode([String].self, forKey: .baselineRuns)
            verdicts = try c.decode([RegressionVerdictInfo].self, forKey: .verdicts)
            notes = try c.decode([String].self, forKey: .notes)
            strict = try c.decodeIfPresent(Bool.self, forKey: .strict) ?? false
        }

        /// A gating metric regressed.
        public var hasRegression: Bool { verdicts.contains { $0.gating && $0.verdict == "regression" } }
        /// A gating metric could not be judged.
        public var hasInconclusive: Bool { verdicts.contains { $0.gating && $0.verdict == "inconclusive" } }
        /// The comparison fails the build: a gated regression, or an inconclusive gated verdict under `--strict`.
        public var failsBuild: Bool { verdicts.contains { $0.failsBuild(strict: strict) } }
    }

    /// One metric's verdict: relative change (or percentage-point difference) with its 99% interval.
    public struct RegressionVerdictInfo: Sendable, Codable, Equatable {
        public var metric: String
        /// `regression`, `improvement`, `unchanged` or `inconclusive`.
        public var verdict: String
        /// Relative change (0.12 = +12%), or the difference in proportion for `unit` `percentage_points`.
        public var change: Double?
        public var lower: Double?
        public var upper: Double?
        public var tolerance: Double
        /// `relative` or `percentagePoints`.
        public var unit: String
        public var baselineRuns: Int
        public var candidateRuns: Int
        public var reasons: [String]
        /// Whether this metric can fail the build.
        public var gating: Bool
        /// The one-line form: `p95 latency +12.3% [+7.1%, +17.9%] (99% CI, 1 vs 10 runs, tolerance 10%) → regression`.
        public var line: String

        public init(metric: String, verdict: String, change: Double?, lower: Double?, upper: Double?, tolerance: Double, unit: String,
                    baselineRuns: Int, candidateRuns: Int, reasons: [String], gating: Bool, line: String) {
            self.metric = metric
            self.verdict = verdict
            self.change = change
            self.lower = lower
            self.upper = upper
            self.tolerance = tolerance
            self.unit = unit
            self.baselineRuns = baselineRuns
            self.candidateRuns = candidateRuns
            self.reasons = reasons
            self.gating = gating
            self.line = line
        }

        /// Whether this verdict fails the build: a gated regression, or a gated inconclusive one under `--strict`.
        public func failsBuild(strict: Bool) -> Bool {
            gating && (verdict == "regression" || (strict && verdict == "inconclusive"))
        }

        enum CodingKeys: String, CodingKey {
            case metric, verdict, change, lower, upper, tolerance, unit
            case baselineRuns = "baseline_runs"
            case candidateRuns = "candidate_runs"
            case reasons, gating, line
        }
    }
    /// What went wrong in the run (error bursts, latency spikes, saturation, dropped arrivals,
    /// target restarts), each with its evidence, in time order (`Diagnostics`).
    public var issues: [RunIssue]
    /// Plain sentences that follow from the issues; empty when there are none.
    public var recommendations: [String]

    /// A histogram as HdrHistogram's Java, Go, Python and Rust libraries read it.
    public struct EncodedHistogram: Sendable, Codable, Equatable {
        /// `latency`, `service_time` or `send_lag`.
        public var metric: String
        /// `overall`, `request` or `stage`.
        public var scope: String
        /// The request or stage name (nil for `overall`).
        public var name: String?
        public var count: UInt64
        /// Always `us`: values are microseconds.
        public var unit: String
        /// Always `hdrhistogram-v2-compressed-base64`.
        public var encoding: String
        public var data: String

        public init(metric: String, scope: String, name: String? = nil, count: UInt64, unit: String, encoding: String, data: String) {
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
        public var category: String
        public var samples: [Sample]

        public init(source: String, category: String, samples: [Sample]) {
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

        enum CodingKeys: String, CodingKey {
            case warmupS = "warmup_s"
            case plannedS = "planned_s"
            case states
            case stages
            case pauses
        }

        public init(warmupS: Double, plannedS: Double, states: [StateChange], stages: [Window], pauses: [Window]) {
            self.warmupS = warmupS
            self.plannedS = plannedS
            self.states = states
            self.stages = stages
            self.pauses = pauses
        }
    }

    /// Latency statistics in milliseconds.
    public struct Latency: Sendable, Codable, Equatable {
        public var count: UInt64
        public var min: Double
        public var mean: Double
        public var max: Double
        /// `"p50"`, `"p99.9"`, … → milliseconds.
        public var percentiles: [String: Double]

        public init(count: UInt64, min: Double, mean: Double, max: Double, percentiles: [String: Double]) {
            self.count = count
            self.min = min
            self.mean = mean
            self.max = max
            self.percentiles = percentiles
        }
    }

    public struct ErrorsByClass: Sendable, Codable, Equatable {
        public var connect: Int
        public var timeout: Int
        public var reset: Int
        public var status: Int
        public var expectation: Int

        public init(connect: Int, timeout: Int, reset: Int, status: Int, expectation: Int) {
            self.connect = connect
            self.timeout = timeout
            self.reset = reset
            self.status = status
            self.expectation = expectation
        }
    }

    /// Counters and latency of one window or slice.
    public struct Window: Sendable, Codable, Equatable {
        public var requests: Int
        public var throughput: Double
        public var errors: Int
        public var errorRate: Double
        public var errorsByClass: ErrorsByClass
        /// `"2xx"` → count.
        public var statusClasses: [String: Int]
        public var dropped: Int
        public var bytesIn: Int
        public var bytesOut: Int
        public var latency: Latency
        public var serviceTime: Latency

        enum CodingKeys: String, CodingKey {
            case requests
            case throughput
            case errors
            case errorRate = "error_rate"
            case errorsByClass = "errors_by_class"
            case statusClasses = "status_classes"
            case dropped
            case bytesIn = "bytes_in"
            case bytesOut = "bytes_out"
            case latency
            case serviceTime = "service_time"
        }

        public init(requests: Int, throughput: Double, errors: Int, errorRate: Double, errorsByClass: ErrorsByClass, statusClasses: [String: Int], dropped: Int, bytesIn: Int, bytesOut: Int, latency: Latency, serviceTime: Latency) {
            self.requests = requests
            self.throughput = throughput
            self.errors = errors
            self.errorRate = errorRate
            self.errorsByClass = errorsByClass
            self.statusClasses = statusClasses
            self.dropped = dropped
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.latency = latency
            self.serviceTime = serviceTime
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var measuredS: Double
        public var requests: Int
        public var throughput: Double
        public var errors: Int
        public var errorRate: Double
        public var dropped: Int
        public var latency: Latency
        public var serviceTime: Latency
        /// Open model: schedule → actual send.
        public var sendLag: Latency?

        enum CodingKeys: String, CodingKey {
            case measuredS = "measured_s"
            case requests
            case throughput
            case errors
            case errorRate = "error_rate"
            case dropped
            case latency
            case serviceTime = "service_time"
            case sendLag = "send_lag"
        }

        public init(measuredS: Double, requests: Int, throughput: Double, errors: Int, errorRate: Double, dropped: Int, latency: Latency, serviceTime: Latency, sendLag: Latency? = nil) {
            self.measuredS = measuredS
            self.requests = requests
            self.throughput = throughput
            self.errors = errors
            self.errorRate = errorRate
            self.dropped = dropped
            self.latency = latency
            self.serviceTime = serviceTime
            self.sendLag = sendLag
        }
    }

    public struct Second: Sendable, Codable, Equatable {
        public var t: Int
        public var requests: Int
        public var throughput: Double
        public var errors: ErrorsByClass
        public var dropped: Int
        public var inFlight: Int
        public var bytesIn: Int
        public var bytesOut: Int
        public var latency: Latency
        public var serviceTime: Latency

        enum CodingKeys: String, CodingKey {
            case t
            case requests
            case throughput
            case errors
            case dropped
            case inFlight = "in_flight"
            case bytesIn = "bytes_in"
            case bytesOut = "bytes_out"
            case latency
            case serviceTime = "service_time"
        }

        public init(t: Int, requests: Int, throughput: Double, errors: ErrorsByClass, dropped: Int, inFlight: Int, bytesIn: Int, bytesOut: Int, latency: Latency, serviceTime: Latency) {
            self.t = t
            self.requests = requests
            self.throughput = throughput
            self.errors = errors
            self.dropped = dropped
            self.inFlight = inFlight
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.latency = latency
            self.serviceTime = serviceTime
        }
    }

    public struct Named: Sendable, Codable, Equatable {
        public var name: String
        public var stats: Window

        public init(name: String, stats: Window) {
            self.name = name
            self.stats = stats
        }
    }

    public struct Metrics: Sendable, Codable, Equatable {
        public var overall: Window
        public var perRequest: [Named]
        public var perStage: [Named]
        public var perSecond: [Second]

        enum CodingKeys: String, CodingKey {
            case overall
            case perRequest = "per_request"
            case perStage = "per_stage"
            case perSecond = "per_second"
        }

        public init(overall: Window, perRequest: [Named], perStage: [Named], perSecond: [Second]) {
            self.overall = overall
            self.perRequest = perRequest
            self.perStage = perStage
            self.perSecond = perSecond
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
    }

    public init(schemaVersion: Int, testId: String, status: String, stopReason: String? = nil, startedAt: Date, endedAt: Date, target: String, tags: [String: String], scenario: RedactedScenario, environment: EnvironmentInfo, timeline: Timeline, summary: Summary, metrics: Metrics, successCriteria: [Criterion], verdict: VerdictInfo, histograms: [EncodedHistogram], monitoring: [SourceSeries], targetMetrics: [String: [Double?]]? = nil, warnings: [String], comparison: Comparison? = nil, issues: [RunIssue], recommendations: [String]) {
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
