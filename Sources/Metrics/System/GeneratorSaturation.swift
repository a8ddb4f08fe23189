/// Decides whether the load generator itself ran out of CPU, which would make the target look
/// better than it is (the generator, not the target, limited the load).
///
/// A sample is saturated when the generator used ≥ `threadShare` of its threads' capacity
/// (threads × 100 %, % of one core as `ProcessSampler` reports it) or the host CPU was
/// ≥ `hostThreshold`. The generator counts as saturated when at least `required` of the last
/// `window` samples were. Pure: feed it one sample per second.
public struct GeneratorSaturation: Sendable {
    /// One observation of the generator process (and optionally the host).
    public struct Sample: Sendable, Hashable {
        /// Generator CPU in % of one core (may exceed 100).
        public var cpuPercent: Double
        /// Threads doing the load (event loops); the generator's ceiling is threads × 100 %.
        public var threads: Int
        /// Host CPU, 0…100, if known.
        public var hostCPUPercent: Double?

        public init(cpuPercent: Double, threads: Int, hostCPUPercent: Double? = nil) {
            self.cpuPercent = cpuPercent
            self.threads = threads
            self.hostCPUPercent = hostCPUPercent
        }
    }

    public let window: Int
    public let required: Int
    public let threadShare: Double
    public let hostThreshold: Double
    private var recent: RingBuffer<Sample>
    /// The most severe warning seen so far (highest generator CPU), for the run's result.
    public private(set) var warning: String?
    private var warningPeak = -Double.infinity

    public init(window: Int = 5, required: Int = 3, threadShare: Double = 0.9, hostThreshold: Double = 95) {
        self.window = max(1, window)
        self.required = min(max(1, required), self.window)
        self.threadShare = threadShare
        self.hostThreshold = hostThreshold
        recent = RingBuffer(capacity: self.window)
    }

    /// Adds a sample; returns the warning if the last `window` samples show saturation.
    @discardableResult
    public mutating func record(_ sample: Sample) -> String? {
        recent.append(sample)
        guard let text = evaluate(Array(recent)) else { return nil }
        let peak = saturated(in: Array(recent)).map(\.cpuPercent).max() ?? 0
        if peak > warningPeak {
            warningPeak = peak
            warning = text
        }
        return text
    }

    /// Whether one sample shows the generator (or its host) at its limit.
    public func isSaturated(_ s: Sample) -> Bool {
        let capacity = Double(max(1, s.threads)) * 100
        return s.cpuPercent >= threadShare * capacity || (s.hostCPUPercent ?? 0) >= hostThreshold
    }

    /// The warning for the last `window` of `samples`, or nil if fewer than `required` saturated.
    public func evaluate(_ samples: [Sample]) -> String? {
        let hot = saturated(in: samples)
        guard hot.count >= required, let top = hot.max(by: { $0.cpuPercent < $1.cpuPercent }) else { return nil }
        let generator = "the load generator used \(percent(top.cpuPercent)) CPU (\(threadsText(top.threads)))"
        let generatorBound = hot.contains { $0.cpuPercent >= threadShare * Double(max(1, $0.threads)) * 100 }
        if !generatorBound, let host = hot.compactMap(\.hostCPUPercent).max() {
            return "\(generator) while the host CPU was at \(percent(host)): results may understate the target"
        }
        return "\(generator): results may understate the target"
    }

    private func saturated(in samples: [Sample]) -> [Sample] {
        samples.suffix(window).filter(isSaturated)
    }

    private func percent(_ v: Double) -> String { "\(Int(v.rounded()))%" }
    private func threadsText(_ n: Int) -> String { n == 1 ? "1 thread" : "\(n) threads" }
}
