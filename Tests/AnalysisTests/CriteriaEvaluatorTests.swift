import Core
import Metrics
import Testing
@testable import Analysis

@Suite struct CriteriaEvaluatorTests {
    /// 100 `product` responses at 1 … 100 ms, within the first second.
    private func ladder() -> (RunMetrics, LatencyHistogram) {
        let run = RunFixture()
        var reference = LatencyHistogram()
        for ms in 1...100 {
            run.record(0, at: Double(ms) / 1000, latency: .milliseconds(ms))
            reference.record(nanoseconds: Int64(ms) * 1_000_000)
        }
        return (run.finish(measured: .seconds(1)), reference)
    }

    @Test func percentileComesFromTheSummedHistogramAndIsJudgedAtItsPrecision() throws {
        let (metrics, reference) = ladder()
        let p95 = reference.value(atPercentile: 95)
        // HdrHistogram with 3 significant digits reports the bucket's highest equivalent value.
        #expect(abs(p95.seconds - 0.095) <= 0.095 * 0.001)

        let result = try judge("p95(latency) < 96ms", metrics)
        #expect(result.status == .pass)
        #expect(result.passed)
        #expect(result.measured == p95.seconds)
        #expect(result.measuredText == Units.formatDuration(p95))
        #expect(result.limitText == "< 96ms")
        #expect(result.evidence == "p95 over 100 responses in the measured 1s")

        // Exactly at the reported value: `<` fails, `<=` passes.
        func atP95(_ comparison: CriterionExpression.Comparison) -> CriterionResult.Status? {
            let expression = CriterionExpression(selector: MetricSelector(aggregate: .percentile(95), metric: .latency), comparison: comparison, threshold: .duration(p95))
            return CriteriaEvaluator.evaluate([CriterionSpec(expression: expression, source: expression.description)], metrics: metrics).first?.status
        }
        #expect(atP95(.lessThan) == .fail)
        #expect(atP95(.lessOrEqual) == .pass)
        #expect(try judge("p95(latency) < 94ms", metrics).status == .fail)
    }

    @Test func avgMinMax() throws {
        let run = RunFixture()
        for (i, ms) in [10, 20, 30].enumerated() { run.record(0, at: Double(i) * 0.1, latency: .milliseconds(ms)) }
        let metrics = run.finish(measured: .seconds(1))

        let avg = try judge("avg(latency) < 21ms", metrics)
        #expect(avg.status == .pass)
        #expect(abs((avg.measured ?? 0) - 0.020) < 0.0001)
        #expect(avg.evidence.hasPrefix("mean over 3 responses"))
        #expect(try judge("avg(latency) < 19ms", metrics).status == .fail)

        let min = try judge("min(latency) >= 10ms", metrics)
        #expect(min.status == .pass)
        #expect(abs((min.measured ?? 0) - 0.010) < 0.00002)
        #expect(try judge("min(latency) > 11ms", metrics).status == .fail)

        let max = try judge("max(latency) < 30.1ms", metrics)
        #expect(max.status == .pass)
        #expect(abs((max.measured ?? 0) - 0.030) < 0.00004)
        #expect(try judge("max(latency) < 29ms", metrics).status == .fail)
    }

    @Test func serviceTimeExcludesTheWaitBeforeTheSend() throws {
        let run = RunFixture()
        for i in 0..<50 { run.record(0, at: Double(i) * 0.01, latency: .milliseconds(100), service: .milliseconds(20)) }
        let metrics = run.finish(measured: .seconds(1))
        #expect(try judge("p50(service_time) < 50ms", metrics).status == .pass)
        #expect(try judge("p50(latency) < 50ms", metrics).status == .fail)
        #expect(try judge("max(service_time) < 21ms", metrics).status == .pass)
    }

    /// `ramp` 0–10 s at 5/s, `peak` 10–20 s at 20/s.
    private func rampAndPeak() -> RunMetrics {
        let run = RunFixture(stages: [("ramp", 0, 10), ("peak", 10, 20)])
        for s in 0..<10 { run.second(s, count: 5, latency: .milliseconds(5)) }
        for s in 10..<20 { run.second(s, count: 20, latency: .milliseconds(5)) }
        return run.finish(measured: .seconds(20))
    }

    @Test func throughputOverTheRunAndDuringAStage() throws {
        let metrics = rampAndPeak()
        let whole = try judge("throughput >= 12/s", metrics)
        #expect(whole.status == .pass)
        #expect(whole.measured == 12.5)
        #expect(whole.measuredText == "12.5/s")
        #expect(whole.evidence == "250 requests in the measured 20s")
        #expect(try judge("throughput >= 13/s", metrics).status == .fail)

        let peak = try judge("throughput >= 20/s during peak", metrics)
        #expect(peak.status == .pass)
        #expect(peak.measured == 20)
        #expect(peak.evidence == "200 requests during peak (10s measured)")
        #expect(try judge("throughput >= 6/s during ramp", metrics).status == .fail)
    }

    @Test func warmupIsExcludedFromTheWindow() throws {
        let run = RunFixture(warmup: 5)
        for i in 0..<50 { run.record(0, at: Double(i) * 0.1, latency: .seconds(2)) }   // warmup only
        for s in 0..<10 { run.second(s, count: 10, latency: .milliseconds(5)) }
        let metrics = run.finish(measured: .seconds(10))
        #expect(try judge("throughput >= 10/s", metrics).measured == 10)
        #expect(try judge("max(latency) < 10ms", metrics).status == .pass)
    }

    @Test func nothingMatchedIsNoDataAndFails() throws {
        let run = RunFixture()
        run.second(0, count: 10, latency: .milliseconds(5))
        let metrics = run.finish(measured: .seconds(1))

        let checkout = try judge("error_rate{request=checkout} < 1%", metrics)
        #expect(checkout.status == .noData)
        #expect(!checkout.passed)
        #expect(checkout.measured == nil)
        #expect(checkout.measuredText == "–")
        #expect(checkout.evidence == "no requests matched")

        let empty = RunFixture().finish(measured: .seconds(10))
        for text in ["error_rate < 1%", "p95(latency) < 1s", "throughput < 100/s", "errors < 1", "dropped < 1"] {
            let result = try judge(text, empty)
            #expect(result.status == .noData, "\(text)")
            #expect(!result.passed, "\(text)")
        }
        #expect(try judge("throughput >= 1/s during nosuchstage", metrics).status == .noData)
        #expect(try judge("p95(latency{request=nosuch}) < 1s", metrics).status == .noData)
    }

    @Test func latencyOfRequestsThatNeverGotAResponseIsNoData() throws {
        let run = RunFixture()
        for i in 0..<5 { run.record(0, at: Double(i) * 0.1, latency: .milliseconds(1), status: 0) }
        let metrics = run.finish(measured: .seconds(1))
        let result = try judge("p95(latency) < 1s", metrics)
        #expect(result.status == .noData)
        #expect(result.evidence == "none of the 5 matching requests was timed")
        #expect(try judge("error_rate < 1%", metrics).measured == 1)
    }

    /// 90 `product` 200s at 10 ms; `checkout`: 5 × 200, 3 × 503, 2 × 404 at 300 ms; 4 drops.
    private func mixed() -> RunMetrics {
        let run = RunFixture()
        for i in 0..<90 { run.record(0, at: Double(i) * 0.01, latency: .milliseconds(10)) }
        let statuses = [200, 200, 200, 200, 200, 503, 503, 503, 404, 404]
        for (i, status) in statuses.enumerated() { run.record(1, at: Double(i) * 0.05, latency: .milliseconds(300), status: status) }
        for i in 0..<4 { run.dropped(1, at: 0.5 + Double(i) * 0.01) }
        return run.finish(measured: .seconds(2))
    }

    @Test func requestFilter() throws {
        let metrics = mixed()
        #expect(try judge("p85(latency) < 250ms", metrics).status == .pass)
        let checkout = try judge("p95(latency{request=checkout}) < 250ms", metrics)
        #expect(checkout.status == .fail)
        #expect(checkout.evidence == "p95 over 10 checkout responses in the measured 2s")
        #expect(try judge("p95(latency{request=product}) < 20ms", metrics).status == .pass)
        #expect(try judge("error_rate{request=product} <= 0%", metrics).status == .pass)
        #expect(try judge("error_rate{request=checkout} < 50%", metrics).measured == 0.5)
    }

    @Test func statusFilterErrorsAndDrops() throws {
        let metrics = mixed()
        let errors = try judge("errors < 5", metrics)
        #expect(errors.measured == 5)
        #expect(errors.status == .fail)
        #expect(errors.evidence == "5 errors of 100 requests in the measured 2s")

        let fiveHundreds = try judge("errors{status=5xx} <= 3", metrics)
        #expect(fiveHundreds.measured == 3)
        #expect(fiveHundreds.status == .pass)
        #expect(fiveHundreds.evidence == "3 5xx responses of 100 requests in the measured 2s")

        let rate = try judge("error_rate{status=5xx} < 3%", metrics)
        #expect(rate.measured == 0.03)
        #expect(rate.measuredText == "3%")
        #expect(rate.status == .fail)
        #expect(try judge("error_rate < 5.1%", metrics).status == .pass)

        #expect(try judge("throughput{status=2xx} >= 47.5/s", metrics).measured == 47.5)
        #expect(try judge("throughput{request=checkout,status=4xx} <= 1/s", metrics).measured == 1)

        let dropped = try judge("dropped < 4", metrics)
        #expect(dropped.measured == 4)
        #expect(dropped.status == .fail)
        #expect(try judge("dropped{request=checkout} <= 4", metrics).status == .pass)
        #expect(try judge("dropped{request=product} < 1", metrics).status == .pass)
    }

    @Test func exactStatusCodesAreCountedOneByOne() throws {
        let metrics = mixed()
        let e503 = try judge("errors{status=503} < 3", metrics)
        #expect(e503.measured == 3)
        #expect(e503.status == .fail)
        #expect(try judge("errors{status=404} <= 2", metrics).status == .pass)
        #expect(try judge("errors{status=500} < 1", metrics).measured == 0)
        let rate = try judge("error_rate{request=checkout,status=503} < 31%", metrics)
        #expect(rate.status == .pass)
        #expect(abs((rate.measured ?? 0) - 0.3) < 1e-9)
    }

    @Test func recoveryTimeFailsUntilFaultsExist() throws {
        let result = try judge("recovery_time < 5s", mixed())
        #expect(result.status == .noData)
        #expect(result.evidence == "no faults ran")
    }

    @Test func promMetrics() throws {
        let metrics = rampAndPeak()
        let prom = PromSeries(samples: ["queue_depth": (0..<20).map { Double($0) }])
        #expect(try judge("prom:queue_depth < 20", metrics, prom: prom).measured == 19)
        #expect(try judge("avg(prom:queue_depth) < 10", metrics, prom: prom).measured == 9.5)
        #expect(try judge("max(prom:queue_depth) < 10 during ramp", metrics, prom: prom).measured == 9)
        #expect(try judge("min(prom:queue_depth) >= 10 during peak", metrics, prom: prom).status == .pass)
        #expect(try judge("prom:queue_depth < 15 for 3s", metrics, prom: prom).status == .fail)
        let missing = try judge("prom:other < 1", metrics, prom: prom)
        #expect(missing.status == .noData)
        #expect(try judge("prom:queue_depth < 1", metrics).status == .noData)
    }

    @Test func resultsKeepSourceAndCanonicalText() throws {
        let spec = try criterion("p95( latency )   <  250ms")
        let result = try #require(CriteriaEvaluator.evaluate([spec], metrics: mixed()).first)
        #expect(result.source == "p95( latency )   <  250ms")
        #expect(result.expression == "p95(latency) < 250ms")
    }
}
