import Foundation
import Synchronization

/// A monotonic clock the orchestrator reads. Tests use `ManualTimeSource` to step time by hand.
public protocol TimeSource: Sendable {
    /// Time since an arbitrary fixed origin; never goes backwards.
    func now() -> Duration
}

/// The system's monotonic clock.
public struct SystemTimeSource: TimeSource {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> Duration { ContinuousClock.now - origin }
}

/// A clock that moves only when told to.
public final class ManualTimeSource: TimeSource {
    private let current = Mutex<Duration>(.zero)
    public init() {}
    public func now() -> Duration { current.withLock { $0 } }
    /// Moves the clock forward.
    public func advance(by d: Duration) { current.withLock { $0 += d } }
}
