import Core
import Metrics
import Testing
@testable import Analysis

@Suite struct SustainedCriteriaTests {
    /// 20 s at 10/s and 10 ms, except seconds 5, 6 and 7 at 400 ms; `ramp` 0–10 s, `peak` 10–20 s.
    private func spike() -> RunMetrics {
        let run = RunFixture(stages: [("ramp", 0, 10), ("peak", 10, 20)])
        for s in 0..<20 { run.second(s, count: 10, latency: (5...7).contains(s) ? .milliseconds(400) : .milliseconds(10)) }
        return run.finish(measured: .seconds(20))
    }

    @Test func aThreeSecondSpikeFailsForTwoSecondsButPassesForFive() throws {
        let metrics = spike()
        let short = try judge("p95(latency) < 100ms for 2s", metrics)
        #expect(short.status == .fail)
        #expect(short.evidence == "breached for 3s from 00:05 to 00:08 (longest run)")
        #expect(short.limitText == "< 100ms for 2s")
        #expect(abs((short.measured ?? 0) - 0.4) < 0.004)   // the worst second

        let long = try judge("p95(latency) < 100ms for 5s", metrics)
        #expect(long.status == .pass)
        #expect(long.evidence == "breached for 3s from 00:05 to 00:08 (longest run), shorter than 5s")

        #expect(try judge("p95(latency) < 100ms for 3s", metrics).status == .fail)
        // Rounded up to whole seconds: 2.5s needs 3 breaching seconds.
        #expect(try judge("p95(latency) < 100ms for 2.5s", metrics).status == .fail)
        #expect(try judge("p95(latency) < 100ms for 3.5s", metrics).status == .pass)

        let clean = try judge("p95(latency) < 500ms for 1s", metrics)
        #expect(clean.status == .pass)
        #expect(clean.evidence == "never breached in the measured 20s")
    }

    @Test func duringAndFor() throws {
        let metrics = spike()
        #expect(try judge("p95(latency) < 100ms during peak for 2s", metrics).status == .pass)
        let ramp = try judge("p95(latency) < 100ms during ramp for 2s", metrics)
        #expect(ramp.status == .fail)
        #expect(ramp.evidence == "breached for 3s from 00:05 to 00:08 (longest run)")
        #expect(try judge("max(latency) < 100ms during peak for 1s", metrics).status == .pass)
    }

    @Test func idleSecondsBreakALatencyRunButBreachAThroughputFloor() throws {
        let run = RunFixture()
        for s in 0..<10 where s != 4 && s != 5 && s != 6 {
            run.second(s, count: 10, latency: (2...8).contains(s) ? .milliseconds(400) : .milliseconds(10))
        }
        let metrics = run.finish(measured: .seconds(10))
        // Latency breaches in 2, 3 and 7, 8: the idle seconds 4–6 split the run.
        let latency = try judge("p95(latency) < 100ms for 3s", metrics)
        #expect(latency.status == .pass)
        #expect(latency.evidence == "breached for 2s from 00:02 to 00:04 (longest run), shorter than 3s")
        // Seconds 4–6 finished nothing: 0/s breaches `>= 5/s` for 3 s.
        let floor = try judge("throughput >= 5/s for 3s", metrics)
        #expect(floor.status == .fail)
        #expect(floor.measured == 0)
        #expect(floor.evidence == "breached for 3s from 00:04 to 00:07 (longest run)")
    }

    @Test func errorRatePerSecond() throws {
        let run = RunFixture()
        for s in 0..<10 {
            run.second(s, count: 8, latency: .milliseconds(5))
            if (3...6).contains(s) { run.second(s, count: 2, latency: .milliseconds(5), status: 500) }
        }
        let metrics = run.finish(measured: .seconds(10))
        // 8 errors in 88 requests overall: under 10% as a whole, but 20% for 4 s in a row.
        #expect(try judge("error_rate < 10%", metrics).status == .pass)
        #expect(try judge("error_rate < 10% for 4s", metrics).status == .fail)
        #expect(try judge("error_rate < 10% for 5s", metrics).status == .pass)
        #expect(try judge("errors{status=5xx} < 1 for 4s", metrics).status == .fail)
    }

    @Test func aPercentileTheSeriesDoesNotKeepIsNoData() throws {
        let run = RunFixture()
        for s in 0..<5 { run.second(s, count: 10, latency: .milliseconds(10)) }
        let metrics = run.finish(measured: .seconds(5))
        let result = try judge("p97(latency) < 100ms for 2s", metrics)
        #expect(result.status == .noData)
        #expect(result.evidence.contains("p97 is not kept per second"))
    }

    @Test func percentilesNeededCoversSustainedAndAbortLatencyCriteria() throws {
        let criteria = [
            try criterion("p97(latency) < 100ms for 2s"),
            try criterion("p99.9(service_time) < 1s", abort: true),
            try criterion("p95(latency) < 250ms"),
            try criterion("p97(latency{request=checkout}) < 1s for 10s"),
            try criterion("error_rate < 1% for 5s"),
        ]
        #expect(CriteriaEvaluator.percentilesNeeded(by: criteria) == [97, 99.9])

        let run = RunFixture(percentiles: CriteriaEvaluator.percentilesNeeded(by: criteria))
        for s in 0..<5 { run.second(s, count: 10, latency: .milliseconds(10)) }
        #expect(try judge("p97(latency) < 100ms for 2s", run.finish(measured: .seconds(5))).status == .pass)
    }
}
