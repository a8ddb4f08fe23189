
import Core
import Foundation
import Metrics

extension ResultDocument {
    /// The bounds every number of a stored result (`result.json`, `runs/ID.json`, a baseline's
    /// runs) must lie within to be read back (README, "Stored results").
    ///
    /// They are far beyond any real run, and tight enough that the arithmetic that reads a result
    /// (sums over windows, seconds as nanoseconds, milliseconds as `Duration`s, chart axes) cannot
    /// overflow or trap on a corrupt or hostile file.
    public enum Limits {
        /// Counts: requests, errors, bytes, dropped arrivals, histogram counts (10^15).
        public static let count = 1_000_000_000_000_000
        /// Durations and times in seconds: the timeline, stages, measured time (10^7 s, about 115 days).
        public static let seconds = 10_000_000.0
        /// Latencies in milliseconds (the same 10^7 s).
        public static let milliseconds = seconds * 1000
        /// Rates per second: throughput (10^15/s).
        public static let rate = 1e15
        /// A stage's level: arrivals per second (open model) or users (closed model) (10^9).
        public static let level = 1e9
        /// Connections, in-flight limits and request weights (10^12).
        public static let knob = 1_000_000_000_000
        /// Free-form measured values: monitoring samples, Prometheus series, a criterion's
        /// `measured`, a comparison's changes (|x| ≤ 10^18).
        public static let value = 1e18
        /// A regression tolerance, as a fraction (100 = 10 000%).
        public static let tolerance = 100.0
        /// Entries of a per-second series, a monitored source's samples, a Prometheus series (10^6).
        public static let seriesLength = 1_000_000
        /// Entries of any other list: requests, stages, criteria, issues, warnings, sources (10^4).
        public static let listLength = 10_000
        /// Base64 characters of one histogram (1 MiB).
        public static let histogramCharacters = 1 << 20
        /// What decoding one stored histogram may allocate (stress-ci's own need a few hundred KiB).
        public static let histogram = HistogramCodec.Limits(decompressedBytes: 1 << 20, countsLength: 1 << 16)
        /// The largest result or baseline file read (512 MiB).
        public static let fileBytes = 512 << 20
        /// The earliest and latest start or end of a run: 1970-01-01 and 2200-01-01 (UTC).
        public static let earliest = Date(timeIntervalSince1970: 0)
        public static let latest = Date(timeIntervalSince1970: 7_258_118_400)
    }

    /// The document, unless a number in it is out of bounds (see `Limits`) or contradicts another
    /// (more errors than requests): then exit 65 naming `path` and the JSON path of the value.
    public func checked(path: String) throws(StressError) -> ResultDocument {
        try check(file: path)
        return self
    }

    /// Throws unless every number lies within `Limits`; `prefix` is where the document sits in
    /// `file` (`runs[2].` in a baseline), so the message names the value's full JSON path.
    public func check(file: String, at prefix: String = "") throws(StressError) {
        let checker = ResultChecker(file: file, prefix: prefix)
        try checker.document(self)
    }
}

/// Walks a result, throwing at the first value out of bounds. Paths are built only on failure.
struct ResultChecker {
    typealias Path = () -> String
    let file: String
    let prefix: String

    func fail(_ path: Path, _ problem: String) -> StressError {
        StressError(.invalidInput, "`\(file)`: `\(prefix)\(path())` \(problem)",
                    hint: "the file is corrupt or was edited by hand; re-run the test, or restore the file from where it came from")
    }

    // MARK: Primitives

    func count(_ value: Int, _ path: @autoclosure Path, limit: Int = ResultDocument.Limits.count) throws(StressError) {
        guard value >= 0, value <= limit else { throw fail(path, "is \(value); it must be a whole number from 0 to \(Self.text(limit))") }
    }

    func count(_ value: UInt64, _ path: @autoclosure Path) throws(StressError) {
        guard value <= UInt64(ResultDocument.Limits.count) else {
            throw fail(path, "is \(value); it must be a whole number from 0 to \(Self.text(ResultDocument.Limits.count))")
        }
    }

    func number(_ value: Double, _ path: @autoclosure Path, _ range: ClosedRange<Double>, _ what: String) throws(StressError) {
        guard value.isFinite, range.contains(value) else {
            throw fail(path, "is \(Self.text(value)); \(what) must be from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))")
        }
    }

    func seconds(_ value: Double, _ path: @autoclosure Path, signed: Bool = false) throws(StressError) {
        let limit = ResultDocument.Limits.seconds
        try number(value, path(), (signed ? -limit : 0)...limit, "a time in seconds")
    }

    func fraction(_ value: Double, _ path: @autoclosure Path) throws(StressError) {
        try number(value, path(), 0...1, "a fraction")
    }

    func rate(_ value: Double, _ path: @autoclosure Path) throws(StressError) {
        try number(value, path(), 0...ResultDocument.Limits.rate, "a rate per second")
    }

    func value(_ value: Double, _ path: @autoclosure Path) throws(StressError) {
        let limit = ResultDocument.Limits.value
        try number(value, path(), -limit...limit, "a value")
    }

    func length(_ count: Int, _ path: @autoclosure Path, limit: Int = ResultDocument.Limits.listLength) throws(StressError) {
        guard count <= limit else { throw fail(path, "has \(count) entries; at most \(Self.text(limit)) are read") }
    }

    func notAbove(_ part: Int, _ whole: Int, _ path: @autoclosure Path, _ wholeName: String) throws(StressError) {
        guard part <= whole else { throw fail(path, "is \(part), more than its \(wholeName) (\(whole))") }
    }

    static func text(_ value: Int) -> String { value == ResultDocument.Limits.count ? "10^15" : "\(value)" }

    static func text(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    // MARK: The document

    func document(_ d: ResultDocument) throws(StressError) {
        guard d.schemaVersion == ResultDocument.currentSchemaVersion else {
            throw StressError(.invalidInput, "`\(file)`: `\(prefix)schema_version` is \(d.schemaVersion); this stress-ci reads \(ResultDocument.currentSchemaVersion)",
                              hint: "re-run it, or use the stress-ci version that wrote it")
        }
        try date(d.startedAt, "started_at")
        try date(d.endedAt, "ended_at")
        guard d.endedAt >= d.startedAt, d.endedAt.timeIntervalSince(d.startedAt) <= ResultDocument.Limits.seconds else {
            throw fail({ "ended_at" }, "is \(Self.iso(d.endedAt)); it must lie from started_at (\(Self.iso(d.startedAt))) to \(Self.text(ResultDocument.Limits.seconds)) s after it")
        }
        try count(d.environment.cores, "environment.cores", limit: 1_000_000)
        try length(d.tags.count, "tags")
        try length(d.warnings.count, "warnings")
        try length(d.recommendations.count, "recommendations")
        try scenario(d.scenario)
        try timeline(d.timeline)
        try summary(d.summary)
        try metrics(d.metrics)
        try criteria(d.successCriteria)
        try count(Int(d.verdict.exitCode), "verdict.exit_code", limit: 255)
        try length(d.verdict.failed.count, "verdict.failed")
        try histograms(d.histograms, of: d.metrics)
        try monitoring(d.monitoring)
        if let series = d.targetMetrics { try targetMetrics(series) }
        if let comparison = d.comparison { try self.comparison(comparison) }
        try issues(d.issues)
        if let faults = d.faults { try self.faults(faults) }
    }

    func date(_ value: Date, _ path: String) throws(StressError) {
        guard value >= ResultDocument.Limits.earliest, value < ResultDocument.Limits.latest else {
            throw fail({ path }, "is \(Self.iso(value)); a run's time must lie from 1970 to 2199")
        }
    }

    static func iso(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e14 else { return "\(seconds) s from 1970" }
        return ISO8601DateFormatter().string(from: date)
    }

    func scenario(_ s: RedactedScenario) throws(StressError) {
        let t = s.target
        for (key, v) in [("latency_seconds", t.latencySeconds), ("jitter_seconds", t.jitterSeconds), ("stall_every_seconds", t.stallEverySeconds),
                         ("stall_for_seconds", t.stallForSeconds), ("ready_timeout_seconds", t.readyTimeoutSeconds)] {
            if let v { try seconds(v, "scenario.target.\(key)") }
        }
        if let rate = t.errorRate { try fraction(rate, "scenario.target.error_rate") }
        try length(t.start?.count ?? 0, "scenario.target.start")
        let l = s.load
        try seconds(l.warmupSeconds, "scenario.load.warmup_seconds")
        try number(l.start, "scenario.load.start", 0...ResultDocument.Limits.level, "a level (per second or users)")
        try length(l.stages.count, "scenario.load.stages")
        var total = 0.0
        for (i, stage) in l.stages.enumerated() {
            try seconds(stage.durationSeconds, "scenario.load.stages[\(i)].duration_seconds")
            try number(stage.target, "scenario.load.stages[\(i)].target", 0...ResultDocument.Limits.level, "a level (per second or users)")
            total += stage.durationSeconds
            try seconds(total, "scenario.load.stages[0…\(i)]: the sum of duration_seconds")
        }
        try count(l.maxInFlight, "scenario.load.max_in_flight", limit: ResultDocument.Limits.knob)
        try count(l.connections, "scenario.load.connections", limit: ResultDocument.Limits.knob)
        try seconds(l.thinkSeconds, "scenario.load.think_seconds")
        try seconds(l.timeoutSeconds, "scenario.load.timeout_seconds")
        try length(s.requests.count, "scenario.requests")
        for (i, request) in s.requests.enumerated() {
            try count(request.weight, "scenario.requests[\(i)].weight", limit: ResultDocument.Limits.knob)
            try length(request.headers.count, "scenario.requests[\(i)].headers")
            for (j, status) in (request.expectStatus ?? []).enumerated() {
                try count(status, "scenario.requests[\(i)].expect_status[\(j)]", limit: 999)
            }
        }
        try length(s.faults.count, "scenario.faults")
        for (i, fault) in s.faults.enumerated() {
            try seconds(fault.atSeconds, "scenario.faults[\(i)].at_seconds")
            try seconds(fault.forSeconds, "scenario.faults[\(i)].for_seconds")
        }
        try length(s.criteria.count, "scenario.criteria")
        try length(s.regression.count, "scenario.regression")
    }

    func timeline(_ t: ResultDocument.Timeline) throws(StressError) {
        try seconds(t.warmupS, "timeline.warmup_s")
        try seconds(t.plannedS, "timeline.planned_s")
        try length(t.states.count, "timeline.states")
        for (i, state) in t.states.enumerated() { try seconds(state.atS, "timeline.states[\(i)].at_s") }
        for (key, windows) in [("stages", t.stages), ("pauses", t.pauses), ("faults", t.faults ?? [])] {
            try length(windows.count, "timeline.\(key)")
            for (i, w) in windows.enumerated() {
                try seconds(w.startS, "timeline.\(key)[\(i)].start_s")
                try number(w.endS, "timeline.\(key)[\(i)].end_s", w.startS...ResultDocument.Limits.seconds, "the end of a window")
            }
        }
    }

    func summary(_ s: ResultDocument.Summary) throws(StressError) {
        try seconds(s.measuredS, "summary.measured_s")
        // A measured window is 0 (stopped in warmup) or at least a nanosecond, so rates stay finite.
        guard s.measuredS == 0 || s.measuredS >= 1e-9 else {
            throw fail({ "summary.measured_s" }, "is \(s.measuredS); it must be 0 or at least a nanosecond")
        }
        try count(s.requests, "summary.requests")
        try count(s.errors, "summary.errors")
        try notAbove(s.errors, s.requests, "summary.errors", "requests")
        try count(s.dropped, "summary.dropped")
        try rate(s.throughput, "summary.throughput")
        try fraction(s.errorRate, "summary.error_rate")
        try latency(s.latency, "summary.latency")
        try latency(s.serviceTime, "summary.service_time")
        if let lag = s.sendLag { try latency(lag, "summary.send_lag") }
    }

    func latency(_ l: ResultDocument.Latency, _ path: @autoclosure Path) throws(StressError) {
        let range = 0...ResultDocument.Limits.milliseconds
        try count(l.count, "\(path()).count")
        try number(l.min, "\(path()).min", range, "a latency in ms")
        try number(l.mean, "\(path()).mean", range, "a latency in ms")
        try number(l.max, "\(path()).max", range, "a latency in ms")
        try length(l.percentiles.count, "\(path()).percentiles", limit: 100)
        for (key, value) in l.percentiles { try number(value, "\(path()).percentiles.\(key)", range, "a latency in ms") }
    }

    func window(_ w: ResultDocument.Window, _ path: @autoclosure Path) throws(StressError) {
        try count(w.requests, "\(path()).requests")
        try count(w.errors, "\(path()).errors")
        try notAbove(w.errors, w.requests, "\(path()).errors", "requests")
        try errors(w.errorsByClass, requests: w.requests, "\(path()).errors_by_class")
        try length(w.statusClasses.count, "\(path()).status_classes", limit: 10)
        for (key, n) in w.statusClasses {
            try count(n, "\(path()).status_classes.\(key)")
            try notAbove(n, w.requests, "\(path()).status_classes.\(key)", "requests")
        }
        try count(w.dropped, "\(path()).dropped")
        try count(w.bytesIn, "\(path()).bytes_in")
        try count(w.bytesOut, "\(path()).bytes_out")
        try rate(w.throughput, "\(path()).throughput")
        try fraction(w.errorRate, "\(path()).error_rate")
        try latency(w.latency, "\(path()).latency")
        try latency(w.serviceTime, "\(path()).service_time")
    }

    func errors(_ e: ResultDocument.ErrorsByClass, requests: Int, _ path: @autoclosure Path) throws(StressError) {
        for (key, n) in [("connect", e.connect), ("timeout", e.timeout), ("reset", e.reset), ("status", e.status), ("expectation", e.expectation)] {
            try count(n, "\(path()).\(key)")
            try notAbove(n, requests, "\(path()).\(key)", "requests")
        }
    }

    func metrics(_ m: ResultDocument.Metrics) throws(StressError) {
        try window(m.overall, "metrics.overall")
        for (key, list) in [("per_request", m.perRequest), ("per_stage", m.perStage)] {
            try length(list.count, "metrics.\(key)")
            for (i, named) in list.enumerated() { try window(named.stats, "metrics.\(key)[\(i)].stats") }
        }
        try length(m.perSecond.count, "metrics.per_second", limit: ResultDocument.Limits.seriesLength)
        var previous = -1
        for (i, s) in m.perSecond.enumerated() {
            try count(s.t, "metrics.per_second[\(i)].t", limit: Int(ResultDocument.Limits.seconds))
            // Strictly increasing seconds: a 10 s window then holds at most ten of them.
            guard s.t > previous else {
                throw fail({ "metrics.per_second[\(i)].t" }, "is \(s.t), not after the previous entry's \(previous)")
            }
            previous = s.t
            try count(s.requests, "metrics.per_second[\(i)].requests")
            try rate(s.throughput, "metrics.per_second[\(i)].throughput")
            try errors(s.errors, requests: s.requests, "metrics.per_second[\(i)].errors")
            try count(s.dropped, "metrics.per_second[\(i)].dropped")
            try count(s.inFlight, "metrics.per_second[\(i)].in_flight")
            try count(s.bytesIn, "metrics.per_second[\(i)].bytes_in")
            try count(s.bytesOut, "metrics.per_second[\(i)].bytes_out")
            try latency(s.latency, "metrics.per_second[\(i)].latency")
            try latency(s.serviceTime, "metrics.per_second[\(i)].service_time")
        }
    }

    func criteria(_ list: [ResultDocument.Criterion]) throws(StressError) {
        try length(list.count, "success_criteria")
        for (i, c) in list.enumerated() {
            if let measured = c.measured { try value(measured, "success_criteria[\(i)].measured") }
        }
    }

    func histograms(_ list: [ResultDocument.EncodedHistogram], of m: ResultDocument.Metrics) throws(StressError) {
        // Latency and service time overall, per request and per stage, and the send lag.
        try length(list.count, "histograms", limit: 2 * (1 + m.perRequest.count + m.perStage.count) + 1)
        for (i, h) in list.enumerated() {
            try count(h.count, "histograms[\(i)].count")
            try length(h.data.utf8.count, "histograms[\(i)].data (characters)", limit: ResultDocument.Limits.histogramCharacters)
            let decoded: LatencyHistogram
            do {
                decoded = try HistogramCodec.decodeLatency(h.data, limits: ResultDocument.Limits.histogram)
            } catch {
                throw fail({ "histograms[\(i)].data" }, "is not a histogram stress-ci reads: \(error)")
            }
            guard decoded.count == h.count else {
                throw fail({ "histograms[\(i)].count" }, "is \(h.count), but its data holds \(decoded.count)")
            }
        }
    }

    func monitoring(_ sources: [ResultDocument.SourceSeries]) throws(StressError) {
        try length(sources.count, "monitoring")
        for (i, source) in sources.enumerated() {
            try length(source.samples.count, "monitoring[\(i)].samples", limit: ResultDocument.Limits.seriesLength)
            for (j, sample) in source.samples.enumerated() {
                try seconds(sample.t, "monitoring[\(i)].samples[\(j)].t", signed: true)
                try length(sample.values.count, "monitoring[\(i)].samples[\(j)].values", limit: 1000)
                for (key, v) in sample.values { try value(v, "monitoring[\(i)].samples[\(j)].values.\(key)") }
            }
        }
    }

    func targetMetrics(_ series: [String: [Double?]]) throws(StressError) {
        try length(series.count, "target_metrics")
        for (name, values) in series {
            try length(values.count, "target_metrics.\(name)", limit: ResultDocument.Limits.seriesLength)
            for (i, v) in values.enumerated() {
                if let v { try value(v, "target_metrics.\(name)[\(i)]") }
            }
        }
    }

    func comparison(_ c: ResultDocument.Comparison) throws(StressError) {
        try length(c.baselineRuns.count, "comparison.baseline_runs")
        try length(c.verdicts.count, "comparison.verdicts")
        try length(c.notes.count, "comparison.notes")
        for (i, v) in c.verdicts.enumerated() {
            for (key, x) in [("change", v.change), ("lower", v.lower), ("upper", v.upper)] {
                if let x { try value(x, "comparison.verdicts[\(i)].\(key)") }
            }
            try number(v.tolerance, "comparison.verdicts[\(i)].tolerance", 0...ResultDocument.Limits.tolerance, "a tolerance (a fraction)")
            try count(v.baselineRuns, "comparison.verdicts[\(i)].baseline_runs", limit: 1_000_000)
            try count(v.candidateRuns, "comparison.verdicts[\(i)].candidate_runs", limit: 1_000_000)
            try length(v.reasons.count, "comparison.verdicts[\(i)].reasons")
        }
    }

    func issues(_ list: [RunIssue]) throws(StressError) {
        try length(list.count, "issues")
        for (i, issue) in list.enumerated() {
            let e = issue.evidence
            try seconds(e.fromS, "issues[\(i)].evidence.from_s", signed: true)
            try number(e.toS, "issues[\(i)].evidence.to_s", e.fromS...ResultDocument.Limits.seconds, "the end of a window")
            // Milliseconds are shown as durations (nanoseconds in 64 bits); the rest as whole numbers.
            let limit = e.unit == .milliseconds ? ResultDocument.Limits.milliseconds : Double(ResultDocument.Limits.count)
            for (key, x) in [("value", e.value), ("threshold", e.threshold), ("reference", e.reference)] {
                if let x { try number(x, "issues[\(i)].evidence.\(key)", -limit...limit, "a value in \(e.unit)") }
            }
            if let n = e.count { try count(n, "issues[\(i)].evidence.count") }
        }
    }
}
