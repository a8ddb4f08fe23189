import Core
import Foundation
import Synchronization
import Testing
@testable import Metrics

/// Returns the next scripted values on each collect (the last one repeats).
private final class ScriptedSource: MetricSource {
    private let script: Mutex<[[String: Double]]>
    init(_ script: [[String: Double]]) { self.script = Mutex(script) }
    convenience init(_ name: String, _ values: [Double]) { self.init(values.map { [name: $0] }) }
    func collect() async throws -> [String: Double] {
        script.withLock { s in s.count > 1 ? s.removeFirst() : (s.first ?? [:]) }
    }
}

/// Counts its collects; reports the count.
private final class CountingSource: MetricSource {
    let calls = Mutex(0)
    func collect() async throws -> [String: Double] {
        ["calls": Double(calls.withLock { $0 += 1; return $0 })]
    }
}

private struct Broken: Error, CustomStringConvertible { var description: String { "connection refused" } }
private struct FailingSource: MetricSource {
    func collect() async throws -> [String: Double] { throw Broken() }
}

/// Sleeps (cooperatively) far longer than any source timeout.
private struct HangingSource: MetricSource {
    func collect() async throws -> [String: Double] {
        try await Task.sleep(for: .seconds(10))
        return ["never": 1]
    }
}

/// Blocks for a while without honouring cancellation, like a stuck read.
private struct StuckSource: MetricSource {
    func collect() async throws -> [String: Double] {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { c.resume() }
        }
        return ["late": 1]
    }
}

private final class Received: Sendable {
    let snapshots = Mutex<[MetricSnapshot]>([])
    var all: [MetricSnapshot] { snapshots.withLock { $0 } }
    func add(_ s: MetricSnapshot) { snapshots.withLock { $0.append(s) } }
}

/// Runs `rounds` collections one second apart on a manual clock (the first at t = 0).
private func run(_ aggregator: MetricsAggregator, _ clock: ManualTimeSource, rounds: Int) async {
    for i in 0..<rounds {
        if i > 0 { clock.advance(by: .seconds(1)) }
        await aggregator.collectOnce()
    }
}

@Suite struct AggregatorTests {
    @Test func windowedAggregationExcludesOlderSamples() async throws {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        // t = 0…9: 1000 (outside the window); t = 10…29: 1…20.
        agg.registerMetricSource("host", category: .system,
                                 ScriptedSource("cpu", Array(repeating: 1000, count: 10) + (1...20).map(Double.init)))
        await run(agg, clock, rounds: 30)

        let m = try #require(agg.calculateAggregatedMetrics(window: .seconds(19))["host.cpu"])
        #expect(m.count == 20)
        #expect(m.avg == 10.5)
        #expect(m.min == 1 && m.max == 20)
        #expect(m.p95 == 19 && m.p99 == 20)

        let all = try #require(agg.calculateAggregatedMetrics(window: .seconds(3600))["host.cpu"])
        #expect(all.count == 30 && all.max == 1000)
        #expect(agg.calculateAggregatedMetrics(window: .seconds(19)).window == .seconds(19))
    }

    @Test func steadyCounterRate() async {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        agg.registerMetricSource("prom", category: .business, ScriptedSource("requests_total", (0...10).map { Double($0 * 10) }))
        await run(agg, clock, rounds: 11)
        #expect(agg.calculateRate("prom.requests_total", window: .seconds(10)) == 10)
        #expect(agg.calculateRate("prom.requests_total", window: .seconds(2)) == 10)
        #expect(agg.calculateAggregatedMetrics(window: .seconds(10))["prom.requests_total"]?.rate == 10)
    }

    @Test func counterResetCountsNewValueAsIncrease() async throws {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        agg.registerMetricSource("prom", category: .business, ScriptedSource("requests_total", [100, 110, 5, 15]))
        await run(agg, clock, rounds: 4)
        // 10 + 5 (after the reset) + 10 over 3 s.
        let rate = try #require(agg.calculateRate("prom.requests_total", window: .seconds(60)))
        #expect(abs(rate - 25.0 / 3) < 1e-9)
    }

    @Test func rateNeedsTwoSamples() async {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        agg.registerMetricSource("prom", category: .business, ScriptedSource("requests_total", [1, 2, 3]))
        #expect(agg.calculateRate("prom.requests_total", window: .seconds(10)) == nil)
        await agg.collectOnce()
        #expect(agg.calculateRate("prom.requests_total", window: .seconds(10)) == nil)
        clock.advance(by: .seconds(5))
        await agg.collectOnce()
        #expect(agg.calculateRate("prom.requests_total", window: .seconds(1)) == nil)  // only the newest is inside
        #expect(agg.calculateRate("prom.requests_total", window: .seconds(5)) == 0.2)
        #expect(agg.calculateRate("prom.unknown", window: .seconds(5)) == nil)
        #expect(agg.calculateRate("nosuchsource.requests_total", window: .seconds(5)) == nil)
    }

    @Test func dottedSourceNamesResolveToTheLongestMatch() async {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        agg.registerMetricSource("proc", category: .system, ScriptedSource("target.rss", [1, 2]))
        agg.registerMetricSource("proc.target", category: .system, ScriptedSource("rss", [0, 100]))
        await run(agg, clock, rounds: 2)
        #expect(agg.calculateRate("proc.target.rss", window: .seconds(10)) == 100)
    }

    @Test func failingAndHangingSourcesAreSkippedWithWarnings() async throws {
        let agg = MetricsAggregator(clock: ManualTimeSource(), sourceTimeout: .milliseconds(100))
        agg.registerMetricSource("good", category: .system, CountingSource())
        agg.registerMetricSource("proc-target", category: .system, FailingSource())
        agg.registerMetricSource("hang", category: .business, HangingSource())

        let wall = ContinuousClock()
        let start = wall.now
        await agg.collectOnce()
        await agg.collectOnce()
        #expect(wall.now - start < .seconds(2))

        #expect(agg.metricsHistory(.system, count: 10).map(\.source) == ["good", "good"])
        #expect(agg.metricsHistory(.business, count: 10).isEmpty)
        #expect(agg.warnings.contains("source proc-target failed: connection refused; skipped (2 times)"))
        // The cancelled sleep may not have unwound before round two: then that round skips it.
        #expect(agg.warnings.contains { $0.hasPrefix("source hang timed out after 100 ms; skipped") })
        #expect(agg.warnings.count <= 3)
    }

    @Test func aSourceThatIgnoresCancellationIsAbandonedNotAwaited() async {
        let agg = MetricsAggregator(clock: ManualTimeSource(), sourceTimeout: .milliseconds(50))
        agg.registerMetricSource("good", category: .system, CountingSource())
        agg.registerMetricSource("stuck", category: .system, StuckSource())
        let wall = ContinuousClock()
        let start = wall.now
        await agg.collectOnce()
        await agg.collectOnce()  // the first call is still blocked: skipped, not started again
        #expect(wall.now - start < .seconds(1))
        #expect(agg.metricsHistory(.system, count: 10).map(\.source) == ["good", "good"])
        #expect(agg.warnings == [
            "source stuck timed out after 50 ms; skipped",
            "source stuck is still running from an earlier round; skipped",
        ])
    }

    @Test func subscribersGetEachSnapshotUntilUnsubscribed() async {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        agg.registerMetricSource("a", category: .system, ScriptedSource("x", [1, 2]))
        agg.registerMetricSource("b", category: .agents, ScriptedSource("y", [3, 4]))
        let received = Received(), other = Received()
        let id = agg.subscribe { received.add($0) }
        agg.subscribe { other.add($0) }
        await agg.collectOnce()
        #expect(received.all.count == 2)
        #expect(Set(received.all.map(\.source)) == ["a", "b"])
        #expect(received.all.first { $0.source == "b" }?.values == ["y": 3])
        #expect(received.all.allSatisfy { $0.time == .zero })

        agg.unsubscribe(id)
        clock.advance(by: .seconds(1))
        await agg.collectOnce()
        #expect(received.all.count == 2)
        #expect(other.all.count == 4)
        #expect(Set(other.all.filter { $0.time == .seconds(1) }.map(\.source)) == ["a", "b"])
    }

    @Test func historyPerCategoryAndPerAgent() async {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(clock: clock)
        agg.registerMetricSource("host", category: .system, ScriptedSource("cpu", [10, 20, 30]))
        agg.registerMetricSource("prom", category: .business, ScriptedSource("tps", [1, 2, 3]))
        agg.registerMetricSource("agent-1", category: .agents, ScriptedSource("rps", [100, 101, 102]))
        agg.registerMetricSource("agent-2", category: .agents, ScriptedSource("rps", [200, 201, 202]))
        await run(agg, clock, rounds: 3)

        let system = agg.metricsHistory(.system, count: 2)
        #expect(system.map(\.time) == [.seconds(1), .seconds(2)])
        #expect(system.map { $0.values["cpu"] } == [20, 30])
        #expect(agg.metricsHistory(.business, count: 100).count == 3)

        let agents = agg.metricsHistory(.agents, count: 3)
        #expect(agents.map(\.source) == ["agent-2", "agent-1", "agent-2"])
        #expect(agents.map(\.time) == [.seconds(1), .seconds(2), .seconds(2)])

        let agent2 = agg.agentMetricsHistory("agent-2", count: 2)
        #expect(agent2.map { $0.values["rps"] } == [201, 202])
        #expect(agg.agentMetricsHistory("agent-9", count: 2).isEmpty)
        #expect(agg.agentMetricsHistory("host", count: 2).isEmpty)  // not an agent
        #expect(agg.metricsHistory(.system, count: 0).isEmpty)
    }

    @Test func historyIsBoundedByBufferSize() async {
        let clock = ManualTimeSource()
        let agg = MetricsAggregator(bufferSize: 10, clock: clock)
        agg.registerMetricSource("agent-1", category: .agents, CountingSource())
        await run(agg, clock, rounds: 25)
        let history = agg.agentMetricsHistory("agent-1", count: 100)
        #expect(history.count == 10)
        #expect(history.first?.values["calls"] == 16 && history.last?.values["calls"] == 25)
    }

    @Test func snapshotsAreCodable() throws {
        let s = MetricSnapshot(time: .milliseconds(1500), source: "host", category: .system, values: ["cpu": 12.5])
        let decoded = try JSONDecoder().decode(MetricSnapshot.self, from: JSONEncoder().encode(s))
        #expect(decoded == s)
    }

    @Test func startAndStopCollectionInRealTime() async throws {
        let agg = MetricsAggregator(aggregationInterval: .milliseconds(20))
        let counter = CountingSource()
        agg.registerMetricSource("c", category: .system, counter)
        agg.startCollection()
        agg.startCollection()  // a second start is a no-op
        try await Task.sleep(for: .milliseconds(250))
        await agg.stopCollection()
        let calls = counter.calls.withLock { $0 }
        #expect(calls >= 2)
        try await Task.sleep(for: .milliseconds(100))
        #expect(counter.calls.withLock { $0 } == calls)
        let times = agg.metricsHistory(.system, count: 100).map(\.time)
        #expect(times == times.sorted() && Set(times).count == times.count)
    }

    @Test func stopCollectionDoesNotWaitForAHangingSource() async throws {
        let agg = MetricsAggregator(aggregationInterval: .milliseconds(10), sourceTimeout: .seconds(30))
        agg.registerMetricSource("hang", category: .system, HangingSource())
        agg.startCollection()
        try await Task.sleep(for: .milliseconds(50))
        let wall = ContinuousClock()
        let start = wall.now
        await agg.stopCollection()
        #expect(wall.now - start < .seconds(1))
        #expect(agg.warnings.isEmpty)  // a cancelled round is not the source's fault
    }
}

@Suite struct AggregatorStatisticsTests {
    @Test func nearestRankPercentiles() {
        let v = (1...100).map(Double.init)
        #expect(MetricStatistics.percentile(sorted: v, 95) == 95)
        #expect(MetricStatistics.percentile(sorted: v, 99) == 99)
        #expect(MetricStatistics.percentile(sorted: [7], 99) == 7)
        #expect(MetricStatistics.percentile(sorted: [1, 2], 0) == 1)
    }

    @Test func rateWithoutElapsedTimeIsNil() {
        #expect(MetricStatistics.rate([(.seconds(1), 1), (.seconds(1), 5)]) == nil)
        #expect(MetricStatistics.summarize([]) == nil)
    }

    @Test func warningsAreDeduplicatedAndBounded() {
        var log = WarningLog(limit: 2)
        log.add("a"); log.add("b"); log.add("a"); log.add("c"); log.add("d")
        #expect(log.lines == ["a (2 times)", "b", "2 more warnings not shown"])
    }
}
