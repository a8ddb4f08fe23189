/// When a fault was in force, on the scenario clock (warmup included, paused time excluded, as
/// stages are): what `recovery_time` is measured from (README, *Failure injection*).
public struct FaultWindow: Sendable, Hashable {
    /// The fault's name: its `name:`, or `KIND-N` (1-based among the scenario's faults).
    public var name: String
    /// When it began.
    public var start: Duration
    /// When it ended: for `kill`, when the target was started again.
    public var end: Duration

    public init(name: String, start: Duration, end: Duration) {
        self.name = name
        self.start = start
        self.end = max(start, end)
    }
}
