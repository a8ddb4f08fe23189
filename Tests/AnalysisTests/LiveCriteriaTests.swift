import Core
import Metrics
import Testing
@testable import Analysis

@Suite struct LiveCriteriaTests {
    @Test func honoursAfterAndJudgesTheSecondsSoFar() throws {
        let run = RunFixture()
        for s in 0..<20 {
            run.second(s, count: 9, latency: .milliseconds(5))
            run.second(s, count: 1, latency: .milliseconds(5), status: s >= 10 ? 503 : 200)
        }
        let spec = try criterion("error_rate < 5%", abort: true, after: .seconds(15))
        let first10 = run.drain(before: 10)
        #expect(CriteriaEvaluator.evaluateLive(spec, seconds: first10, layout: run.layout, elapsed: .seconds(10)) == nil)
        let all = first10 + run.drain(before: 20)
        #expect(CriteriaEvaluator.evaluateLive(spec, seconds: all, layout: run.layout, elapsed: .seconds(14)) == nil)

        let result = try #require(CriteriaEvaluator.evaluateLive(spec, seconds: all, layout: run.layout, elapsed: .seconds(20)))
        #expect(result.status == .fail)
        #expect(result.measured == 0.05)
        #expect(result.evidence == "10 errors of 200 requests in the first 20s measured")

        // Without `after`, it is decided at once.
        let early = try criterion("error_rate < 5%", abort: true)
        #expect(CriteriaEvaluator.evaluateLive(early, seconds: first10, layout: run.layout, elapsed: .seconds(10))?.status == .pass)
    }

    @Test func aSustainedWindowNeedsEnoughSeconds() throws {
        let run = RunFixture()
        for s in 0..<8 { run.second(s, count: 10, latency: .milliseconds(5), status: s >= 4 ? 500 : 200) }
        let spec = try criterion("error_rate < 5% for 5s", abort: true)
        let seconds = run.drain()
        #expect(CriteriaEvaluator.evaluateLive(spec, seconds: Array(seconds.prefix(4)), layout: run.layout, elapsed: .seconds(4)) == nil)
        #expect(CriteriaEvaluator.evaluateLive(spec, seconds: Array(seconds.prefix(6)), layout: run.layout, elapsed: .seconds(6))?.status == .pass)
        let four = CriteriaEvaluator.evaluateLive(spec, seconds: seconds, layout: run.layout, elapsed: .seconds(8))
        #expect(four?.status == .pass)
        #expect(four?.evidence == "breached for 4s from 00:04 to 00:08 (longest run), shorter than 5s")
        let nine = RunFixture()
        for s in 0..<9 { nine.second(s, count: 10, latency: .milliseconds(5), status: s >= 4 ? 500 : 200) }
        let five = CriteriaEvaluator.evaluateLive(spec, seconds: nine.drain(), layout: nine.layout, elapsed: .seconds(9))
        #expect(five?.status == .fail)
        #expect(five?.evidence == "breached for 5s from 00:04 to 00:09 (longest run)")
    }

    @Test func latencyWithoutForReadsTheWorstOfTheLastFiveSeconds() throws {
        let run = RunFixture()
        for s in 0..<12 { run.second(s, count: 10, latency: s == 2 || s == 9 ? .milliseconds(300) : .milliseconds(10)) }
        let seconds = run.drain()
        let spec = try criterion("p95(latency) < 100ms", abort: true)
        // At 12 s, the last five seconds (7–11) include the slow second 9.
        let now = try #require(CriteriaEvaluator.evaluateLive(spec, seconds: seconds, layout: run.layout, elapsed: .seconds(12)))
        #expect(now.status == .fail)
        #expect(now.evidence == "worst per-second p95 of the last 5s (00:07 to 00:12)")
        // At 9 s (seconds 4–8), the slow second 2 is out of view.
        let before = CriteriaEvaluator.evaluateLive(spec, seconds: Array(seconds.prefix(9)), layout: run.layout, elapsed: .seconds(9))
        #expect(before?.status == .pass)
    }

    @Test func aStageThatHasNotBegunIsUndecided() throws {
        let run = RunFixture(stages: [("ramp", 0, 10), ("peak", 10, 20)])
        for s in 0..<12 { run.second(s, count: s >= 10 ? 20 : 5, latency: .milliseconds(5)) }
        let seconds = run.drain()
        let spec = try criterion("throughput >= 15/s during peak", abort: true)
        #expect(CriteriaEvaluator.evaluateLive(spec, seconds: Array(seconds.prefix(10)), layout: run.layout, elapsed: .seconds(10)) == nil)
        let result = CriteriaEvaluator.evaluateLive(spec, seconds: seconds, layout: run.layout, elapsed: .seconds(12))
        #expect(result?.status == .pass)
        #expect(result?.measured == 20)
    }

    @Test func nothingMatchedYetIsUndecided() throws {
        let run = RunFixture()
        for s in 0..<5 { run.second(s, count: 5, latency: .milliseconds(5)) }
        let spec = try criterion("error_rate{request=checkout} < 1%", abort: true)
        #expect(CriteriaEvaluator.evaluateLive(spec, seconds: run.drain(), layout: run.layout, elapsed: .seconds(5)) == nil)
    }
}
