/// The states of a test run (docs/architecture.md, *Run states*).
///
/// ```
/// IDLE → VALIDATING → INITIALIZING → RUNNING ⇄ PAUSED → STOPPING → COMPLETED
///   └──────────┴────────────┴───────────┴────────┴─────────┴──→ FAILED
/// ```
public enum RunState: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case idle = "IDLE"
    case validating = "VALIDATING"
    case initializing = "INITIALIZING"
    case running = "RUNNING"
    case paused = "PAUSED"
    case stopping = "STOPPING"
    case completed = "COMPLETED"
    case failed = "FAILED"

    public var description: String { rawValue }

    /// COMPLETED and FAILED end a run.
    public var isFinal: Bool { self == .completed || self == .failed }

    /// The states this one may move to.
    public var successors: Set<RunState> {
        switch self {
        case .idle: [.validating, .failed]
        case .validating: [.initializing, .failed]
        case .initializing: [.running, .stopping, .failed]
        case .running: [.paused, .stopping, .failed]
        case .paused: [.running, .stopping, .failed]
        case .stopping: [.completed, .failed]
        case .completed, .failed: []
        }
    }
}

/// A transition the state machine does not allow.
public struct IllegalTransition: Error, Sendable, Hashable, CustomStringConvertible {
    public let from: RunState
    public let to: RunState
    public init(from: RunState, to: RunState) {
        self.from = from
        self.to = to
    }
    public var description: String { "cannot go from \(from) to \(to)" }
}

/// The run's state and its history. A value type: the orchestrator guards it with a lock.
public struct RunStateMachine: Sendable, Hashable {
    /// One state change, at a time on the run's clock (paused time included: this is wall time since the run began).
    public struct Change: Sendable, Hashable, Codable {
        public var from: RunState
        public var to: RunState
        public var at: Duration
        public var reason: String?
    }

    public private(set) var state: RunState = .idle
    public private(set) var history: [Change] = []

    public init() {}

    /// Moves to `next`, or throws `IllegalTransition` (an illegal transition is an error, never a no-op).
    public mutating func transition(to next: RunState, at time: Duration, reason: String? = nil) throws(IllegalTransition) {
        guard state.successors.contains(next) else { throw IllegalTransition(from: state, to: next) }
        history.append(Change(from: state, to: next, at: time, reason: reason))
        state = next
    }
}
