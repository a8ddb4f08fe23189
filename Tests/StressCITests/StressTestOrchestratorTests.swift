import Foundation
import Synchronization
import Testing
@testable import StressCI
import Core
import Metrics

/// A driver that runs until stopped, so the lifecycle can be stepped by hand.
/// (The load itself is covered by the engine and CLI tests; here the state machine is under test.)
private final class SteppedDriver: LoadDriver {
    private let state = Mutex<(running: Bool, started: CheckedContinuation<Void, Never>?, finish: CheckedContinuation<Void, Never>?, stopped: Bool, calls: [String])>((false, nil, nil, false, []))
    let layout: MetricsLayout
    let failure: (any Error)?

    init(layout: MetricsLayout, failure: (any Error)? = nil) {
        self.layout = layout
        self.failure = failure
    }

    var calls: [String] { state.withLock { $0.calls } }

    func run(onSecond: @escaping @Sendable (SecondStats) -> Void) async throws -> RunMetrics {
        if let failure { throw failure }
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.running = true
            defer { s.started = nil }
            return s.started
        }
        waiter?.resume()
        await withCheckedContinuation { c in
            let resumeNow = state.withLock { s -> Bool in
                if s.stopped { return true }
                s.finish = c
                return false
            }
            if resumeNow { c.resume() }
        }
        return RunMetrics.merge(layout: layout, snapshots: [], seconds: [], measuredDuration: .zero)
    }

    /// Returns once `run` has been entered.
    func waitUntilRunning() async {
        await withCheckedContinuation { c in
            let now = state.withLock { s -> Bool in
                if s.running { return true }
                s.started = c
                return false
            }
            if now { c.resume() }
        }
    }

    func pause() { state.withLock { $0.calls.append("pause") } }
    func resume() { state.withLock { $0.calls.append("resume") } }
    func stop() {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.calls.append("stop")
            s.stopped = true
            defer { s.finish = nil }
            return s.finish
        }
        c?.resume()
    }
}

private final class NoTarget: TargetSession {
    let shutdowns = Mutex(0)
    var address: String { "test" }
    func shutdown() async { shutdowns.withLock { $0 += 1 } }
}

private func scenario() throws -> Scenario {
    try ScenarioLoader(environment: [:]).load(text: """
        name: orchestrated
        target: { builtin: demo }
        load: { model: open, rate: 10/s, duration: 30s }
        criteria: [ "error_rate < 1%" ]
        """, file: "inline.yaml")
}

@Suite struct StressTestOrchestratorTests {
    @Test func lifecycleWithPausesOnAManualClock() async throws {
        let clock = ManualTimeSource()
        let o = StressTestOrchestrator(clock: clock)
        let events = Mutex<[String]>([])
        for e in LifecycleEvent.allCases { o.registerLifecycleCallback(e) { s in events.withLock { $0.append("\(e.rawValue):\(s.state)") } } }
        let sc = try scenario()
        try o.loadScenario(sc)
        #expect(o.currentStatus.state == .validating)
        let driver = SteppedDriver(layout: MetricsLayout(scenario: sc))
        let target = NoTarget()
        o.setComponents(target: target, driver: driver)

        let run = Task { try await o.startTest() }
        await driver.waitUntilRunning()
        #expect(o.currentStatus.state == .running)
        clock.advance(by: .seconds(5))
        try o.pauseTest()
        #expect(throws: IllegalTransition.self) { try o.pauseTest() }
        clock.advance(by: .seconds(3))
        #expect(o.currentStatus.elapsed == .seconds(5))
        try o.resumeTest()
        clock.advance(by: .seconds(2))
        #expect(o.currentStatus.elapsed == .seconds(7))
        try o.stopTest(reason: "enough")
        let result = try await run.value
        #expect(o.currentStatus.state == .completed)
        #expect(result.stopReason == "enough")
        #expect(result.isPartial)
        #expect(result.pauses == [PauseWindow(start: .seconds(5), end: .seconds(8))])
        #expect(driver.calls == ["pause", "resume", "resume", "stop"])
        #expect(target.shutdowns.withLock { $0 } == 1)
        #expect(events.withLock { $0 } == [
            "on_start:RUNNING", "on_pause:PAUSED", "on_resume:RUNNING", "on_stop:STOPPING", "on_complete:COMPLETED",
        ])
        #expect(result.history.map(\.to) == [.validating, .initializing, .running, .paused, .running, .stopping, .completed])
    }

    @Test func illegalCallsThrowInsteadOfDoingNothing() throws {
        let o = StressTestOrchestrator(clock: ManualTimeSource())
        #expect(throws: IllegalTransition(from: .idle, to: .paused)) { try o.pauseTest() }
        #expect(throws: IllegalTransition(from: .idle, to: .running)) { try o.resumeTest() }
        #expect(throws: IllegalTransition(from: .idle, to: .stopping)) { try o.stopTest() }
        #expect(throws: IllegalTransition(from: .idle, to: .completed)) { try o.completeTest(success: true) }
        #expect(o.currentStatus.state == .idle)
    }

    @Test func aFailingDriverEndsInFailedWithOnError() async throws {
        let o = StressTestOrchestrator(clock: ManualTimeSource())
        let errors = Mutex<[String]>([])
        o.registerLifecycleCallback(.onError) { s in errors.withLock { $0.append(s.failure ?? "") } }
        let sc = try scenario()
        try o.loadScenario(sc)
        let target = NoTarget()
        o.setComponents(target: target, driver: SteppedDriver(layout: MetricsLayout(scenario: sc), failure: StressError(.targetNotReady, "never ready")))
        await #expect(throws: StressError.self) { try await o.startTest() }
        #expect(o.currentStatus.state == .failed)
        #expect(errors.withLock { $0 } == ["never ready"])
        #expect(target.shutdowns.withLock { $0 } == 1)
    }

    @Test func invalidScenarioFileFailsValidation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orch-\(UUID().uuidString).yaml")
        try Data("name: x\nlod: {}\n".utf8).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = StressTestOrchestrator(clock: ManualTimeSource())
        #expect(throws: StressError.self) { try o.loadScenario(path: dir.path, environment: [:]) }
        #expect(o.currentStatus.state == .failed)
    }
}
