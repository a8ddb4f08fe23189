import Core
import Foundation
import Metrics
@testable import Analysis
import Results

/// Synthetic runs for the diagnostics: per-second statistics written down directly, so each test
/// states exactly the series a detector sees.
enum Synthetic {
    /// One measured second: `requests` finished, `errors` of them failed with `error` (status
    /// errors answer `status`; connect errors have no status), latency p95/p99 as given.
    static func second(_ t: Int, requests: Int, errors: Int = 0, error: ErrorClass = .status, status: Int = 500,
                       dropped: Int = 0, p95: Duration = .milliseconds(8), p99: Duration = .milliseconds(10)) -> SecondStats {
        var c = Counters()
        for i in 0..<requests {
            if i < errors {
                c.count(status: error == .status ? status : 0, error: error, bytesIn: 100, bytesOut: 10)
            } else {
                c.count(status: 200, error: nil, bytesIn: 100, bytesOut: 10)
            }
        }
        c.dropped = dropped
        let timed = UInt64(requests - (error == .status ? 0 : errors))
        let latency = LatencySummary(count: timed, min: .milliseconds(1), mean: p95 / 2, max: p99 * 2, percentiles: [
            .init(percentile: 50, value: p95 / 2), .init(percentile: 90, value: p95 * 0.9), .init(percentile: 95, value: p95),
            .init(percentile: 99, value: p99), .init(percentile: 99.9, value: p99 * 1.5),
        ])
        let stats = WindowStats(counters: c, latency: latency, service: latency)
        return SecondStats(second: t, overall: stats, perRequest: [stats], inFlight: 0)
    }

    /// `count` clean seconds at `rate`.
    static func clean(_ count: Int, rate: Int = 100) -> [SecondStats] {
        (0..<count).map { second($0, requests: rate) }
    }

    /// The run's metrics from its seconds; measured time defaults to one second per entry.
    static func metrics(_ seconds: [SecondStats], warmup: Double = 0, measured: Double? = nil, sendLag: [Duration] = []) -> RunMetrics {
        let layout = MetricsLayout(requestNames: ["r"], stages: [], warmup: Int64(warmup * 1e9))
        var lag = LatencyHistogram()
        for d in sendLag { lag.record(nanoseconds: d.nanoseconds) }
        return RunMetrics(layout: layout, cells: [[CellStats()]], seconds: seconds, sendLag: lag,
                          measuredDuration: .seconds(measured ?? Double(seconds.count)))
    }

    /// Open model at a constant `rate` for `seconds` (after `warmup`).
    static func openLoad(rate: Double = 100, seconds: Int, warmup: Double = 0, maxInFlight: Int = 1000, connections: Int = 16) -> LoadSpec {
        LoadSpec(model: .open, warmup: .seconds(warmup), start: rate, stages: [Stage(name: "run", duration: .seconds(warmup + Double(seconds)), target: rate)],
                 maxInFlight: maxInFlight, connections: connections)
    }

    /// Generator (and host) CPU samples, one per second from the start of the load.
    static func cpu(generator: [Double], host: [Double]? = nil, warmup: Double = 0) -> [MetricSnapshot] {
        var out: [MetricSnapshot] = []
        for (i, g) in generator.enumerated() {
            let t = Duration.seconds(warmup + Double(i) + 0.5)
            if let host { out.append(MetricSnapshot(time: t, source: "host", category: .system, values: ["cpu_percent": host[i]])) }
            out.append(MetricSnapshot(time: t, source: "generator", category: .agents, values: ["cpu_percent": g]))
        }
        return out
    }

    static func diagnose(_ seconds: [SecondStats], load: LoadSpec? = nil, measured: Double? = nil, sendLag: [Duration] = [],
                         monitoring: [MetricSnapshot] = [], targetMetrics: [String: [Double]] = [:], threads: Int = 2,
                         embedded: Bool = false, launched: Bool = false, start: Date? = nil) -> Diagnosis {
        Diagnostics.diagnose(Diagnostics.Input(
            metrics: metrics(seconds, measured: measured, sendLag: sendLag), load: load ?? openLoad(seconds: seconds.count),
            monitoring: monitoring, targetMetrics: targetMetrics, generatorThreads: threads,
            embeddedTarget: embedded, launchedTarget: launched, measuredStart: start))
    }
}
