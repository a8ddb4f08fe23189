/// A pause, on the run's wall clock (offsets from the start of the load).
public struct PauseWindow: Sendable, Hashable, Codable {
    public var start: Duration
    public var end: Duration
    public init(start: Duration, end: Duration) {
        self.start = start
        self.end = end
    }
}
