import Foundation
import Testing
@testable import StressCI
import Core
import Analysis
import Reports
import Results
import Store

/// A result with every number at its bound (`ResultDocument.Limits`) passes the checks, and then
/// everything that reads a stored result works on it without trapping: every report format,
/// `compare`, `trend`, and the regression comparison, in both roles. A trap here would end the
/// test process, so reaching the expectations is the evidence.
@Suite struct ResultBoundsTests {
    typealias L = ResultDocument.Limits

    static func latency(_ ms: Double, count: UInt64) -> ResultDocument.Latency {
        var l = StoreFixture.base.summary.latency
        l.count = count
        (l.min, l.mean, l.max) = (ms, ms, ms)
        l.percentiles = ["p50": ms, "p90": ms, "p95": ms, "p99": ms, "p99.9": ms]
        return l
    }

    static func errors(_ n: Int) -> ResultDocument.ErrorsByClass {
        var e = StoreFixture.base.metrics.overall.errorsByClass
        (e.connect, e.timeout, e.reset, e.status, e.expectation) = (n, n, n, n, n)
        return e
    }

    static func window(_ base: ResultDocument.Window, count: Int, rate: Double, ms: Double) -> ResultDocument.Window {
        var w = base
        w.requests = count
        w.throughput = rate
        w.errors = count
        w.errorRate = count == 0 ? 0 : 1
        w.errorsByClass = errors(count)
        w.statusClasses = count == 0 ? [:] : ["2xx": count, "5xx": count]
        w.dropped = count
        w.bytesIn = count
        w.bytesOut = count
        w.latency = latency(ms, count: UInt64(count))
        w.serviceTime = latency(ms, count: UInt64(count))
        return w
    }

    /// The fixture with every count, time, rate and value at its upper bound (or, with
    /// `largest: false`, at zero where zero is allowed).
    static func extreme(largest: Bool, id: String = "20261127_222219_quickstart") -> ResultDocument {
        var r = StoreFixture.base
        r.testId = id
        let count = largest ? L.count : 0
        let seconds = largest ? L.seconds : 0
        let ms = largest ? L.milliseconds : 0
        let rate = largest ? L.rate : 0
        let value = largest ? L.value : 0
        r.startedAt = largest ? L.latest.addingTimeInterval(-L.seconds - 1) : L.earliest
        r.endedAt = r.startedAt.addingTimeInterval(seconds)
        r.summary.measuredS = largest ? 1e-9 : 0 // the shortest window: the largest rates
        r.summary.requests = count
        r.summary.errors = count
        r.summary.dropped = count
        r.summary.throughput = rate
        r.summary.errorRate = largest ? 1 : 0
        r.summary.latency = latency(ms, count: UInt64(count))
        r.summary.serviceTime = latency(ms, count: UInt64(count))
        r.summary.sendLag = latency(ms, count: UInt64(count))
        r.metrics.overall = window(r.metrics.overall, count: count, rate: rate, ms: ms)
        r.metrics.perRequest = r.metrics.perRequest.map { var n = $0; n.stats = window(n.stats, count: count, rate: rate, ms: ms); return n }
        r.metrics.perStage = r.metrics.perStage.map { var n = $0; n.stats = window(n.stats, count: count, rate: rate, ms: ms); return n }
        let template = r.metrics.perSecond[0]
        r.metrics.perSecond = (0..<12).map { i in
            var s = template
            s.t = largest ? Int(L.seconds) - 11 + i : i
            s.requests = count
            s.throughput = rate
            s.errors = errors(count)
            s.dropped = count
            s.inFlight = count
            s.bytesIn = count
            s.bytesOut = count
            s.latency = latency(ms, count: UInt64(count))
            s.serviceTime = latency(ms, count: UInt64(count))
            return s
        }
        r.timeline.warmupS = seconds
        r.timeline.plannedS = seconds
        r.timeline.states = r.timeline.states.map { var s = $0; s.atS = seconds; return s }
        r.timeline.stages = r.timeline.stages.map { var s = $0; s.startS = seconds; s.endS = seconds; return s }
        var pause = r.timeline.stages[0]
        (pause.name, pause.startS, pause.endS) = ("pause", 0, seconds)
        r.timeline.pauses = [pause]
        r.scenario.load.warmupSeconds = seconds
        r.scenario.load.start = largest ? L.level : 0
        r.scenario.load.stages = r.scenario.load.stages.map { var s = $0; s.durationSeconds = seconds / 2; s.target = largest ? L.level : 0; return s }
        r.scenario.load.connections = largest ? L.knob : 0
        r.scenario.load.maxInFlight = largest ? L.knob : 0
        r.scenario.load.timeoutSeconds = seconds
        r.scenario.load.thinkSeconds = seconds
        r.scenario.requests = r.scenario.requests.map { var q = $0; q.weight = largest ? L.knob : 0; return q }
        r.successCriteria = r.successCriteria.map { var c = $0; c.measured = largest ? value : -L.value; return c }
        r.monitoring = r.monitoring.map { source in
            var s = source
            s.samples = s.samples.map { var x = $0; x.t = largest ? seconds : -L.seconds; x.values = x.values.mapValues { _ in value }; return x }
            return s
        }
        r.targetMetrics = ["http_requests_total": [value, -L.value, nil, value]]
        r.issues = [
            RunIssue(kind: .latencySpike, severity: .critical, summary: "x",
                     evidence: .init(fromS: -seconds, toS: seconds, metric: "p99_latency", value: ms, unit: .milliseconds, threshold: -ms, reference: ms)),
            RunIssue(kind: .errorBurst, severity: .warning, summary: "y",
                     evidence: .init(fromS: seconds, toS: seconds, metric: "error_rate", value: Double(count), unit: .count, count: count)),
            RunIssue(kind: .targetRestart, severity: .warning, summary: "z",
                     evidence: .init(fromS: 0, toS: seconds, metric: "process_start_time_seconds", value: -Double(L.count), unit: .percent)),
        ]
        r.comparison = .init(baseline: "main", baselineRuns: ["a"], verdicts: [
            .init(metric: "p95 latency", verdict: .regression, change: value, lower: -L.value, upper: value, tolerance: largest ? L.tolerance : 0,
                  unit: .relative, baselineRuns: 1_000_000, candidateRuns: 0, reasons: ["r"], gating: true, line: "l"),
        ], notes: [])
        r.verdict.exitCode = largest ? 255 : 0
        r.environment.cores = largest ? 1_000_000 : 0
        return r
    }

    @Test(arguments: [true, false])
    func aResultAtItsBoundsIsReadAndRenderedWithoutATrap(largest: Bool) throws {
        let r = Self.extreme(largest: largest)
        try r.check(file: "extreme.json")

        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        for format in ReportFormat.allCases {
            #expect(try !store.generateReport(r, format: format).isEmpty, "\(format)")
        }

        // Stored and read back: the encoder and decoder agree with the checks.
        let id = try store.saveTestResults(r)
        #expect(try store.loadTestResults(id) == r)
        let other = try store.saveTestResults(StoreFixture.result("20261127_222220_quickstart"))

        let comparison = try store.compareTestRuns([id, other])
        _ = try JSONEncoder().encode(comparison)
        let reversed = try store.compareTestRuns([other, id])
        _ = try JSONEncoder().encode(reversed)

        for metric in ["p95(latency)", "p42(latency)", "throughput", "throughput{status=2xx}", "error_rate{status=5xx}", "dropped",
                       "avg(prom:http_requests_total)", "max(latency{request=checkout})"] {
            let runs = (0..<8).map { i in i % 3 == 0 ? StoreFixture.base : Self.extreme(largest: largest) }
            let trend = Trend(metric: try ResultMetric(parsing: metric), source: "test", runs: runs)
            _ = try JSONEncoder().encode(trend)
        }

        // The regression comparison, with the extreme run as candidate and as baseline.
        for (candidate, base) in [(r, StoreFixture.base), (StoreFixture.base, r)] {
            let baseline = Baseline(name: "b", keep: 10, scenario: base.scenario.name, loadShape: Baseline.loadShape(of: base), runs: [base, base, base, base])
            let result = BaselineComparison.compare(candidates: [candidate, candidate], baseline: baseline, rules: RegressionRule.defaults)
            #expect(result.verdicts.count == RegressionRule.defaults.count)
            _ = try ResultDocument.makeEncoder().encode(result)
        }
    }
}
