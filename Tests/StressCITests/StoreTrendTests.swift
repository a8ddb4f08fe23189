import Foundation
import Testing
@testable import StressCI
import Core
import Analysis
import Reports
import Results
import Store

/// `trend`, `compareTestRuns` and `generateReport` on a store of synthetic results.
@Suite struct StoreTrendTests {
    /// Small fixed wobble (±1.5%), so a flat history is not perfectly flat.
    static let wobble = [0.0, 0.012, -0.008, 0.015, -0.011, 0.004, -0.015, 0.009, -0.003, 0.013, -0.012, 0.006, 0.001, -0.007, 0.011, -0.01]

    /// A run of scenario `scenario` whose p95 latency is `p95` ms, `minute` minutes after the fixture.
    static func run(_ index: Int, p95: Double, scenario: String = "quickstart", throughput: Double? = nil) -> ResultDocument {
        let id = "20261128_" + String(format: "%06d", index) + "_\(scenario)"
        var r = StoreFixture.result(id, minutes: Double(index), scenario: scenario)
        r.summary.latency.percentiles["p95"] = p95
        r.metrics.overall.latency.percentiles["p95"] = p95
        if let throughput { r.summary.throughput = throughput }
        return r
    }

    /// Stores `values` as consecutive runs' p95 latency; returns their ids, oldest first.
    @discardableResult
    static func store(_ values: [Double], in store: TestResultsStore, from start: Int = 0, scenario: String = "quickstart") throws -> [String] {
        try values.enumerated().map { i, v in try store.saveTestResults(run(start + i, p95: v, scenario: scenario)) }
    }

    static let p95 = ResultMetric(MetricSelector(aggregate: .percentile(95), metric: .latency))

    @Test func stepChangeIsFoundAtTheRunWhereItHappened() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let values = Self.wobble.enumerated().map { i, w in (i < 8 ? 10.0 : 13.0) * (1 + w) }
        let ids = try Self.store(values, in: store)

        let trend = try store.trend(metric: Self.p95)
        #expect(trend.source == "scenario quickstart")
        #expect(trend.points.map(\.runID) == ids)
        #expect(trend.points.map(\.value) == values)
        let change = try #require(trend.changes.first)
        #expect(trend.changes.count == 1)
        #expect(change.runID == ids[8])
        #expect(change.index == 8)
        #expect(abs(change.before - 10) < 0.1 && abs(change.after - 13) < 0.1)
        #expect(abs((change.change ?? 0) - 0.3) < 0.02)
        #expect(change.pValue < 0.05)
    }

    @Test func flatHistoryHasNoChangePoints() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try Self.store(Self.wobble.map { 10 * (1 + $0) }, in: store)
        let trend = try store.trend(metric: Self.p95)
        #expect(trend.points.count == 16)
        #expect(trend.changes.isEmpty)
    }

    @Test func aSmallSignificantStepIsPruned() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        // +3%, far above the ±0.1% wobble: significant, but below SPEC §11's 5%.
        try Self.store(Self.wobble.enumerated().map { i, w in (i < 8 ? 10.0 : 10.3) * (1 + w / 15) }, in: store)
        #expect(try store.trend(metric: Self.p95, detector: EDivisive(minimumRelativeChange: 0)).changes.map(\.index) == [8])
        #expect(try store.trend(metric: Self.p95).changes.isEmpty)
    }

    @Test func lastScenarioAndBaselineChooseTheRuns() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let quick = try Self.store([10, 11, 12, 13], in: store)
        try Self.store([50, 51], in: store, from: 10, scenario: "checkout")
        // Default: the newest run's scenario.
        #expect(try store.trend(metric: Self.p95).points.map(\.value) == [50, 51])
        #expect(try store.trend(metric: Self.p95, scenario: "quickstart").points.map(\.runID) == quick)
        let lastTwo = try store.trend(metric: Self.p95, last: 2, scenario: "quickstart")
        #expect(lastTwo.points.map(\.value) == [12, 13])
        #expect(lastTwo.changes.isEmpty && lastTwo.minimumPoints == 6)

        for id in quick { try store.saveBaseline("main", run: try store.loadTestResults(id)) }
        let baseline = try store.trend(metric: Self.p95, last: 3, baseline: "main")
        #expect(baseline.source == "baseline main")
        #expect(baseline.points.map(\.runID) == Array(quick.suffix(3)))
    }

    @Test func runsWithoutTheMetricAreSkipped() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        var renamed = Self.run(1, p95: 10)
        renamed.metrics.perRequest[0].name = "browse"
        try store.saveTestResults(Self.run(0, p95: 10))
        try store.saveTestResults(renamed)
        let metric = try ResultMetric(parsing: "p95(latency{request=product})")
        let trend = try store.trend(metric: metric)
        #expect(trend.points.map(\.runID) == [Self.run(0, p95: 10).testId])
        #expect(trend.skipped == [renamed.testId])
    }

    @Test func nothingToShowIsNotFound() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let empty = #expect(throws: StressError.self) { try store.trend(metric: Self.p95) }
        #expect(empty?.kind == .notFound)
        #expect(empty?.message.contains("no runs") == true)

        try Self.store([10, 11], in: store)
        let scenario = #expect(throws: StressError.self) { try store.trend(metric: Self.p95, scenario: "quickstrat") }
        #expect(scenario?.kind == .notFound)
        #expect(scenario?.hint == "did you mean `quickstart`?")

        let request = #expect(throws: StressError.self) {
            try store.trend(metric: ResultMetric(parsing: "p95(latency{request=chekout})"))
        }
        #expect(request?.kind == .notFound)
        #expect(request?.message.contains("none of the 2 runs of scenario quickstart records `p95(latency{request=chekout})`") == true)
        #expect(request?.hint == "did you mean `checkout`?")

        let baseline = #expect(throws: StressError.self) { try store.trend(metric: Self.p95, baseline: "main") }
        #expect(baseline?.kind == .notFound)
        let last = #expect(throws: StressError.self) { try store.trend(metric: Self.p95, last: 0) }
        #expect(last?.kind == .usage)
    }

    @Test(arguments: [("p95(latncy)", "did you mean `latency`?"), ("throughputt", "did you mean `throughput`?"),
                      ("p95(latency{requst=a})", "did you mean `request`?")])
    func unknownMetricsAreUsageErrorsWithAHint(text: String, hint: String) {
        let error = #expect(throws: StressError.self) { try ResultMetric(parsing: text) }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains(text) == true)
        #expect(error?.hint == hint)
    }

    @Test func metricsReadTheResultsUnits() throws {
        let r = StoreFixture.base
        func value(_ text: String) throws -> Double? { try ResultMetric(parsing: text).value(in: r) }
        #expect(try value("p95(latency)") == 10.295)
        #expect(try value("p99(latency{request=checkout})") == r.metrics.perRequest[1].stats.latency.percentiles["p99"])
        #expect(try value("avg(service_time)") == r.summary.serviceTime.mean)
        #expect(try value("throughput") == 200)
        #expect(try value("throughput{status=2xx}") == 200)
        #expect(try value("error_rate{status=5xx}") == 0)
        #expect(try value("dropped") == 0)
        #expect(try value("p95(latency{request=nope})") == nil)
        #expect(try value("prom:up") == nil)
        // p75 is not in the summary: it comes from the stored histogram, between p50 and p90.
        let p75 = try #require(try value("p75(latency)"))
        #expect(p75 > 7.151 && p75 < 9.079)
        let exact = #expect(throws: StressError.self) { try ResultMetric(parsing: "error_rate{status=503}") }
        #expect(exact?.kind == .usage)
        #expect(try ResultMetric(parsing: "p95(latency)").format(12.3) == "12.3ms")
        #expect(try ResultMetric(parsing: "error_rate").format(0.005) == "0.5%")
    }

    // MARK: compareTestRuns

    @Test func compareGivesARowPerMetricAndChangesAgainstTheFirst() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        let a = try store.saveTestResults(Self.run(0, p95: 10, throughput: 200))
        var slower = Self.run(1, p95: 12, throughput: 180)
        slower.summary.errorRate = 0.005
        let b = try store.saveTestResults(slower)
        try store.saveBaseline("main", run: slower)
        let file = dir.appending("result.json")
        try ResultDocument.makeEncoder().encode(Self.run(2, p95: 9, scenario: "other")).write(to: URL(fileURLWithPath: file))

        let comparison = try store.compareTestRuns([a, "main", file])
        #expect(comparison.map(\.testId) == [a, b, Self.run(2, p95: 9, scenario: "other").testId])
        #expect(comparison.runs.map(\.source) == [.run, .baseline, .file])
        #expect(comparison.runs[1].label == "main (newest: \(b))")
        #expect(comparison.rows.map(\.metric) == ["requests", "throughput", "error_rate", "p50(latency)", "p95(latency)", "p99(latency)",
                                                  "dropped", "p95(latency{request=product})", "p95(latency{request=checkout})"])
        let p95 = try #require(comparison.rows.first { $0.metric == "p95(latency)" })
        #expect(p95.values == [10, 12, 9])
        #expect(p95.changes[0] == 0)
        #expect(abs((p95.changes[1] ?? 0) - 0.2) < 1e-9 && abs((p95.changes[2] ?? 0) + 0.1) < 1e-9)
        #expect(p95.formattedChange(at: 1) == "+20.0%" && p95.formattedChange(at: 2) == "-10.0%")
        let throughput = try #require(comparison.rows.first { $0.metric == "throughput" })
        #expect(throughput.higherIsBetter && throughput.formattedChange(at: 1) == "-10.0%")
        let errors = try #require(comparison.rows.first { $0.metric == "error_rate" })
        #expect(errors.changeUnit == .percentagePoints && errors.formattedChange(at: 1) == "+0.50 pp")
        // The third is another scenario: said so.
        #expect(comparison.notes.count == 1)
        #expect(comparison.notes.first?.contains("is other") == true)
    }

    @Test func compareNamesWhatIsMissingOrBroken() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        let a = try store.saveTestResults(Self.run(0, p95: 10))
        let missing = #expect(throws: StressError.self) { try store.compareTestRuns([a, "20261128_000001_quickstart"]) }
        #expect(missing?.kind == .notFound)
        #expect(missing?.message.contains("20261128_000001_quickstart") == true)
        #expect(missing?.hint == "did you mean `\(a)`?")
        let noFile = #expect(throws: StressError.self) { try store.compareTestRuns([a, dir.appending("nope.json")]) }
        #expect(noFile?.kind == .notFound)
        let corrupt = dir.appending("corrupt.json")
        try Data("{\"schema_version\": 1, \"test_id\": ".utf8).write(to: URL(fileURLWithPath: corrupt))
        let broken = #expect(throws: StressError.self) { try store.compareTestRuns([a, corrupt]) }
        #expect(broken?.kind == .invalidInput)
        #expect(broken?.message.contains(corrupt) == true)
    }

    // MARK: generateReport

    @Test(arguments: ReportFormat.allCases)
    func generateReportRendersEveryFormat(format: ReportFormat) throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let result = StoreFixture.base
        let text = try store.generateReport(result, format: format)
        switch format {
        case .markdown:
            #expect(text.hasPrefix("## ✅ stress-ci: quickstart — PASS: all 3 criteria met\n"))
            #expect(text.contains("| ✅ pass | p95(latency) &lt; 250ms | 10.29ms |"))
        case .html:
            #expect(text.hasPrefix("<!doctype html>"))
            #expect(text.contains("<svg"))
            #expect(!text.contains("<script src"))
        case .junit:
            #expect(text.contains("<testsuites"))
            #expect(text.contains("name=\"p95(latency) &lt; 250ms\""))
        case .json:
            #expect(try ResultDocument.makeDecoder().decode(ResultDocument.self, from: Data(text.utf8)) == result)
        case .text:
            #expect(text.hasPrefix("quickstart — 20261127_222219_quickstart"))
            #expect(text.contains("PASS: all 3 criteria met"))
        }
        // Rendering reads nothing from and writes nothing to the store.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
