import Core
import Metrics

/// A snapshot of a run, as `currentStatus` and the lifecycle callbacks report it.
public struct TestStatus: Sendable {
    /// The run id (`YYYYMMDD_HHMMSS_<scenario>`, README, *Results store and baselines*), once the run has started.
    public var testId: String?
    public var state: RunState
    public var scenarioName: String?
    /// The stage the load is in (by elapsed time; warmup is part of the first stages), once it runs.
    public var stage: String?
    /// Time under load so far, paused time excluded.
    public var elapsed: Duration
    /// The planned length of the load.
    public var planned: Duration
    /// Time spent paused so far (a pause in progress included).
    public var paused: Duration
    /// The last measured second, if any.
    public var lastSecond: SecondStats?
    /// Requests and errors measured so far.
    public var requests: Int
    public var errors: Int
    /// Why the run stopped before its end (a signal, `stopTest`, an abort criterion), if it did.
    public var stopReason: String?
    /// The error that failed the run, if it failed.
    public var failure: String?
}

/// The lifecycle events a callback can subscribe to (docs/architecture.md, *Run states*).
public enum LifecycleEvent: String, Sendable, Hashable, CaseIterable {
    case onStart = "on_start"
    case onPause = "on_pause"
    case onResume = "on_resume"
    case onStop = "on_stop"
    case onComplete = "on_complete"
    case onError = "on_error"
}
