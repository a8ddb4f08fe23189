import Core
import Metrics
import Testing
@testable import Engine

private let second: Int64 = 1_000_000_000

private func stage(_ seconds: Double, _ target: Double, _ name: String = "") -> Stage {
    Stage(name: name, duration: .nanoseconds(Int64(seconds * 1e9)), target: target)
}

private func expectIncreasing(_ schedule: ArrivalSchedule) {
    var previous: Int64 = -1
    for i in 0..<schedule.arrivalCount {
        guard let t = schedule.arrivalTime(i) else {
            Issue.record("arrival \(i) has no time")
            return
        }
        #expect(t >= previous, "arrival \(i) at \(t) before \(previous)")
        #expect(t >= 0 && t <= schedule.duration)
        previous = t
    }
    #expect(schedule.arrivalTime(schedule.arrivalCount) == nil)
}

@Suite("Arrival schedule")
struct ArrivalScheduleTests {
    @Test func constantRate() {
        let s = ArrivalSchedule(start: 100, stages: [stage(10, 100)])
        #expect(s.duration == 10 * second)
        #expect(s.arrivalCount == 1000)
        #expect(s.arrivalTime(0) == 5_000_000)          // (0 + ½) / 100 s
        #expect(s.arrivalTime(1) == 15_000_000)
        #expect(s.arrivalTime(999) == 9_995_000_000)
        #expect(s.arrivalTime(1000) == nil)
        #expect(s.arrivals(before: 5 * second) == 500)
        #expect(s.level(at: 3 * second) == 100)
        expectIncreasing(s)
    }

    @Test func rampUpFromZero() {
        // 0 → 100/s over 10 s: N(t) = 5 t², 500 arrivals.
        let s = ArrivalSchedule(start: 0, stages: [stage(10, 100)])
        #expect(s.arrivalCount == 500)
        #expect(abs(s.cumulativeCount(at: 5 * second) - 125) < 1e-9)
        #expect(s.arrivals(before: 5 * second) == 125)
        // N(t) = i + ½ → t = √((i + ½) / 5).
        for i in [0, 1, 10, 124, 250, 499] {
            let expected = (Double(i) + 0.5) / 5
            let t = Double(s.arrivalTime(i) ?? -1) / 1e9
            #expect(abs(t - expected.squareRoot()) < 1e-6, "arrival \(i)")
        }
        #expect(s.level(at: 5 * second) == 50)
        expectIncreasing(s)
    }

    @Test func rampDownToZero() {
        // 100 → 0/s over 10 s: N(t) = 100 t − 5 t², 500 arrivals, 375 in the first half.
        let s = ArrivalSchedule(start: 100, stages: [stage(10, 0)])
        #expect(s.arrivalCount == 500)
        #expect(s.arrivals(before: 5 * second) == 375)
        // The last arrival: N(t) = 499.5 → t = 10 − √(0.5 / 5).
        let last = Double(s.arrivalTime(499) ?? -1) / 1e9
        #expect(abs(last - (10 - (0.1).squareRoot())) < 1e-6)
        expectIncreasing(s)
    }

    @Test func jumpAndZeroRateStages() {
        // Nothing for 5 s, jump to 100/s, hold 5 s, jump to 200/s for 1 s.
        let s = ArrivalSchedule(start: 0, stages: [stage(5, 0, "idle"), stage(0, 100), stage(5, 100, "hold"), stage(0, 200), stage(1, 200)])
        #expect(s.duration == 11 * second)
        #expect(s.arrivalCount == 700)
        #expect(s.arrivalTime(0) == 5 * second + 5_000_000)
        #expect(s.arrivals(before: 5 * second) == 0)
        #expect(s.arrivals(before: 10 * second) == 500)
        #expect(s.arrivalTime(500) == 10 * second + 2_500_000)
        expectIncreasing(s)
    }

    @Test func rampThenPlateauThenRampDown() {
        let s = ArrivalSchedule(start: 0, stages: [stage(2, 1000), stage(3, 1000), stage(2, 0)])
        // 1000 + 3000 + 1000
        #expect(s.arrivalCount == 5000)
        #expect(s.arrivals(before: 2 * second) == 1000)
        #expect(s.arrivals(before: 5 * second) == 4000)
        expectIncreasing(s)
    }

    @Test func nothingToSend() {
        let empty = ArrivalSchedule(start: 0, stages: [])
        #expect(empty.arrivalCount == 0)
        #expect(empty.arrivalTime(0) == nil)
        let zero = ArrivalSchedule(start: 0, stages: [stage(3, 0)])
        #expect(zero.arrivalCount == 0)
        #expect(zero.arrivalTime(0) == nil)
        #expect(zero.duration == 3 * second)
    }

    @Test func closedModelUsers() {
        // Ramp 0 → 10 users over 10 s, jump to 20, hold 5 s, ramp down to 0 over 5 s.
        let s = ArrivalSchedule(start: 0, stages: [stage(10, 10), stage(0, 20), stage(5, 20), stage(5, 0)])
        #expect(s.users(at: 0) == 0)
        #expect(s.users(at: 5 * second) == 5)
        #expect(s.users(at: 9_900_000_000) == 10)
        #expect(s.users(at: 10 * second) == 20)
        #expect(s.users(at: 14 * second) == 20)
        #expect(s.users(at: 17_500_000_000) == 10)
        #expect(s.users(at: 20 * second) == 0)
        let constant = ArrivalSchedule(start: 8, stages: [stage(60, 8)])
        #expect(constant.users(at: 30 * second) == 8)
    }

    @Test func metricsLayoutFromScenario() {
        let load = LoadSpec(model: .open, warmup: .seconds(2), stages: [stage(5, 100, "ramp"), stage(0, 200), stage(10, 200, "peak")])
        let scenario = Scenario(
            name: "t", target: TargetSpec(endpoint: .builtin(DemoTargetOptions())), load: load,
            requests: [RequestSpec(name: "a", path: Template(literal: "/")), RequestSpec(name: "b", path: Template(literal: "/x"))])
        let layout = MetricsLayout(scenario: scenario, percentiles: [99.99])
        #expect(layout.requestNames == ["a", "b"])
        #expect(layout.warmup == 2 * second)
        #expect(layout.stages.map(\.name) == ["ramp", "stage 2", "peak"])
        #expect(layout.stages.map(\.start) == [0, 5 * second, 5 * second])
        #expect(layout.stages.map(\.end) == [5 * second, 5 * second, 15 * second])
        #expect(layout.stageIndex(at: 5 * second) == 2)
        #expect(layout.percentiles.contains(99.99))
    }
}
