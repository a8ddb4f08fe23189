import Core
import Foundation
import Metrics

/// `GET /status`'s JSON (README, *Live control and dashboard*, where every field is listed).
/// Every key is always present; a value not known yet is `null`.
struct LiveStatus: Encodable, Sendable {
    /// The figures of a window: the last measured second, or the whole run so far.
    struct Window: Encodable, Sendable {
        /// The last second's index (0-based, from the end of warmup), or the number of seconds summed.
        var second: Int?
        var seconds: Int?
        var requests: Int
        /// Finished requests per second.
        var throughput: Double
        var errors: Int
        var errorRate: Double
        var p50Ms: Double?
        var p95Ms: Double?
        var p99Ms: Double?
        var inFlight: Int
        var dropped: Int
        var sendLagP99Ms: Double?

        enum CodingKeys: String, CodingKey {
            case second = "t", seconds, requests, throughput, errors, errorRate = "error_rate"
            case p50Ms = "p50_ms", p95Ms = "p95_ms", p99Ms = "p99_ms", inFlight = "in_flight", dropped
            case sendLagP99Ms = "send_lag_p99_ms"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let second { try c.encode(second, forKey: .second) }
            if let seconds { try c.encode(seconds, forKey: .seconds) }
            try c.encode(requests, forKey: .requests)
            try c.encode(throughput, forKey: .throughput)
            try c.encode(errors, forKey: .errors)
            try c.encode(errorRate, forKey: .errorRate)
            try c.encode(p50Ms, forKey: .p50Ms)
            try c.encode(p95Ms, forKey: .p95Ms)
            try c.encode(p99Ms, forKey: .p99Ms)
            try c.encode(inFlight, forKey: .inFlight)
            try c.encode(dropped, forKey: .dropped)
            try c.encode(sendLagP99Ms, forKey: .sendLagP99Ms)
        }

        /// One measured second, from its summary.
        init(second s: SecondStats) {
            let counters = s.overall.counters
            second = s.second
            requests = counters.requests
            throughput = Double(counters.requests)
            errors = counters.errors.total
            errorRate = counters.errorRate
            let latency = s.overall.latency
            p50Ms = latency.count == 0 ? nil : latency.value(atPercentile: 50).map(Self.milliseconds)
            p95Ms = latency.count == 0 ? nil : latency.value(atPercentile: 95).map(Self.milliseconds)
            p99Ms = latency.count == 0 ? nil : latency.value(atPercentile: 99).map(Self.milliseconds)
            inFlight = s.inFlight
            dropped = counters.dropped
            sendLagP99Ms = s.sendLag.count == 0 ? nil : s.sendLag.value(atPercentile: 99).map(Self.milliseconds)
        }

        /// The whole run so far, from the summed seconds.
        init(totals: LiveTotals) {
            let counters = totals.counters
            seconds = totals.seconds
            requests = counters.requests
            throughput = totals.seconds == 0 ? 0 : Double(counters.requests) / Double(totals.seconds)
            errors = counters.errors.total
            errorRate = counters.errorRate
            let latency = totals.latency
            p50Ms = latency.count == 0 ? nil : Self.milliseconds(latency.value(atPercentile: 50))
            p95Ms = latency.count == 0 ? nil : Self.milliseconds(latency.value(atPercentile: 95))
            p99Ms = latency.count == 0 ? nil : Self.milliseconds(latency.value(atPercentile: 99))
            inFlight = totals.last?.inFlight ?? 0
            dropped = counters.dropped
            sendLagP99Ms = totals.sendLag.count == 0 ? nil : Self.milliseconds(totals.sendLag.value(atPercentile: 99))
        }

        static func milliseconds(_ d: Duration) -> Double { (d.seconds * 1e6).rounded() / 1e3 }
    }

    /// One second as the dashboard charts it (the stream's `history` event, README, *Live control and dashboard*).
    struct ChartPoint: Encodable, Sendable {
        var t: Int
        var throughput: Double
        var p50Ms: Double?
        var p95Ms: Double?
        var p99Ms: Double?
        var errorRate: Double
        /// The planned arrivals of the second (open model; nil in the closed model).
        var target: Double?

        enum CodingKeys: String, CodingKey {
            case t, throughput, p50Ms = "p50_ms", p95Ms = "p95_ms", p99Ms = "p99_ms", errorRate = "error_rate", target
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(t, forKey: .t)
            try c.encode(throughput, forKey: .throughput)
            try c.encode(p50Ms, forKey: .p50Ms)
            try c.encode(p95Ms, forKey: .p95Ms)
            try c.encode(p99Ms, forKey: .p99Ms)
            try c.encode(errorRate, forKey: .errorRate)
            try c.encode(target.map(LiveStatus.rounded), forKey: .target)
        }

        init(second: SecondStats, planned: Double?) {
            let w = Window(second: second)
            t = second.second
            throughput = w.throughput
            p50Ms = w.p50Ms
            p95Ms = w.p95Ms
            p99Ms = w.p99Ms
            errorRate = w.errorRate
            target = planned
        }
    }

    /// The stream's `history` event: `{"test_id": …, "points": [ChartPoint…]}`.
    static func historyJSON(testId: String?, points: [ChartPoint]) -> String {
        struct History: Encodable {
            var testId: String?
            var points: [ChartPoint]
            enum CodingKeys: String, CodingKey { case testId = "test_id", points }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(testId, forKey: .testId)
                try c.encode(points, forKey: .points)
            }
        }
        return encode(History(testId: testId, points: points))
    }

    var testId: String?
    var scenario: String
    var state: RunState
    var stage: String?
    var elapsedS: Double
    var plannedS: Double
    var pausedS: Double
    /// This run (1-based) of `runs` (`--repeat K`).
    var run: Int
    var runs: Int
    var model: LoadModel
    /// The planned level now: arrivals per second (open model) or users (closed model).
    var targetLevel: Double?
    var stopReason: String?
    var lastSecond: Window?
    var total: Window

    enum CodingKeys: String, CodingKey {
        case testId = "test_id", scenario, state, stage, elapsedS = "elapsed_s", plannedS = "planned_s", pausedS = "paused_s"
        case run, runs, targetRate = "target_rate", targetUsers = "target_users", stopReason = "stop_reason"
        case lastSecond = "last_second", total
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(testId, forKey: .testId)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(state.rawValue, forKey: .state)
        try c.encode(stage, forKey: .stage)
        try c.encode(Self.rounded(elapsedS), forKey: .elapsedS)
        try c.encode(Self.rounded(plannedS), forKey: .plannedS)
        try c.encode(Self.rounded(pausedS), forKey: .pausedS)
        try c.encode(run, forKey: .run)
        try c.encode(runs, forKey: .runs)
        try c.encode(model == .open ? targetLevel.map(Self.rounded) : nil, forKey: .targetRate)
        try c.encode(model == .closed ? targetLevel.map { Int($0.rounded()) } : nil, forKey: .targetUsers)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(lastSecond, forKey: .lastSecond)
        try c.encode(total, forKey: .total)
    }

    static func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    /// The JSON text (one line, as Server-Sent Events need).
    var json: String { Self.encode(self) }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
