#if canImport(Glibc)
import Glibc
#endif
import Core
import Synchronization

/// Runs `kill` and `pause` faults on the scenario clock against a launched target (README,
/// *Failure injection*): SIGKILL at `at`, then the same command again after `for` (at once by
/// default), its readiness probe watched outside the measured load; SIGSTOP at `at`, SIGCONT
/// after `for`. Process faults never overlap (the validator refuses it), so one task runs them
/// in order.
final class ProcessFaults: Sendable {
    private struct State {
        var outcomes: [Int: InjectedFault] = [:]
        /// A paused target to continue when the run ends inside the pause.
        var pausedIndex: Int?
        var task: Task<Void, Never>?
        var readiness: [Task<Void, Never>] = []
    }

    private let faults: [(index: Int, spec: FaultSpec)]
    private let target: ProcessFaultTarget
    private let state = Mutex(State())

    init(faults: [(index: Int, spec: FaultSpec)], target: ProcessFaultTarget) {
        self.faults = faults.sorted { $0.spec.at < $1.spec.at }
        self.target = target
    }

    func start(clock: @escaping @Sendable () -> Duration) {
        let task = Task { [self] in
            for (index, fault) in faults {
                guard await Self.sleep(until: fault.at, clock: clock) else { return }
                await run(index: index, fault: fault, clock: clock)
            }
        }
        state.withLock { $0.task = task }
    }

    private func run(index: Int, fault: FaultSpec, clock: @escaping @Sendable () -> Duration) async {
        let began = clock()
        switch fault.kind {
        case .pause:
            target.signalTarget(SIGSTOP)
            state.withLock {
                $0.outcomes[index] = InjectedFault(index: index, started: began)
                $0.pausedIndex = index
            }
            // `for` from when it actually began: a late start (the clock is polled) never shortens it.
            _ = await Self.sleep(until: began + fault.duration, clock: clock)
            // Continued here, or by `finish` when the run ended first (then not here).
            let continued = state.withLock { s -> Bool in
                guard s.pausedIndex == index else { return false }
                s.pausedIndex = nil
                s.outcomes[index]?.ended = clock()
                return true
            }
            if continued { target.signalTarget(SIGCONT) }
        case .kill:
            target.signalTarget(SIGKILL)
            var restart = InjectedFault.Restart(killed: began)
            state.withLock { $0.outcomes[index] = InjectedFault(index: index, started: began, restart: restart) }
            guard await Self.sleep(until: began + fault.duration, clock: clock) else { return }
            do {
                restart.pid = try await target.relaunch()
                restart.started = clock()
            } catch {
                restart.failure = "\(error)"
            }
            let ended = clock()
            let snapshot = restart
            state.withLock {
                $0.outcomes[index]?.restart = snapshot
                $0.outcomes[index]?.ended = ended
            }
            guard restart.failure == nil else { return }
            let watch = Task { [self] in
                guard await target.waitUntilReady(), !Task.isCancelled else { return }
                let ready = clock()
                state.withLock { $0.outcomes[index]?.restart?.ready = ready }
            }
            state.withLock { $0.readiness.append(watch) }
        default:
            return
        }
    }

    /// Stops injecting; continues a target paused by a fault still in force; what each did.
    func finish(at now: Duration) async -> [InjectedFault] {
        let (task, paused) = state.withLock { s -> (Task<Void, Never>?, Int?) in
            defer { s.pausedIndex = nil }
            if let i = s.pausedIndex { s.outcomes[i]?.ended = now }
            return (s.task, s.pausedIndex)
        }
        if paused != nil { target.signalTarget(SIGCONT) }
        task?.cancel()
        await task?.value
        let readiness = state.withLock { $0.readiness }
        for watch in readiness { watch.cancel() }
        for watch in readiness { await watch.value }
        return state.withLock { s in faults.map { s.outcomes[$0.index] ?? InjectedFault(index: $0.index) } }
    }

    /// Sleeps until the scenario clock reads `deadline` (it stops while the run is paused);
    /// false when cancelled first.
    static func sleep(until deadline: Duration, clock: @Sendable () -> Duration) async -> Bool {
        while true {
            let remaining = deadline - clock()
            if remaining <= .zero { return true }
            do {
                try await Task.sleep(for: min(remaining, .milliseconds(20)))
            } catch {
                return false
            }
        }
    }
}
