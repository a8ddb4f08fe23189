import Core
import Engine
import Metrics

/// What drives the load for the orchestrator. `Engine.LoadGenerator` is the real one; the
/// orchestrator only needs these five operations, so tests can step the state machine without load.
public protocol LoadDriver: AnyObject, Sendable {
    /// Runs the load to the end of its schedule, or until `stop()`. Calls `onSecond` once per measured second.
    func run(onSecond: @escaping @Sendable (SecondStats) -> Void) async throws -> RunMetrics
    func pause()
    func resume()
    func stop()
    /// Threads generating load (the generator's CPU ceiling is threads × one core).
    var threads: Int { get }
    /// Before `run`: connect through `route` (a fault proxy) instead of the target; false when
    /// this driver cannot.
    func route(through route: FaultRoute) -> Bool
    /// The scenario clock, when the driver keeps one (the engine does); faults follow it.
    var scenarioClock: (@Sendable () -> Duration)? { get }
}

extension LoadDriver {
    public var threads: Int { 1 }
    public func route(through route: FaultRoute) -> Bool { false }
    public var scenarioClock: (@Sendable () -> Duration)? { nil }
}

/// Where the load goes, and the duty to stop what was started to serve it.
public protocol TargetSession: AnyObject, Sendable {
    /// A description for logs and the result (`http://127.0.0.1:8080`).
    var address: String { get }
    /// Where the load goes, when it is an HTTP target (for scraping its metrics).
    var endpoint: Endpoint? { get }
    /// The launched target's process, whose CPU and memory are sampled.
    var processID: Int32? { get }
    /// Stops whatever the session started (the demo server, a launched process). Idempotent.
    func shutdown() async
}

extension TargetSession {
    public var endpoint: Endpoint? { nil }
    public var processID: Int32? { nil }
}
