import Core
import Synchronization

/// Stops a `RunSequence` from outside (a signal handler, a control endpoint): the first `stop`
/// ends the current run gracefully — in-flight requests get their timeout, the result is kept
/// and marked partial — and no further `--repeat` run starts. Later calls change nothing.
public final class RunControl: Sendable {
    private struct State {
        var reason: String?
        var signal: Int32?
        var orchestrator: StressTestOrchestrator?
    }
    private let state = Mutex(State())

    public init() {}

    /// Stops the run; `signal` (SIGINT, SIGTERM) decides the exit code (128 + signal).
    public func stop(reason: String, signal: Int32? = nil) {
        let orchestrator = state.withLock { s -> StressTestOrchestrator? in
            guard s.reason == nil else { return nil }
            s.reason = reason
            s.signal = signal
            return s.orchestrator
        }
        try? orchestrator?.stopTest(reason: reason)
    }

    /// Why the run was stopped, if it was.
    public var stopReason: String? { state.withLock { $0.reason } }

    /// The signal that stopped the run, if one did.
    public var stopSignal: Int32? { state.withLock { $0.signal } }

    /// Makes `orchestrator` the run a stop reaches (stopping it at once if a stop came first).
    func watch(_ orchestrator: StressTestOrchestrator) {
        let reason = state.withLock { s -> String? in
            s.orchestrator = orchestrator
            return s.reason
        }
        if let reason { try? orchestrator.stopTest(reason: reason) }
    }
}
