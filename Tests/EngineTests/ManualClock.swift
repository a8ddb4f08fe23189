@testable import Engine

/// A worker clock that moves only when a test says so: timers fire in deadline order as
/// `advance` passes them, each seeing the clock at its own deadline.
///
/// Monotonic time starts at zero; the scenario clock starts at `start()` and freezes between
/// `pause()` and `resume()`, as `ScenarioClock` does.
final class ManualClock: WorkerClock {
    /// Monotonic time now.
    private(set) var monotonic = Nanos.zero
    private var origin: Nanos?
    private var pausedAt: Nanos?
    private var timers = TimerHeap()
    private var sequence: UInt64 = 0

    /// Scenario time zero is now.
    func start() { origin = monotonic }

    func now() -> Nanos {
        if let pausedAt { return pausedAt }
        guard let origin else { return .zero }
        return monotonic - origin
    }

    var isPaused: Bool { pausedAt != nil }

    /// Freezes the scenario clock.
    func pause() { pausedAt = now() }

    /// Lets the scenario clock run again from where it stopped.
    func resume() {
        guard let pausedAt else { return }
        origin = monotonic - pausedAt
        self.pausedAt = nil
    }

    @discardableResult
    func schedule(in delay: Nanos, _ body: @escaping () -> Void) -> ReactorTimer {
        sequence += 1
        let timer = ReactorTimer(deadline: (monotonic + max(.zero, delay)).value, sequence: sequence, body: body)
        timers.insert(timer)
        return timer
    }

    @discardableResult
    func scheduleRepeated(initialDelay: Nanos, every interval: Nanos, _ body: @escaping () -> Void) -> RepeatingTimer {
        let repeating = RepeatingTimer()
        func arm(after delay: Nanos) {
            schedule(in: delay) {
                guard !repeating.cancelled else { return }
                body()
                if !repeating.cancelled { arm(after: interval) }
            }
        }
        arm(after: initialDelay)
        return repeating
    }

    /// Moves monotonic time forward by `span`, firing every timer due on the way.
    func advance(by span: Nanos) { advance(to: monotonic + span) }

    /// Moves monotonic time to `deadline`, firing every timer due by then (including timers
    /// they set that are due by then).
    func advance(to deadline: Nanos) {
        while let next = timers.first, next.deadline <= deadline.value {
            _ = timers.removeFirst()
            guard let body = next.body else { continue }
            monotonic = max(monotonic, Nanos(next.deadline))
            next.cancel()
            body()
        }
        monotonic = max(monotonic, deadline)
    }
}
