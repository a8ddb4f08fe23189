/// The production clock of a worker: the run's shared `ScenarioClock` and the timers of the
/// worker's `Reactor`.
struct ReactorClock: WorkerClock {
    let scenario: ScenarioClock
    let reactor: Reactor

    @inline(__always)
    func now() -> Nanos { Nanos(scenario.now()) }

    var isPaused: Bool { scenario.isPaused }

    @discardableResult
    func schedule(in delay: Nanos, _ body: @escaping () -> Void) -> ReactorTimer {
        reactor.schedule(in: delay.value, body)
    }

    @discardableResult
    func scheduleRepeated(initialDelay: Nanos, every interval: Nanos, _ body: @escaping () -> Void) -> RepeatingTimer {
        reactor.scheduleRepeated(initialDelay: initialDelay.value, every: interval.value, body)
    }
}
