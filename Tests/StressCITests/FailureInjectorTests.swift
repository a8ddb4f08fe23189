import Foundation
import Synchronization
import Testing
@testable import StressCI
import Core

/// The library's `FailureInjector` (README, *Swift library*): a caller's injector replaces the
/// built-in one, is called in order, and what it reports becomes `recovery_time` and the result's
/// fault records. Real load against the embedded target; the injector itself only records.
private final class RecordingInjector: FailureInjector {
    let calls = Mutex<[String]>([])
    let clock = Mutex<(@Sendable () -> Duration)?>(nil)

    func prepare(scenario: Scenario, target: TargetSession) async throws -> FaultRoute? {
        calls.withLock { $0.append("prepare \(scenario.faults.count)") }
        return nil
    }

    func start(clock: @escaping @Sendable () -> Duration) {
        calls.withLock { $0.append("start") }
        self.clock.withLock { $0 = clock }
    }

    func finish() async -> [InjectedFault] {
        let now = clock.withLock { $0 }?() ?? .zero
        calls.withLock { $0.append("finish") }
        // As if the fault had been in force from 1 s to 2 s; the load was clean throughout.
        return [InjectedFault(index: 0, started: .seconds(1), ended: min(now, .seconds(2)), requests: 7, affected: 3)]
    }
}

struct FailureInjectorTests {
    @Test func aCallersInjectorIsCalledInOrderAndItsFaultsAreJudged() async throws {
        let scenario = try ScenarioBuilder
            .constant(name: "injected", target: .builtin(DemoTargetOptions(latency: .milliseconds(2))), rate: Rate(perSecond: 50), duration: .seconds(4))
            .request("product", path: "/products/1")
            .fault(.latency, at: .seconds(1), for: .seconds(1), ["delay": "100ms"], name: "slow")
            .criterion("recovery_time{fault=slow} < 2s")
            .build()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("stress-ci-injector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let orchestrator = StressTestOrchestrator()
        try orchestrator.loadScenario(scenario)
        orchestrator.setComponentFactory(DefaultComponents.factory(logDirectory: out.path, threads: 1))
        let injector = RecordingInjector()
        orchestrator.setFailureInjector(injector)
        let run = try await orchestrator.startTest()
        #expect(injector.calls.withLock { $0 } == ["prepare 1", "start", "finish"])
        #expect(run.faults.first?.affected == 3)
        #expect(run.criteriaPassed, "\(run.criteria.map(\.evidence))")
        let document = run.resultDocument(id: "20260101_000000_injected", environment: .init(host: "h", os: "o", cores: 1, toolVersion: "t"))
        let record = try #require(document.faults?.first)
        #expect(record.name == "slow")
        #expect(record.actual?.startS == 1)
        #expect(record.requests == 7)
        // A clean run: back at once, or within a second when the host stalled one.
        #expect((record.recoveryS ?? 99) <= 1)
    }

    @Test func theBuiltInInjectorRefusesProcessFaultsWithoutALaunchedTarget() async throws {
        // `validate` refuses this; a scenario built by hand past the validator still gets a clear error.
        var scenario = try ScenarioBuilder.smoke().build()
        scenario.faults = [FaultSpec(kind: .kill, at: .seconds(1), duration: .zero)]
        final class Session: TargetSession {
            let address = "demo"
            func shutdown() async {}
        }
        await #expect(throws: StressError.self) {
            _ = try await BuiltInFailureInjector().prepare(scenario: scenario, target: Session())
        }
    }
}
