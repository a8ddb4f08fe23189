/// Why a request failed. Failures are data, recorded by class, never thrown on the hot path.
public enum ErrorClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// The connection could not be opened.
    case connect
    /// No complete response within the request timeout.
    case timeout
    /// The connection was closed or reset before a complete response.
    case reset
    /// A status ≥ 400 (or outside `expect.status`).
    case status
    /// The response did not meet another expectation (e.g. body content).
    case expectation

    /// Index in `allCases`, for fixed-size counters.
    public var index: Int {
        switch self {
        case .connect: 0
        case .timeout: 1
        case .reset: 2
        case .status: 3
        case .expectation: 4
        }
    }
}

/// Counts per error class, stored inline (no dictionary on the hot path).
public struct ErrorCounts: Sendable, Hashable, Codable {
    public var connect = 0
    public var timeout = 0
    public var reset = 0
    public var status = 0
    public var expectation = 0

    public init() {}

    public subscript(_ error: ErrorClass) -> Int {
        get {
            switch error {
            case .connect: connect
            case .timeout: timeout
            case .reset: reset
            case .status: status
            case .expectation: expectation
            }
        }
        set {
            switch error {
            case .connect: connect = newValue
            case .timeout: timeout = newValue
            case .reset: reset = newValue
            case .status: status = newValue
            case .expectation: expectation = newValue
            }
        }
    }

    public var total: Int { connect + timeout + reset + status + expectation }

    public static func + (a: ErrorCounts, b: ErrorCounts) -> ErrorCounts {
        var out = a
        out += b
        return out
    }

    public static func += (a: inout ErrorCounts, b: ErrorCounts) {
        for c in ErrorClass.allCases { a[c] += b[c] }
    }
}
