import Core
import Metrics
import Testing
@testable import Analysis

/// Builds a `RunMetrics` the way a run does — a real recorder, drained seconds reduced to
/// statistics, snapshots merged — from synthetic requests at known times.
final class RunFixture {
    let layout: MetricsLayout
    let recorder: MetricsRecorder

    /// - Parameter stages: name and [start, end) in seconds on the scenario clock.
    init(requests: [String] = ["product", "checkout"], stages: [(String, Double, Double)] = [], warmup: Double = 0, percentiles: [Double] = []) {
        layout = MetricsLayout(
            requestNames: requests,
            stages: stages.map { MetricsLayout.StageWindow(name: $0.0, start: nanos($0.1), end: nanos($0.2)) },
            warmup: nanos(warmup), percentiles: percentiles
        )
        recorder = MetricsRecorder(layout: layout)
    }

    /// Records one finished request scheduled at `at` seconds (scenario clock). A status ≥ 400 is
    /// an error of class `status`; status 0 is a connect failure (no response, nothing timed).
    func record(_ request: Int = 0, at: Double, latency: Duration, service: Duration? = nil, status: Int = 200) {
        let scheduled = nanos(at)
        let finished = scheduled + latency.nanoseconds
        let sent: Int64? = status == 0 ? nil : finished - (service ?? latency).nanoseconds
        let error: ErrorClass? = status == 0 ? .connect : status >= 400 ? .status : nil
        recorder.record(request: request, scheduledAt: scheduled, sentAt: sent, finishedAt: finished, status: status, error: error, bytesIn: 100, bytesOut: 10)
    }

    /// Records `count` requests spread evenly over the second starting at `second` (measured clock + warmup).
    func second(_ second: Int, count: Int, request: Int = 0, latency: Duration, status: Int = 200) {
        for i in 0..<count {
            record(request, at: layoutSeconds(second) + Double(i) / Double(max(count, 1)) * 0.25, latency: latency, status: status)
        }
    }

    func dropped(_ request: Int = 0, at: Double) {
        recorder.recordDropped(request: request, scheduledAt: nanos(at))
    }

    /// The measured seconds recorded so far, reduced as the orchestrator does (drains them).
    func drain(before second: Int = .max) -> [SecondStats] {
        recorder.drainSeconds(before: second).map { $0.stats(percentiles: layout.percentiles, inFlight: 0) }
    }

    /// The run's metrics after `measured` of measured time.
    func finish(measured: Duration) -> RunMetrics {
        RunMetrics.merge(layout: layout, snapshots: [recorder.snapshot()], seconds: drain(), measuredDuration: measured)
    }

    private func layoutSeconds(_ second: Int) -> Double {
        Double(layout.warmup) / 1e9 + Double(second)
    }
}

func nanos(_ seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }

/// A criterion from its text, through the scenario's parser.
func criterion(_ text: String, abort: Bool = false, after: Duration? = nil) throws -> CriterionSpec {
    CriterionSpec(expression: try CriterionParser.parse(text), source: text, abort: abort, after: after)
}

/// Evaluates one criterion against finished metrics.
func judge(_ text: String, _ metrics: RunMetrics, prom: PromSeries? = nil) throws -> CriterionResult {
    let results = CriteriaEvaluator.evaluate([try criterion(text)], metrics: metrics, prom: prom)
    return try #require(results.first)
}
