import Core

/// A network fault as `FaultProxy` applies it, during `start..<end` on the scenario clock
/// (nanoseconds since the load started, paused time excluded).
public struct ProxyFault: Sendable, Hashable {
    /// What the fault does to a request (plain HTTP) or to a chunk of client bytes (TLS passthrough).
    public enum Kind: Sendable, Hashable {
        /// Each request's forwarding upstream waits `delay` ± a uniform `jitter` (ns, never below 0).
        case latency(delay: Int64, jitter: Int64)
        /// A share `rate` (0…1) of the requests is answered by the proxy itself with `status`, an
        /// empty body and `Content-Length: 0`; those requests never reach the target.
        case error(status: Int, rate: Double)
        /// A share `rate` (0…1) of the requests has its connection reset (an RST) instead of
        /// being forwarded.
        case reset(rate: Double)
        /// Requests are read and neither answered nor forwarded; new connections are still accepted.
        case blackhole
        /// Each connection is throttled to this many bytes a second, each direction on its own.
        case bandwidth(bytesPerSecond: Int)
    }

    public var kind: Kind
    /// Scenario time (ns) the fault starts at, included.
    public var start: Int64
    /// Scenario time (ns) the fault ends at, excluded.
    public var end: Int64
    /// When set, only requests carrying the header `x-stress-ci-request: <index>` with this
    /// index are affected (plain HTTP only).
    public var requestIndex: Int?

    public init(kind: Kind, start: Int64, end: Int64, requestIndex: Int? = nil) {
        self.kind = kind
        self.start = start
        self.end = end
        self.requestIndex = requestIndex
    }

    /// Whether the fault is active at scenario time `now`.
    @inline(__always)
    func isActive(at now: Int64) -> Bool { now >= start && now < end }
}

/// What the proxy did under one fault.
public struct ProxyCounts: Sendable, Hashable {
    /// Requests (TLS passthrough: chunks of client bytes) seen while the fault was active and in
    /// its scope.
    public var requests: Int
    /// Of those, the ones it was applied to: delayed, answered with an error, reset, blackholed
    /// or throttled. Fewer than `requests` for a rate below 1, or when another fault ended the
    /// request first.
    public var affected: Int
    /// Scenario time (ns) of the first request affected; nil if none was.
    public var firstAffected: Int64?
    /// Scenario time (ns) of the last request affected; nil if none was.
    public var lastAffected: Int64?

    public init(requests: Int = 0, affected: Int = 0, firstAffected: Int64? = nil, lastAffected: Int64? = nil) {
        self.requests = requests
        self.affected = affected
        self.firstAffected = firstAffected
        self.lastAffected = lastAffected
    }
}

/// Everything a `FaultProxy` did, as `stop()` reports it.
public struct ProxyReport: Sendable, Hashable {
    /// One entry per fault, in the order the faults were given.
    public var faults: [ProxyCounts]
    /// Client connections accepted.
    public var connections: Int
    /// Client connections refused (closed at once) because too many were open.
    public var refused: Int
    /// Requests whose head the proxy read (TLS passthrough: chunks of client bytes).
    public var requests: Int

    public init(faults: [ProxyCounts], connections: Int = 0, refused: Int = 0, requests: Int = 0) {
        self.faults = faults
        self.connections = connections
        self.refused = refused
        self.requests = requests
    }
}

extension ProxyFault {
    /// The longest delay or jitter a latency fault may ask for: an hour.
    static let maxDelay: Int64 = 3_600_000_000_000
    /// The highest throttle: 8 GiB a second (so a second's worth of credit cannot overflow).
    static let maxBytesPerSecond = 1 << 33
    /// The highest request index a fault may name.
    static let maxRequestIndex = 1_000_000
    /// The most faults one proxy applies.
    static let maxFaults = 256

    /// Throws when a fault is out of its bounds, or cannot apply in this mode (TLS passthrough
    /// sees no HTTP: no error answers, no request index).
    static func check(_ faults: [ProxyFault], passthroughTLS: Bool) throws(StressError) {
        guard faults.count <= maxFaults else {
            throw StressError(.invalidInput, "the fault proxy takes at most \(maxFaults) faults, not \(faults.count)")
        }
        for (i, fault) in faults.enumerated() {
            if let problem = fault.problem(passthroughTLS: passthroughTLS) {
                throw StressError(.invalidInput, "fault \(i + 1): \(problem)")
            }
        }
    }

    private func problem(passthroughTLS: Bool) -> String? {
        guard start >= 0, start < end else { return "the window must start at 0 or later and end after it starts" }
        if let requestIndex {
            guard (0...Self.maxRequestIndex).contains(requestIndex) else {
                return "the request index must be between 0 and \(Self.maxRequestIndex)"
            }
            if passthroughTLS { return "a request index cannot apply to TLS passthrough: the proxy does not see the requests" }
        }
        switch kind {
        case .latency(let delay, let jitter):
            guard (0...Self.maxDelay).contains(delay), (0...Self.maxDelay).contains(jitter) else {
                return "latency and jitter must be between 0 and an hour"
            }
        case .error(let status, let rate):
            guard (200...599).contains(status) else { return "the error status must be between 200 and 599" }
            guard rate.isFinite, (0...1).contains(rate) else { return "the error rate must be between 0 and 1" }
            if passthroughTLS { return "an error answer cannot apply to TLS passthrough: the proxy does not see the requests" }
        case .reset(let rate):
            guard rate.isFinite, (0...1).contains(rate) else { return "the reset rate must be between 0 and 1" }
        case .blackhole:
            break
        case .bandwidth(let bytesPerSecond):
            guard (1...Self.maxBytesPerSecond).contains(bytesPerSecond) else {
                return "the bandwidth must be between 1 byte and 8 GiB a second"
            }
        }
        return nil
    }
}
