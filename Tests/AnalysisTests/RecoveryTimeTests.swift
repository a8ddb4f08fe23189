import Core
import Metrics
import Testing
@testable import Analysis

/// `recovery_time` (README, *Failure injection*): from a fault's end to the first second that,
/// with the next, is back within the pre-fault level.
struct RecoveryTimeTests {
    func fault(_ start: Double, _ end: Double, name: String = "f") -> FaultWindow {
        FaultWindow(name: name, start: .seconds(start), end: .seconds(end))
    }

    @Test func aCleanSecondRightAfterTheFaultIsAnImmediateRecovery() {
        var seconds = Synthetic.clean(15)
        for t in 5..<10 { seconds[t] = Synthetic.second(t, requests: 100, p95: .milliseconds(200)) }
        let m = RecoveryTime.measure(fault(5, 10), in: Synthetic.metrics(seconds))
        #expect(m.seconds == 0)
        #expect(m.referenceSeconds == 5)
        // 8 ms p95 before: the level is the 2 ms floor above it.
        #expect(m.p95Level == .milliseconds(10))
    }

    @Test func errorsAfterTheFaultDelayTheRecoveryToTheFirstGoodPair() {
        var seconds = Synthetic.clean(15)
        // Down from 5 s; the fault (a kill) ends at 5.2 s when the target is started again, but it
        // answers only from 7 s; a lone good second at 6 does not count.
        seconds[5] = Synthetic.second(5, requests: 100, errors: 100, error: .connect)
        seconds[6] = Synthetic.second(6, requests: 100)
        seconds[7] = Synthetic.second(7, requests: 100, errors: 60, error: .connect)
        let m = RecoveryTime.measure(fault(5, 5.2), in: Synthetic.metrics(seconds))
        #expect(m.seconds.map { abs($0 - 2.8) < 1e-9 } == true)
    }

    @Test func aServiceThatNeverComesBackHasNoRecovery() {
        var seconds = Synthetic.clean(10)
        for t in 5..<10 { seconds[t] = Synthetic.second(t, requests: 100, errors: 50) }
        #expect(RecoveryTime.measure(fault(4, 5), in: Synthetic.metrics(seconds)).seconds == nil)
    }

    @Test func theNoiseBandComesFromThePreFaultSeconds() {
        // A noisy service (p95 between 10 and 30 ms) is back at 28 ms; a quiet one (8 ms) is not.
        var noisy = (0..<10).map { Synthetic.second($0, requests: 100, p95: .milliseconds($0 % 2 == 0 ? 10 : 30)) }
        noisy[5] = Synthetic.second(5, requests: 100, p95: .milliseconds(500))
        for t in 6..<10 { noisy[t] = Synthetic.second(t, requests: 100, p95: .milliseconds(28)) }
        #expect(RecoveryTime.measure(fault(5, 6), in: Synthetic.metrics(noisy)).seconds == 0)
        var quiet = Synthetic.clean(10)
        for t in 6..<10 { quiet[t] = Synthetic.second(t, requests: 100, p95: .milliseconds(28)) }
        #expect(RecoveryTime.measure(fault(5, 6), in: Synthetic.metrics(quiet)).seconds == nil)
    }

    @Test func withoutPreFaultSecondsOnlyTheErrorRateIsJudged() {
        // The fault is during the warmup: no measured second before it.
        var seconds = Synthetic.clean(6)
        seconds[0] = Synthetic.second(0, requests: 100, errors: 30)
        let m = RecoveryTime.measure(fault(1, 2), in: Synthetic.metrics(seconds, warmup: 2))
        #expect(m.referenceSeconds == 0)
        #expect(m.p95Level == nil)
        #expect(m.seconds == 1)
    }

    @Test func theCriterionTakesTheSlowestFaultAndFailsOnOneThatNeverRecovered() throws {
        var seconds = Synthetic.clean(20)
        seconds[5] = Synthetic.second(5, requests: 100, errors: 100, error: .connect)
        seconds[6] = Synthetic.second(6, requests: 100, errors: 100, error: .connect)
        let metrics = Synthetic.metrics(seconds)
        let criterion = try CriterionSpec(expression: CriterionParser.parse("recovery_time < 5s"), source: "recovery_time < 5s")
        let slow = CriteriaEvaluator.evaluate(criterion, metrics: metrics, faults: [fault(2, 3, name: "a"), fault(5, 5, name: "b")])
        #expect(slow.passed)
        #expect(slow.measured == 2)
        #expect(slow.evidence == "a recovered in 0s, b recovered in 2s")
        for t in 15..<20 { seconds[t] = Synthetic.second(t, requests: 100, errors: 100, error: .connect) }
        let never = CriteriaEvaluator.evaluate(criterion, metrics: Synthetic.metrics(seconds), faults: [fault(14, 15, name: "c")])
        #expect(!never.passed)
        #expect(never.evidence == "c never recovered before the run ended")
        let picked = try CriterionSpec(expression: CriterionParser.parse("recovery_time{fault=a} < 1s"), source: "x")
        #expect(CriteriaEvaluator.evaluate(picked, metrics: metrics, faults: [fault(2, 3, name: "a"), fault(5, 5, name: "b")]).passed)
        #expect(CriteriaEvaluator.evaluate(criterion, metrics: metrics, faults: []).status == .noData)
    }
}
