import Core
import Foundation
import Metrics
import Testing

private let second: Int64 = 1_000_000_000
@testable import Analysis
import Results

/// Each detector on synthetic series: it finds what it should, with its evidence, and stays quiet
/// on a clean run and on the edge cases (nothing measured, one second).
@Suite struct DiagnosticsTests {
    // MARK: Clean runs and edge cases

    @Test func aCleanRunHasNoIssuesAndNoRecommendations() {
        let d = Synthetic.diagnose(Synthetic.clean(30), sendLag: [.milliseconds(1), .milliseconds(2)],
                                   monitoring: Synthetic.cpu(generator: Array(repeating: 40, count: 30), host: Array(repeating: 60, count: 30)))
        #expect(d.issues == [])
        #expect(d.recommendations == [])
    }

    @Test func nothingMeasuredIsNoIssue() {
        #expect(Synthetic.diagnose([], load: Synthetic.openLoad(rate: 0, seconds: 0), measured: 0).issues == [])
        #expect(Synthetic.diagnose([], load: Synthetic.openLoad(rate: 0, seconds: 5), measured: 5).issues == [])
    }

    @Test func oneSecondHasNothingToCompareWith() {
        let bad = Synthetic.second(0, requests: 100, errors: 60, p99: .seconds(2))
        #expect(Synthetic.diagnose([bad]).issues == [])
    }

    // MARK: Error bursts

    @Test func anErrorBurstIsFoundWithItsWindowCountAndDominantClass() throws {
        var seconds = Synthetic.clean(20)
        for t in 8..<11 { seconds[t] = Synthetic.second(t, requests: 100, errors: 40, error: .timeout) }
        seconds[15] = Synthetic.second(15, requests: 100, errors: 1)  // background noise, not a burst
        let d = Synthetic.diagnose(seconds)
        let burst = try #require(d.issues.first { $0.kind == .errorBurst })
        #expect(d.issues.filter { $0.kind == .errorBurst }.count == 1)
        #expect(burst.severity == .warning)
        #expect(burst.evidence.fromS == 8 && burst.evidence.toS == 11)
        #expect(burst.evidence.count == 120)
        #expect(abs(burst.evidence.value - 0.4) < 1e-9)
        #expect(burst.evidence.threshold == DiagnosticThresholds.burstMinimumRate)
        #expect(burst.evidence.detail == "timeout (100%)")
        #expect(burst.summary == "Error burst from 00:08 to 00:11: 120 of 300 requests failed (40%, against 0.059% in the rest of the run), mostly timeout (100%).")
    }

    @Test func aBurstOfMostlyFailuresIsCriticalAndNamesTheStatus() throws {
        var seconds = Synthetic.clean(10)
        seconds[4] = Synthetic.second(4, requests: 100, errors: 90, status: 503)
        let burst = try #require(Synthetic.diagnose(seconds).issues.first)
        #expect(burst.kind == .errorBurst && burst.severity == .critical)
        #expect(burst.evidence.detail == "status 503 (100%)")
        #expect(burst.summary.hasPrefix("Error burst at 00:04: 90 of 100 requests failed (90%"))
    }

    @Test func aSteadyErrorRateIsNotABurst() {
        let seconds = (0..<20).map { Synthetic.second($0, requests: 100, errors: 28 + $0 % 5) }
        #expect(Synthetic.diagnose(seconds).issues == [])
    }

    @Test func aFewErrorsInAQuietSecondAreNotABurst() {
        var seconds = Synthetic.clean(10, rate: 20)
        seconds[3] = Synthetic.second(3, requests: 20, errors: 4)  // 20%, but under the minimum count
        #expect(Synthetic.diagnose(seconds, load: Synthetic.openLoad(rate: 20, seconds: 10)).issues == [])
    }

    // MARK: Latency spikes

    @Test func aLatencySpikeIsFoundAgainstTheUsualSecond() throws {
        var seconds = Synthetic.clean(20)
        seconds[5] = Synthetic.second(5, requests: 100, p99: .milliseconds(400))
        seconds[6] = Synthetic.second(6, requests: 100, p99: .milliseconds(250))
        seconds[12] = Synthetic.second(12, requests: 100, p99: .milliseconds(35))  // 3.5×, but only +25ms: noise
        let d = Synthetic.diagnose(seconds)
        #expect(d.issues.count == 1)
        let spike = try #require(d.issues.first)
        #expect(spike.kind == .latencySpike && spike.severity == .critical)
        #expect(spike.evidence.fromS == 5 && spike.evidence.toS == 7)
        #expect(spike.evidence.value == 400 && spike.evidence.reference == 10 && spike.evidence.threshold == 60)
        #expect(spike.summary == "Latency spike from 00:05 to 00:07: p99 reached 400ms at 00:05, against 10ms in a usual second.")
    }

    @Test func aSpikeInTheFirstSecondWithoutWarmupAsksForOne() {
        var seconds = Synthetic.clean(10)
        seconds[0] = Synthetic.second(0, requests: 100, p99: .milliseconds(300))
        let d = Synthetic.diagnose(seconds)
        #expect(d.issues.map(\.kind) == [.latencySpike])
        #expect(d.recommendations.last == "Add a warmup (load.warmup, e.g. 5s) so that opening connections and cold caches stay out of the statistics: the run's first second was a spike.")
        #expect(Synthetic.diagnose(seconds, load: Synthetic.openLoad(seconds: 10, warmup: 2)).recommendations.count == 1)
    }

    @Test func aSmallAbsoluteJumpIsNotASpike() {
        var seconds = (0..<10).map { Synthetic.second($0, requests: 100, p99: .milliseconds(1)) }
        seconds[4] = Synthetic.second(4, requests: 100, p99: .milliseconds(20))
        #expect(Synthetic.diagnose(seconds).issues == [])
    }

    @Test func secondsWithTooFewResponsesAreNotJudged() {
        var seconds = Synthetic.clean(10)
        seconds[4] = Synthetic.second(4, requests: 3, p99: .seconds(3))
        #expect(Synthetic.diagnose(seconds, load: Synthetic.openLoad(rate: 100, seconds: 10)).issues.allSatisfy { $0.kind != .latencySpike })
    }

    // MARK: Dropped arrivals

    @Test func droppedArrivalsAreCountedWithTheirShareAndWhen() throws {
        var seconds = Synthetic.clean(20)
        for (t, n) in [(3, 10), (4, 30), (6, 5)] { seconds[t] = Synthetic.second(t, requests: 100, dropped: n) }
        let d = Synthetic.diagnose(seconds, load: Synthetic.openLoad(seconds: 20, maxInFlight: 64))
        let drop = try #require(d.issues.first { $0.kind == .droppedArrivals })
        #expect(drop.severity == .critical)
        #expect(drop.evidence.count == 45 && drop.evidence.fromS == 3 && drop.evidence.toS == 7)
        #expect(abs(drop.evidence.value - 45.0 / 2045) < 1e-9)
        #expect(drop.summary == "45 arrivals (2.2% of the schedule) were dropped from 00:03 to 00:07 because 64 requests were already outstanding (max_in_flight); the most, 30, at 00:04.")
        #expect(d.recommendations.contains { $0.hasPrefix("Raise load.max_in_flight (now 64) and load.connections (now 16)") })
    }

    // MARK: Generator saturation

    @Test func aCPUBoundGeneratorIsFound() throws {
        let cpu = [50, 60, 185, 190, 195, 188, 70, 60, 50, 50].map(Double.init)
        let d = Synthetic.diagnose(Synthetic.clean(10), monitoring: Synthetic.cpu(generator: cpu), threads: 2)
        let issue = try #require(d.issues.first { $0.kind == .generatorSaturation })
        #expect(issue.evidence.metric == "generator_cpu_percent")
        #expect(issue.evidence.fromS == 2 && issue.evidence.toS == 6)
        #expect(issue.evidence.value == 195 && issue.evidence.threshold == 180 && issue.evidence.reference == 200)
        #expect(issue.severity == .warning)
        #expect(issue.summary.hasPrefix("The load generator was CPU-bound from 00:02 to 00:06: it peaked at 195% of one core, against 200% for its 2 threads"))
        #expect(d.recommendations.first?.hasPrefix("Raise --threads (now 2) or run stress-ci on a separate machine") == true)
    }

    @Test func anEmbeddedTargetIsNamedAsSharingTheGeneratorsCPU() throws {
        let d = Synthetic.diagnose(Synthetic.clean(6), monitoring: Synthetic.cpu(generator: Array(repeating: 99, count: 6)), threads: 1, embedded: true)
        let issue = try #require(d.issues.first)
        #expect(issue.severity == .critical)
        #expect(issue.summary.hasPrefix("The stress-ci process (the load generator and the embedded demo target) was CPU-bound"))
        #expect(d.recommendations.first?.hasPrefix("Run the target outside stress-ci") == true)
    }

    @Test func aFullHostIsReportedAsCompetitionForCPU() throws {
        let d = Synthetic.diagnose(Synthetic.clean(8), monitoring: Synthetic.cpu(generator: Array(repeating: 60, count: 8), host: Array(repeating: 98, count: 8)))
        let issue = try #require(d.issues.first)
        #expect(issue.evidence.metric == "host_cpu_percent" && issue.evidence.value == 98 && issue.evidence.threshold == 95)
        #expect(d.recommendations.first?.hasPrefix("Run stress-ci on a less busy machine") == true)
    }

    @Test func twoBusySamplesAreNotSaturation() {
        let cpu = [50, 190, 50, 50, 190, 50, 50, 50].map(Double.init)
        #expect(Synthetic.diagnose(Synthetic.clean(8), monitoring: Synthetic.cpu(generator: cpu)).issues == [])
    }

    @Test func aLongSendLagMeansRequestsLeftLate() throws {
        let lag = Array(repeating: Duration.milliseconds(1), count: 90) + Array(repeating: .milliseconds(300), count: 10)
        let d = Synthetic.diagnose(Synthetic.clean(10), sendLag: lag)
        let issue = try #require(d.issues.first)
        #expect(issue.kind == .generatorSaturation && issue.evidence.metric == "send_lag_p99")
        #expect(issue.evidence.value >= 299 && issue.evidence.threshold == DiagnosticThresholds.sendLagLimit.milliseconds)
        #expect(d.recommendations == [
            "Raise load.connections (now 16) so that arrivals need not wait for a free connection, or --threads if the generator's CPU was busy: requests left up to \(Units.formatMilliseconds(issue.evidence.value)) (p99) after their scheduled time.",
        ])
        // The closed model has no schedule to be late for.
        let closed = LoadSpec(model: .closed, stages: [Stage(name: "run", duration: .seconds(10), target: 10)])
        #expect(Synthetic.diagnose(Synthetic.clean(10), load: closed, sendLag: lag).issues == [])
    }

    // MARK: Target saturation

    @Test func fallingBehindTheScheduleIsTargetSaturation() throws {
        var seconds = Synthetic.clean(20)
        for t in 5..<12 { seconds[t] = Synthetic.second(t, requests: 60) }
        let issue = try #require(Synthetic.diagnose(seconds).issues.first)
        #expect(issue.kind == .targetSaturation && issue.severity == .warning)
        #expect(issue.evidence.fromS == 5 && issue.evidence.toS == 12)
        #expect(issue.evidence.value == 60 && issue.evidence.reference == 100 && issue.evidence.threshold == 90)
        #expect(issue.summary == "The target fell behind the arrival schedule from 00:05 to 00:12: 60/s completed against 100/s planned (60%).")
    }

    @Test func oneStalledSecondThatCatchesUpIsASpikeNotSaturation() {
        var seconds = Synthetic.clean(20)
        seconds[5] = Synthetic.second(5, requests: 0)
        seconds[6] = Synthetic.second(6, requests: 200, p95: .milliseconds(700), p99: .milliseconds(950))
        let kinds = Synthetic.diagnose(seconds).issues.map(\.kind)
        #expect(kinds == [.latencySpike])
    }

    @Test func aRampWhoseThroughputLevelsOffSaturatesTheTarget() throws {
        let load = LoadSpec(model: .closed, start: 10, stages: [Stage(name: "ramp", duration: .seconds(20), target: 100)])
        let profile = ArrivalSchedule(load)
        let seconds = (0..<20).map { t -> SecondStats in
            let users = profile.meanLevel(from: Int64(t) * second, to: Int64(t + 1) * second)
            let p95 = Duration.milliseconds(10) * max(1, users / 40)
            return Synthetic.second(t, requests: Int(min(users * 10, 400)), p95: p95, p99: p95 * 1.2)
        }
        let issue = try #require(Synthetic.diagnose(seconds, load: load).issues.first)
        #expect(issue.kind == .targetSaturation)
        #expect(issue.evidence.value == 400 && issue.evidence.fromS == 6 && issue.evidence.toS == 20)
        #expect(issue.summary == "The target saturated at about 400/s from 00:06: the load rose from 39 users to 98 users while throughput stayed flat and p95 latency rose from 10ms to 18.81ms.")
        #expect(Synthetic.diagnose(seconds, load: load).recommendations.last == "Treat about 400/s as the target's capacity under this scenario, or profile it at that load (CPU, connection and thread pools, locks) to raise it.")
    }

    @Test func aRampThatKeepsUpIsNotSaturation() {
        let load = LoadSpec(model: .closed, start: 10, stages: [Stage(name: "ramp", duration: .seconds(20), target: 100)])
        let profile = ArrivalSchedule(load)
        let seconds = (0..<20).map { Synthetic.second($0, requests: Int(profile.meanLevel(from: Int64($0) * second, to: Int64($0 + 1) * second) * 10)) }
        #expect(Synthetic.diagnose(seconds, load: load).issues == [])
    }

    @Test func theLoadProfileFollowsRampsAndJumps() {
        let load = LoadSpec(model: .open, start: 0, stages: [
            Stage(name: "ramp", duration: .seconds(10), target: 100), Stage(name: "jump", duration: .zero, target: 300),
            Stage(name: "hold", duration: .seconds(5), target: 300),
        ])
        let p = ArrivalSchedule(load)
        #expect(p.level(at: 5 * second) == 50)
        #expect(p.meanLevel(from: 0, to: 10 * second) == 50)
        #expect(p.meanLevel(from: 9 * second + second / 2, to: 10 * second + second / 2) == (0.5 * 97.5 + 0.5 * 300))
        #expect(p.level(at: 99 * second) == 300)
    }

    // MARK: Target restarts

    @Test func aNewProcessStartTimeIsARestart() throws {
        let d = Synthetic.diagnose(Synthetic.clean(8), targetMetrics: ["process_start_time_seconds": [1000, 1000, 1000, .nan, 1005, 1005, 1005, 1005]])
        let restart = try #require(d.issues.first)
        #expect(restart.kind == .targetRestart && restart.severity == .critical)
        #expect(restart.evidence.fromS == 3 && restart.evidence.toS == 5)
        #expect(restart.evidence.value == 1005 && restart.evidence.reference == 1000)
        #expect(restart.summary == "The target restarted between 00:02 and 00:04: its process_start_time_seconds changed.")
        #expect(Synthetic.diagnose(Synthetic.clean(8), targetMetrics: ["process_start_time_seconds": Array(repeating: 1000.4, count: 8)]).issues == [])
    }

    @Test func refusedConnectionsThenRecoveryIsARestartNotABurst() throws {
        var seconds = Synthetic.clean(11)
        for t in 5..<7 { seconds[t] = Synthetic.second(t, requests: 50, errors: 50, error: .connect) }
        let d = Synthetic.diagnose(seconds, launched: true)
        let restart = try #require(d.issues.first { $0.kind == .targetRestart })
        #expect(!d.issues.contains { $0.kind == .errorBurst })
        #expect(restart.evidence.metric == "connect_errors" && restart.evidence.count == 100)
        #expect(restart.evidence.fromS == 5 && restart.evidence.toS == 7)
        #expect(restart.summary == "The target stopped taking connections from 00:05 to 00:07 (100 of 100 requests failed to connect or were reset) and served again from 00:07: it probably restarted.")
        #expect(d.recommendations.contains { $0.hasPrefix("Look at target.log around 00:05–00:07 of the measured run for why the target restarted") })
    }

    @Test func refusedConnectionsAtTheEndAreABurstNotARestart() throws {
        var seconds = Synthetic.clean(10)
        for t in 8..<10 { seconds[t] = Synthetic.second(t, requests: 50, errors: 50, error: .connect) }
        let kinds = Synthetic.diagnose(seconds).issues.map(\.kind)
        #expect(kinds.contains(.errorBurst) && !kinds.contains(.targetRestart))
    }

    @Test func aRestartSeenTwiceIsReportedOnce() throws {
        var seconds = Synthetic.clean(11)
        for t in 5..<7 { seconds[t] = Synthetic.second(t, requests: 50, errors: 50, error: .connect) }
        let start: [Double] = [1000, 1000, 1000, 1000, 1000, 1000, 1007, 1007, 1007, 1007, 1007]
        let restarts = Synthetic.diagnose(seconds, targetMetrics: ["process_start_time_seconds": start]).issues.filter { $0.kind == .targetRestart }
        #expect(restarts.count == 1)
        #expect(restarts.first?.evidence.metric == "process_start_time_seconds")
        #expect(restarts.first?.summary == "The target restarted between 00:05 and 00:06: its process_start_time_seconds changed, and 100 requests failed to connect or were reset from 00:05 to 00:07.")
    }

    // MARK: Recommendations and order

    @Test func recommendationsAreDeduplicatedAndNameTheWindowsOnTheWallClock() throws {
        var seconds = Synthetic.clean(20)
        for t in [3, 4, 12] { seconds[t] = Synthetic.second(t, requests: 100, errors: 30, status: 502) }
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let d = Synthetic.diagnose(seconds, launched: true, start: start)
        #expect(d.issues.map(\.kind) == [.errorBurst, .errorBurst])
        #expect(d.recommendations == [
            "Look at target.log around 00:03–00:05 and 00:12 of the measured run (00:00:03–00:00:05 and 00:00:12 UTC): the target answered with errors there, so its own log says why.",
        ])
    }

    @Test func issuesComeInTimeOrder() {
        var seconds = Synthetic.clean(20)
        seconds[15] = Synthetic.second(15, requests: 100, errors: 50)
        seconds[4] = Synthetic.second(4, requests: 100, p99: .milliseconds(500))
        let d = Synthetic.diagnose(seconds)
        #expect(d.issues.map(\.kind) == [.latencySpike, .errorBurst])
        #expect(d.issues.map(\.evidence.fromS) == [4, 15])
    }

    @Test func evidenceReadsAsOneLine() {
        let e = RunIssue.Evidence(fromS: 8, toS: 11, metric: "error_rate", value: 0.4, unit: .fraction, threshold: 0.05, reference: 0.001, count: 120, detail: "timeout (100%)")
        #expect(e.text == "00:08–00:11 · error rate 40% (threshold 5%, rest of the run 0.1%) · 120 events · timeout (100%)")
        #expect(RunIssue.Evidence(fromS: 3, toS: 4, metric: "p99_latency", value: 400, unit: .milliseconds).text == "00:03 · p99 400ms")
    }
}
