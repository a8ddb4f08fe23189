/// What a recorder needs to know about the run to file each record: request names, stage windows,
/// where measurement starts, and which percentiles the per-second series keeps.
///
/// Times are nanoseconds on the scenario clock: zero at load start, paused time excluded.
public struct MetricsLayout: Sendable, Hashable {
    public struct StageWindow: Sendable, Hashable {
        public var name: String
        /// Start and end on the scenario clock, in nanoseconds.
        public var start: Int64
        public var end: Int64
        public init(name: String, start: Int64, end: Int64) {
            self.name = name
            self.start = start
            self.end = end
        }
    }
    public var requestNames: [String]
    public var stages: [StageWindow]
    /// Records scheduled before this are warmup and excluded from every statistic.
    public var warmup: Int64
    /// Percentiles kept per second (the standard ones plus any a criterion needs).
    public var percentiles: [Double]

    public init(requestNames: [String], stages: [StageWindow], warmup: Int64, percentiles: [Double] = standardPercentiles) {
        self.requestNames = requestNames
        self.stages = stages.isEmpty ? [StageWindow(name: "run", start: 0, end: .max)] : stages
        self.warmup = warmup
        self.percentiles = Array(Set(standardPercentiles + percentiles)).sorted()
    }

    /// The stage a time on the scenario clock falls in (the last one past the end).
    @inline(__always)
    public func stageIndex(at t: Int64) -> Int {
        for (i, s) in stages.enumerated() where t < s.end { return i }
        return stages.count - 1
    }

    /// The measured second (0-based, from the end of warmup) a time falls in.
    @inline(__always)
    public func secondIndex(at t: Int64) -> Int {
        Int((t - warmup) / 1_000_000_000)
    }
}
