import NIOCore
import Synchronization

/// The scenario clock: nanoseconds since load start, paused time excluded (README: "What is
/// measured").
///
/// Read by every event loop on the hot path (lock-free: two atomic loads and the monotonic
/// clock); written only by run control (start, pause, resume), which serialize on a lock.
final class ScenarioClock: Sendable {
    /// Monotonic nanoseconds at scenario time zero, shifted forward by every pause; -1 before
    /// `start`.
    private let origin = Atomic<Int64>(-1)
    /// Scenario time at which the clock stopped, while paused; -1 while running.
    private let pausedAt = Atomic<Int64>(-1)

    private struct Control {
        var pausedNanos: Int64 = 0
        var pauseBegan: Int64 = 0
    }

    private let control = LockedBox(Control())

    init() {}

    private static func monotonic() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

    /// Starts the clock at zero.
    func start() {
        control.withLock { _ in origin.store(Self.monotonic(), ordering: .releasing) }
    }

    /// Scenario time now (0 before `start`; frozen while paused).
    func now() -> Int64 {
        let paused = pausedAt.load(ordering: .acquiring)
        if paused >= 0 { return paused }
        let start = origin.load(ordering: .acquiring)
        guard start >= 0 else { return 0 }
        return max(0, Self.monotonic() - start)
    }

    var isPaused: Bool { pausedAt.load(ordering: .acquiring) >= 0 }

    /// Freezes the clock; false if it already was.
    @discardableResult
    func pause() -> Bool {
        control.withLock { c in
            guard pausedAt.load(ordering: .relaxed) < 0 else { return false }
            let wall = Self.monotonic()
            let start = origin.load(ordering: .relaxed)
            c.pauseBegan = wall
            pausedAt.store(start >= 0 ? max(0, wall - start) : 0, ordering: .releasing)
            return true
        }
    }

    /// Lets the clock run again from where it stopped; false if it was not paused.
    @discardableResult
    func resume() -> Bool {
        control.withLock { c in
            guard pausedAt.load(ordering: .relaxed) >= 0 else { return false }
            let paused = Self.monotonic() - c.pauseBegan
            let start = origin.load(ordering: .relaxed)
            if start >= 0 { origin.store(start + paused, ordering: .releasing) }
            c.pausedNanos += paused
            // Published after the new origin, so a reader that sees the clock running sees it.
            pausedAt.store(-1, ordering: .releasing)
            return true
        }
    }

    /// Wall time spent paused so far (including a pause in progress).
    var pausedDuration: Duration {
        control.withLock { c in
            let ongoing = pausedAt.load(ordering: .relaxed) >= 0 ? Self.monotonic() - c.pauseBegan : 0
            return .nanoseconds(c.pausedNanos + ongoing)
        }
    }
}
