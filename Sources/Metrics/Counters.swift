import Histogram

/// Counts kept per request name and stage: finished requests, errors, statuses, drops, bytes.
public struct Counters: Sendable, Hashable, Codable {
    /// Requests that finished, whatever the outcome (responses and failures).
    public var requests = 0
    public var errors = ErrorCounts()
    /// Responses by status class: index 1 = 1xx … 5 = 5xx (index 0: other).
    public var statusClasses = [Int](repeating: 0, count: 6)
    /// Responses by exact status code, indexed by the code (allocated on the first response).
    public var statusCodes: [Int] = []
    /// Open model: arrivals not sent because `max_in_flight` requests were outstanding.
    public var dropped = 0
    public var bytesIn = 0
    public var bytesOut = 0

    public init() {}

    @inline(__always)
    public mutating func count(status: Int, error: ErrorClass?, bytesIn: Int, bytesOut: Int) {
        requests += 1
        if let error { errors[error] += 1 }
        if status > 0 {
            let c = status / 100
            statusClasses[(1...5).contains(c) ? c : 0] += 1
            if status < Self.statusCodeLimit {
                if statusCodes.isEmpty { statusCodes = [Int](repeating: 0, count: Self.statusCodeLimit) }
                statusCodes[status] += 1
            }
        }
        self.bytesIn += bytesIn
        self.bytesOut += bytesOut
    }

    public static func += (a: inout Counters, b: Counters) {
        a.requests += b.requests
        a.errors += b.errors
        for i in 0..<6 { a.statusClasses[i] += b.statusClasses[i] }
        if !b.statusCodes.isEmpty {
            if a.statusCodes.isEmpty {
                a.statusCodes = b.statusCodes
            } else {
                for i in b.statusCodes.indices where b.statusCodes[i] != 0 { a.statusCodes[i] += b.statusCodes[i] }
            }
        }
        a.dropped += b.dropped
        a.bytesIn += b.bytesIn
        a.bytesOut += b.bytesOut
    }

    /// Responses whose status is in class `c` (1…5).
    public func responses(inClass c: Int) -> Int { (1...5).contains(c) ? statusClasses[c] : 0 }

    /// Responses with exactly this status code.
    public func responses(withStatus code: Int) -> Int { code >= 0 && code < statusCodes.count ? statusCodes[code] : 0 }

    /// Codes 0 … 599 are counted one by one.
    static let statusCodeLimit = 600

    /// errors / requests, 0 when nothing was sent.
    public var errorRate: Double { requests == 0 ? 0 : Double(errors.total) / Double(requests) }
}

/// Histograms and counters for one slice of the run (a request name in a stage, or any sum of them).
public struct CellStats: Sendable {
    /// From the scheduled start (open model) or the send (closed model) to the last byte.
    public var latency: LatencyHistogram
    /// From the actual send to the last byte.
    public var service: LatencyHistogram
    public var counters = Counters()

    public init(digits: SignificantDigits = .three) {
        latency = LatencyHistogram(digits: digits)
        service = LatencyHistogram(digits: digits)
    }

    public static func += (a: inout CellStats, b: CellStats) {
        a.latency.add(b.latency)
        a.service.add(b.service)
        a.counters += b.counters
    }
}
