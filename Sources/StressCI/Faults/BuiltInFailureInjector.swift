import Core
import Engine
import Synchronization

/// The failure injector `run` uses (README, *Failure injection*): `kill` and `pause` on a
/// launched target's process group.
public final class BuiltInFailureInjector: FailureInjector {
    private struct State {
        var scenario: Scenario?
        var processes: ProcessFaults?
        var clock: (@Sendable () -> Duration)?
    }

    private let state = Mutex(State())

    public init() {}

    public func prepare(scenario: Scenario, target: TargetSession) async throws -> FaultRoute? {
        let process = scenario.faults.enumerated().filter { $0.element.kind.isProcessFault }.map { (index: $0.offset, spec: $0.element) }
        var processes: ProcessFaults?
        if !process.isEmpty {
            guard let launched = target as? ProcessFaultTarget else {
                throw StressError(.usage, "`kill` and `pause` faults need a target the runner starts", hint: "add `target.start`")
            }
            processes = ProcessFaults(faults: process, target: launched)
        }
        state.withLock {
            $0.scenario = scenario
            $0.processes = processes
        }
        return nil
    }

    public func start(clock: @escaping @Sendable () -> Duration) {
        let processes = state.withLock { s -> ProcessFaults? in
            s.clock = clock
            return s.processes
        }
        processes?.start(clock: clock)
    }

    public func finish() async -> [InjectedFault] {
        let (scenario, processes, clock) = state.withLock { ($0.scenario, $0.processes, $0.clock) }
        guard let scenario else { return [] }
        let now = clock?() ?? .zero
        var outcomes = scenario.faults.indices.map { InjectedFault(index: $0) }
        for outcome in await processes?.finish(at: now) ?? [] where outcomes.indices.contains(outcome.index) {
            outcomes[outcome.index] = outcome
        }
        return outcomes
    }
}

extension Scenario {
    /// When each fault that ran was in force, named as reports name it, for `recovery_time`.
    public func faultWindows(_ injected: [InjectedFault]) -> [FaultWindow] {
        injected.compactMap { outcome in
            guard faults.indices.contains(outcome.index), let start = outcome.started else { return nil }
            let fault = faults[outcome.index]
            // Still in force when the run ended: nothing after it to recover in.
            return FaultWindow(name: fault.displayName(index: outcome.index), start: start, end: outcome.ended ?? max(start, load.totalDuration))
        }
    }
}
