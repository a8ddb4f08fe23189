import NIOCore

/// The scenario clock: nanoseconds since load start, paused time excluded (SPEC §5).
///
/// Read by every event loop; written only by run control (start, pause, resume).
final class ScenarioClock: Sendable {
    private struct State {
        /// Monotonic nanoseconds at scenario time zero, shifted forward by every pause.
        var origin: UInt64 = 0
        var started = false
        /// Scenario time at which the clock stopped, while paused.
        var pausedAt: Int64?
        var pausedNanos: UInt64 = 0
        var pauseBegan: UInt64 = 0
    }

    private let state = LockedBox(State())

    init() {}

    private static func monotonic() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Starts the clock at zero.
    func start() {
        let now = Self.monotonic()
        state.withLock {
            $0.origin = now
            $0.started = true
        }
    }

    /// Scenario time now (0 before `start`; frozen while paused).
    func now() -> Int64 {
        let wall = Self.monotonic()
        return state.withLock { s in
            guard s.started else { return 0 }
            if let pausedAt = s.pausedAt { return pausedAt }
            return wall >= s.origin ? Int64(wall - s.origin) : 0
        }
    }

    var isPaused: Bool { state.withLock { $0.pausedAt != nil } }

    /// Freezes the clock; false if it already was.
    @discardableResult
    func pause() -> Bool {
        let wall = Self.monotonic()
        return state.withLock { s in
            guard s.pausedAt == nil else { return false }
            s.pausedAt = s.started && wall >= s.origin ? Int64(wall - s.origin) : 0
            s.pauseBegan = wall
            return true
        }
    }

    /// Lets the clock run again from where it stopped; false if it was not paused.
    @discardableResult
    func resume() -> Bool {
        let wall = Self.monotonic()
        return state.withLock { s in
            guard s.pausedAt != nil else { return false }
            let paused = wall - s.pauseBegan
            s.origin += paused
            s.pausedNanos += paused
            s.pausedAt = nil
            return true
        }
    }

    /// Wall time spent paused so far (including a pause in progress).
    var pausedDuration: Duration {
        let wall = Self.monotonic()
        return state.withLock { s in
            let ongoing = s.pausedAt != nil ? wall - s.pauseBegan : 0
            return .nanoseconds(Int64(s.pausedNanos + ongoing))
        }
    }
}
