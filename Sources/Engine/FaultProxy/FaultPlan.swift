import Core

/// Decides what happens to each request from the faults active at that moment, and counts it.
/// On the proxy's loop only: one seeded generator draws every rate decision and jitter in the
/// order the requests arrive, so a run with the same requests makes the same decisions.
struct FaultPlan {
    /// What a request is in for.
    struct Decision {
        /// The request ends here instead of being forwarded.
        var ending: Ending?
        /// Nanoseconds to hold the request before forwarding it (0: none).
        var delay: Int64 = 0
        /// The exchange's throttle, bytes a second each way (nil: none).
        var bytesPerSecond: Int?
    }

    /// How a request ends without being forwarded.
    enum Ending: Equatable {
        /// Answered by the proxy with this status and an empty body.
        case error(status: Int)
        /// The client connection is reset.
        case reset
        /// Read and never answered.
        case blackhole
    }

    let faults: [ProxyFault]
    private(set) var counts: [ProxyCounts]
    private var rng: SplitMix64

    init(faults: [ProxyFault], seed: UInt64) {
        self.faults = faults
        counts = Array(repeating: ProxyCounts(), count: faults.count)
        rng = SplitMix64(seed: seed)
    }

    var isEmpty: Bool { faults.isEmpty }

    /// Decides a request's fate at scenario time `now`. `requestIndex` is the value of its
    /// `x-stress-ci-request` header, if any.
    ///
    /// Error, reset and blackhole come first, in the order the faults were given: the first that
    /// applies ends the request. Otherwise the delays of the active latency faults add up, and
    /// the lowest active bandwidth is the throttle.
    mutating func decide(requestIndex: Int?, now: Int64) -> Decision {
        var decision = Decision()
        // Two passes: the faults that end a request, then the ones that shape it.
        for i in faults.indices where inScope(i, requestIndex: requestIndex, now: now) {
            counts[i].requests &+= 1
            guard decision.ending == nil else { continue }
            switch faults[i].kind {
            case .error(let status, let rate):
                if draw(rate) { decision.ending = .error(status: status); affected(i, now) }
            case .reset(let rate):
                if draw(rate) { decision.ending = .reset; affected(i, now) }
            case .blackhole:
                decision.ending = .blackhole
                affected(i, now)
            case .latency, .bandwidth:
                break
            }
        }
        guard decision.ending == nil else { return decision }
        for i in faults.indices where inScope(i, requestIndex: requestIndex, now: now) {
            switch faults[i].kind {
            case .latency(let delay, let jitter):
                decision.delay = min(ProxyFault.maxDelay, decision.delay &+ jittered(delay, jitter))
                affected(i, now)
            case .bandwidth(let bytesPerSecond):
                decision.bytesPerSecond = min(decision.bytesPerSecond ?? bytesPerSecond, bytesPerSecond)
                affected(i, now)
            case .error, .reset, .blackhole:
                break
            }
        }
        return decision
    }

    /// The lowest bandwidth active at `now` for traffic outside any request (TLS passthrough's
    /// upstream bytes), without counting anything.
    func bandwidth(at now: Int64) -> Int? {
        var lowest: Int?
        for fault in faults where fault.requestIndex == nil && fault.isActive(at: now) {
            if case .bandwidth(let bytesPerSecond) = fault.kind { lowest = min(lowest ?? bytesPerSecond, bytesPerSecond) }
        }
        return lowest
    }

    // MARK: - Pieces

    @inline(__always)
    private func inScope(_ i: Int, requestIndex: Int?, now: Int64) -> Bool {
        let fault = faults[i]
        guard fault.isActive(at: now) else { return false }
        guard let wanted = fault.requestIndex else { return true }
        return wanted == requestIndex
    }

    private mutating func affected(_ i: Int, _ now: Int64) {
        counts[i].affected &+= 1
        if counts[i].firstAffected == nil { counts[i].firstAffected = now }
        counts[i].lastAffected = now
    }

    /// True with probability `rate`; draws only for a rate strictly between 0 and 1.
    private mutating func draw(_ rate: Double) -> Bool {
        if rate >= 1 { return true }
        if rate <= 0 { return false }
        // 53 random bits: a uniform double in [0, 1).
        return Double(rng.next() >> 11) * 0x1p-53 < rate
    }

    /// `delay` ± a uniform jitter, never below 0 (both are bounded by `ProxyFault.maxDelay`).
    private mutating func jittered(_ delay: Int64, _ jitter: Int64) -> Int64 {
        guard jitter > 0 else { return max(0, delay) }
        let offset = Int64(rng.below(Int(jitter) * 2 + 1)) - jitter
        return max(0, delay + offset)
    }
}
