import Core
import Foundation

extension ResultDocument {
    /// Latency statistics in milliseconds.
    public struct Latency: Sendable, Codable, Equatable {
        public var count: UInt64
        public var min: Double
        public var mean: Double
        public var max: Double
        /// `"p50"`, `"p99.9"`, … → milliseconds.
        public var percentiles: [String: Double]

        public init(count: UInt64, min: Double, mean: Double, max: Double, percentiles: [String: Double]) {
            self.count = count
            self.min = min
            self.mean = mean
            self.max = max
            self.percentiles = percentiles
        }
    }

    public struct ErrorsByClass: Sendable, Codable, Equatable {
        public var connect: Int
        public var timeout: Int
        public var reset: Int
        public var status: Int
        public var expectation: Int

        public init(connect: Int, timeout: Int, reset: Int, status: Int, expectation: Int) {
            self.connect = connect
            self.timeout = timeout
            self.reset = reset
            self.status = status
            self.expectation = expectation
        }
    }

    /// Counters and latency of one window or slice.
    public struct Window: Sendable, Codable, Equatable {
        public var requests: Int
        public var throughput: Double
        public var errors: Int
        public var errorRate: Double
        public var errorsByClass: ErrorsByClass
        /// `"2xx"` → count.
        public var statusClasses: [String: Int]
        public var dropped: Int
        public var bytesIn: Int
        public var bytesOut: Int
        public var latency: Latency
        public var serviceTime: Latency

        enum CodingKeys: String, CodingKey {
            case requests
            case throughput
            case errors
            case errorRate = "error_rate"
            case errorsByClass = "errors_by_class"
            case statusClasses = "status_classes"
            case dropped
            case bytesIn = "bytes_in"
            case bytesOut = "bytes_out"
            case latency
            case serviceTime = "service_time"
        }

        public init(requests: Int, throughput: Double, errors: Int, errorRate: Double, errorsByClass: ErrorsByClass, statusClasses: [String: Int], dropped: Int, bytesIn: Int, bytesOut: Int, latency: Latency, serviceTime: Latency) {
            self.requests = requests
            self.throughput = throughput
            self.errors = errors
            self.errorRate = errorRate
            self.errorsByClass = errorsByClass
            self.statusClasses = statusClasses
            self.dropped = dropped
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.latency = latency
            self.serviceTime = serviceTime
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var measuredS: Double
        public var requests: Int
        public var throughput: Double
        public var errors: Int
        public var errorRate: Double
        public var dropped: Int
        public var latency: Latency
        public var serviceTime: Latency
        /// Open model: schedule → actual send.
        public var sendLag: Latency?

        enum CodingKeys: String, CodingKey {
            case measuredS = "measured_s"
            case requests
            case throughput
            case errors
            case errorRate = "error_rate"
            case dropped
            case latency
            case serviceTime = "service_time"
            case sendLag = "send_lag"
        }

        public init(measuredS: Double, requests: Int, throughput: Double, errors: Int, errorRate: Double, dropped: Int, latency: Latency, serviceTime: Latency, sendLag: Latency? = nil) {
            self.measuredS = measuredS
            self.requests = requests
            self.throughput = throughput
            self.errors = errors
            self.errorRate = errorRate
            self.dropped = dropped
            self.latency = latency
            self.serviceTime = serviceTime
            self.sendLag = sendLag
        }
    }

    public struct Second: Sendable, Codable, Equatable {
        public var t: Int
        public var requests: Int
        public var throughput: Double
        public var errors: ErrorsByClass
        public var dropped: Int
        public var inFlight: Int
        public var bytesIn: Int
        public var bytesOut: Int
        public var latency: Latency
        public var serviceTime: Latency

        enum CodingKeys: String, CodingKey {
            case t
            case requests
            case throughput
            case errors
            case dropped
            case inFlight = "in_flight"
            case bytesIn = "bytes_in"
            case bytesOut = "bytes_out"
            case latency
            case serviceTime = "service_time"
        }

        public init(t: Int, requests: Int, throughput: Double, errors: ErrorsByClass, dropped: Int, inFlight: Int, bytesIn: Int, bytesOut: Int, latency: Latency, serviceTime: Latency) {
            self.t = t
            self.requests = requests
            self.throughput = throughput
            self.errors = errors
            self.dropped = dropped
            self.inFlight = inFlight
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.latency = latency
            self.serviceTime = serviceTime
        }
    }

    public struct Named: Sendable, Codable, Equatable {
        public var name: String
        public var stats: Window

        public init(name: String, stats: Window) {
            self.name = name
            self.stats = stats
        }
    }

    public struct Metrics: Sendable, Codable, Equatable {
        public var overall: Window
        public var perRequest: [Named]
        public var perStage: [Named]
        public var perSecond: [Second]

        enum CodingKeys: String, CodingKey {
            case overall
            case perRequest = "per_request"
            case perStage = "per_stage"
            case perSecond = "per_second"
        }

        public init(overall: Window, perRequest: [Named], perStage: [Named], perSecond: [Second]) {
            self.overall = overall
            self.perRequest = perRequest
            self.perStage = perStage
            self.perSecond = perSecond
        }
    }
}
