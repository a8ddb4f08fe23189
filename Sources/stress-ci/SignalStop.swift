import Dispatch
import Foundation
import StressCI
import Synchronization

/// SIGINT/SIGTERM during a run: the first stops the run gracefully through its `RunControl`
/// (in-flight requests get their timeout, the result is written marked partial, exit 130/143;
/// no further `--repeat` run starts); a second exits at once, after killing the launched
/// target's process group.
final class SignalStop {
    private let sources: [DispatchSourceSignal]
    private let state = SignalState()

    init(_ control: RunControl) {
        let state = self.state
        sources = SignalSources.install(label: "stress-ci.signals") { sig in
            let first = state.value.withLock { s -> Bool? in
                guard s.armed else { return nil }
                if s.received { return false }
                s.received = true
                return true
            }
            switch first {
            case true?:
                let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
                Terminal.stderr("\nstress-ci: \(name) received — stopping gracefully and writing a partial result (send it again to exit at once)")
                control.stop(reason: name, signal: sig)
            case false?:
                // At once, but not without the launched target: `_exit` skips every clean-up.
                TargetProcessGroups.killAll()
                _exit(ExitCode.code(forSignal: sig))
            case nil:
                break
            }
        }
    }

    /// Stops reacting to signals (the run is over; the result is being written).
    func disarm() {
        state.value.withLock { $0.armed = false }
    }
}

/// The shared flags, in a class so the signal handlers can hold them.
private final class SignalState: Sendable {
    let value = Mutex<(received: Bool, armed: Bool)>((false, true))
}
