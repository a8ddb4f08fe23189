import Dispatch
import Foundation
import StressCI
import Synchronization

/// SIGINT/SIGTERM during a run: the first stops the run gracefully (in-flight requests get their
/// timeout, the result is written marked partial, exit 130/143); a second exits at once, after
/// killing the launched target's process group.
/// With `--repeat K`, one instance watches each run's orchestrator in turn (`watch`), so a signal
/// between two runs is not lost.
final class SignalStop {
    private let sources: [DispatchSourceSignal]
    private let state = SignalState()

    init() {
        let queue = DispatchQueue(label: "stress-ci.signals")
        var made: [DispatchSourceSignal] = []
        let state = self.state
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                let first = state.value.withLock { s -> (first: Bool, orchestrator: StressTestOrchestrator?)? in
                    guard s.armed else { return nil }
                    if s.received != nil { return (false, nil) }
                    s.received = sig
                    return (true, s.orchestrator)
                }
                switch first?.first {
                case true?:
                    let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
                    Terminal.stderr("\nstress-ci: \(name) received — stopping gracefully and writing a partial result (send it again to exit at once)")
                    try? first?.orchestrator?.stopTest(reason: name)
                case false?:
                    // At once, but not without the launched target: `_exit` skips every clean-up.
                    TargetProcessGroups.killAll()
                    _exit(sig == SIGINT ? ExitStatus.sigint : ExitStatus.sigterm)
                case nil:
                    break
                }
            }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    /// The first signal received, if any.
    var received: Int32? { state.value.withLock { $0.received } }

    /// Makes `orchestrator` the run a first signal stops.
    func watch(_ orchestrator: StressTestOrchestrator) {
        state.value.withLock { $0.orchestrator = orchestrator }
    }

    /// Stops reacting to signals (the run is over; the result is being written).
    func disarm() {
        state.value.withLock { $0.armed = false }
    }
}

/// The shared flags, in a class so the signal handlers can hold them.
private final class SignalState: Sendable {
    let value = Mutex<(received: Int32?, armed: Bool, orchestrator: StressTestOrchestrator?)>((nil, true, nil))
}
