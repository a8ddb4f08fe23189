import Core
import Engine

/// Injects a scenario's faults into a run (README, *Failure injection*). The orchestrator calls,
/// in this order: `prepare` once the target is up and before any load, `start` when the load's
/// clock starts, and `finish` once the load has ended, before the target is shut down.
/// `BuiltInFailureInjector` is the one `run` uses; give your own to
/// `StressTestOrchestrator.setComponents(target:driver:failureInjector:)` or `setFailureInjector`.
public protocol FailureInjector: AnyObject, Sendable {
    /// Gets ready to act on `target`. Returns where the load must connect instead (a proxy in
    /// front of the target), or nil to leave the load as it is.
    func prepare(scenario: Scenario, target: TargetSession) async throws -> FaultRoute?
    /// The load began: `clock` reads the scenario clock (warmup included, paused time excluded);
    /// every fault's `at` and `for` are on it.
    func start(clock: @escaping @Sendable () -> Duration)
    /// Ends whatever is still in force (a paused target is continued) and says what each of the
    /// scenario's faults did, in the scenario's order.
    func finish() async -> [InjectedFault]
}

/// Where the load connects while faults are injected, and whether each request must name its
/// index in the mix to the proxy (for faults scoped with `request:`).
public struct FaultRoute: Sendable, Hashable {
    public var endpoint: Endpoint
    public var tagRequests: Bool
    public init(endpoint: Endpoint, tagRequests: Bool) {
        self.endpoint = endpoint
        self.tagRequests = tagRequests
    }
}

/// What one of the scenario's faults did in a run.
public struct InjectedFault: Sendable, Hashable {
    /// What a `kill` fault's restart did, on the scenario clock.
    public struct Restart: Sendable, Hashable {
        public var killed: Duration
        /// When the target was started again; nil when the run ended first, or it could not be.
        public var started: Duration?
        /// When its readiness probe first passed after the restart.
        public var ready: Duration?
        public var pid: Int32?
        /// Why it could not be started again, when it could not.
        public var failure: String?
        public init(killed: Duration, started: Duration? = nil, ready: Duration? = nil, pid: Int32? = nil, failure: String? = nil) {
            self.killed = killed
            self.started = started
            self.ready = ready
            self.pid = pid
            self.failure = failure
        }
    }

    /// The fault's index in `Scenario.faults`.
    public var index: Int
    /// When it came into force, on the scenario clock; nil when the run ended first.
    public var started: Duration?
    /// When it ended (for `kill`, when the target was started again).
    public var ended: Duration?
    /// Network faults: requests in its scope that reached the proxy while it was in force.
    public var requests: Int?
    /// Network faults: of those, the ones it acted on.
    public var affected: Int?
    public var restart: Restart?

    public init(index: Int, started: Duration? = nil, ended: Duration? = nil, requests: Int? = nil, affected: Int? = nil, restart: Restart? = nil) {
        self.index = index
        self.started = started
        self.ended = ended
        self.requests = requests
        self.affected = affected
        self.restart = restart
    }
}

/// A launched target that process faults can act on (`target.start`).
public protocol ProcessFaultTarget: TargetSession {
    /// Sends `signal` to the target's process group.
    func signalTarget(_ signal: Int32)
    /// Starts the target again with the same command, after it was killed; its new pid.
    func relaunch() async throws -> Int32
    /// Waits until the readiness probe passes; false when it did not within its timeout.
    func waitUntilReady() async -> Bool
}
