/// What a worker reads time from and sets its timers on: the scenario clock (since load start,
/// paused time excluded) and its loop's timers (monotonic).
///
/// In production a `ReactorClock`; in tests a manual clock that only moves when told, so the
/// worker's state logic can be checked to the nanosecond. The worker is generic over it (not an
/// existential), so the production path is specialized and calls it directly.
protocol WorkerClock {
    /// Scenario time now (zero before the load starts; frozen while paused).
    func now() -> Nanos
    /// The scenario clock is frozen.
    var isPaused: Bool { get }
    /// Runs `body` once on the worker's loop, `delay` from now (monotonic), unless cancelled first.
    @discardableResult
    func schedule(in delay: Nanos, _ body: @escaping () -> Void) -> ReactorTimer
    /// Runs `body` every `interval`, the first time after `initialDelay`, until cancelled.
    @discardableResult
    func scheduleRepeated(initialDelay: Nanos, every interval: Nanos, _ body: @escaping () -> Void) -> RepeatingTimer
}
