import Foundation
import Metrics
import Testing
@testable import Core
@testable import Reports
import Results

/// `Tests/Fixtures/charts`, found from this file's path.
let chartFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/charts")

/// A stage name a scenario could carry to attack the HTML report.
let hostileStageName = "<script>alert(1)</script>"

/// Compares `svg` with the golden file `name` in `directory`; with `RECORD_GOLDEN=1` rewrites the
/// file instead and fails, so a re-recording is always a deliberate second run.
func expectGolden(_ svg: String, _ name: String, in directory: URL = chartFixtures, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = directory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try svg.write(to: url, atomically: true, encoding: .utf8)
        Issue.record("re-recorded \(name) (RECORD_GOLDEN=1); run again without it", sourceLocation: sourceLocation)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("no golden file \(name): record it with RECORD_GOLDEN=1", sourceLocation: sourceLocation)
        return
    }
    guard svg != expected else { return }
    let actualLines = svg.split(separator: "\n", omittingEmptySubsequences: false)
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let line = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actualLines.count, expectedLines.count)
    let got = line < actualLines.count ? String(actualLines[line]) : "<end>"
    let want = line < expectedLines.count ? String(expectedLines[line]) : "<end>"
    Issue.record("""
        \(name) differs from its golden file at line \(line + 1) (re-record with RECORD_GOLDEN=1 if intended)
          expected: \(want)
          actual:   \(got)
        """, sourceLocation: sourceLocation)
}

/// A run-level latency histogram, encoded as in `result.json`: mostly 5–15 ms, a 1% tail at
/// 80–200 ms and a 0.1% tail at 400–600 ms, all multiplied by `scale`.
func chartFixtureHistogram(count: Int = 20_000, scale: Double = 1) -> ResultDocument.EncodedHistogram {
    var h = LatencyHistogram()
    for i in 0..<count {
        let spread = (i * 7919) % 10_000
        let micros: Int
        if i % 1000 == 999 { micros = 400_000 + spread * 20 }
        else if i % 100 == 50 { micros = 80_000 + spread * 12 }
        else { micros = 5_000 + spread }
        h.record(nanoseconds: Int64(Double(micros) * scale) * 1000)
    }
    return ResultDocument.EncodedHistogram(metric: .latency, scope: .overall, name: nil, count: h.count,
                                           data: HistogramCodec.encodeBase64(h))
}

/// A fixed 90-second measured run (5 s warmup): four stages, one with a hostile name, a latency
/// fault at 50 s (45 s measured), a 3 s pause, a second without completed requests (t = 70),
/// dropped arrivals in the spike and errors of every class.
func chartFixtureResult(
    seconds count: Int = 90, testId: String = "20260101_000000_checkout", histogramScale: Double? = 1,
    stageNames: [String] = ["ramp up", "steady \(hostileStageName)", "spike & 'recover'", "cool-down"]
) -> ResultDocument {
    let fault = 45..<53
    let perSecond: [ResultDocument.Second] = (0..<count).map { t in
        let rate: Int = switch t {
        case ..<20: 20 + 4 * t
        case ..<60: 95 + (t * 7) % 11
        case ..<75: 200 + (t % 3) * 5
        default: max(10, 100 - (t - 75) * 4)
        }
        let slow = fault.contains(t)
        let p50 = 8 + Double(t % 5) * 0.5 + (slow ? 40 : 0)
        let p95 = 20 + Double(t % 7) * 1.5 + (slow ? 80 : 0)
        let p99 = 35 + Double(t % 11) * 2 + (slow ? 150 : 0)
        let completed: UInt64 = t == 70 ? 0 : UInt64(rate)
        let latency = ResultDocument.Latency(count: completed, min: 1, mean: p50 * 1.2, max: p99 * 1.5,
                                             percentiles: ["p50": p50, "p90": p95 * 0.8, "p95": p95, "p99": p99, "p99.9": p99 * 1.3])
        let errors = ResultDocument.ErrorsByClass(
            connect: t == 80 ? 5 : 0, timeout: slow ? 3 : 0, reset: t == 81 ? 1 : 0,
            status: t % 13 == 0 ? 2 : 0, expectation: t == 30 || t == 31 ? 1 : 0)
        return ResultDocument.Second(
            t: t, requests: rate, throughput: Double(rate), errors: errors, dropped: (60..<75).contains(t) && t % 4 == 0 ? 3 : 0,
            inFlight: 4, bytesIn: rate * 200, bytesOut: rate * 50, latency: latency, serviceTime: latency)
    }
    let summaryLatency = ResultDocument.Latency(count: count > 0 ? 9000 : 0, min: 5, mean: 14.2, max: 612,
                                                percentiles: ["p50": 10, "p90": 14.5, "p95": 16, "p99": 150, "p99.9": 450])
    let errorClasses = ResultDocument.ErrorsByClass(connect: 5, timeout: 24, reset: 1, status: 14, expectation: 2)
    let window = ResultDocument.Window(
        requests: 9000, throughput: 100, errors: 46, errorRate: 0.005, errorsByClass: errorClasses,
        statusClasses: ["2xx": 8986, "5xx": 14], dropped: 12, bytesIn: 1_800_000, bytesOut: 450_000,
        latency: summaryLatency, serviceTime: summaryLatency)
    let stageTimes: [(Double, Double)] = [(0, 25), (25, 65), (65, 80), (80, 95)]
    let stages = zip(stageNames, stageTimes).map { ResultDocument.Timeline.Window(name: $0, startS: $1.0, endS: $1.1) }
    let started = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    return ResultDocument(
        schemaVersion: 1, testId: testId, status: .completed, stopReason: nil,
        startedAt: started, endedAt: started.addingTimeInterval(98),
        target: "http://127.0.0.1:8080", tags: [:],
        scenario: RedactedScenario(
            name: "checkout", description: nil, target: RedactedScenario.Target(url: "http://127.0.0.1:8080", insecure: false),
            load: RedactedScenario.Load(model: .open, warmupSeconds: 5, start: 0,
                                        stages: zip(stageNames, stageTimes).map { .init(name: $0, durationSeconds: $1.1 - $1.0, target: 100) },
                                        maxInFlight: 1000, connections: 16, thinkSeconds: 0, timeoutSeconds: 10, keepalive: true),
            requests: [],
            faults: [.init(kind: "latency", atSeconds: 50, forSeconds: 8, parameters: ["delay": "150ms"])],
            criteria: [], regression: []),
        environment: ResultDocument.EnvironmentInfo(host: "ci", os: "Linux", cores: 2, toolVersion: "0.1.0",
                                                    gitCommit: nil, gitBranch: nil, ci: nil),
        timeline: ResultDocument.Timeline(warmupS: 5, plannedS: 95, states: [], stages: stages,
                                          pauses: [.init(name: "pause", startS: 40, endS: 43)]),
        summary: ResultDocument.Summary(measuredS: Double(count), requests: 9000, throughput: 100, errors: 46, errorRate: 0.005,
                                        dropped: 12, latency: summaryLatency, serviceTime: summaryLatency, sendLag: nil),
        metrics: ResultDocument.Metrics(overall: window, perRequest: [], perStage: [], perSecond: perSecond),
        successCriteria: [],
        verdict: ResultDocument.VerdictInfo(criteriaPassed: true, failed: [], exitCode: 0),
        histograms: histogramScale.map { [chartFixtureHistogram(scale: $0)] } ?? [],
        monitoring: [], targetMetrics: nil, warnings: [], issues: [], recommendations: [])
}

/// The fixture with nothing measured: no seconds, no histograms, an empty summary.
func chartEmptyResult() -> ResultDocument {
    var r = chartFixtureResult(seconds: 0, histogramScale: nil)
    r.timeline.pauses = []
    return r
}
