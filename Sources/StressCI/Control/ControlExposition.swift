import Core
import Foundation
import Metrics

/// `GET /metrics`: the current run in Prometheus' text exposition format, version 0.0.4
/// (README, *Live control and dashboard*, lists the metrics). Counters and the latency histogram
/// cover the current run's measured seconds so far (they start again at each run of `--repeat`, which
/// Prometheus reads as a counter reset); the histogram's buckets are counted from the summed
/// per-second histograms (2 significant digits: a response within 1% of a bucket's bound may
/// fall on either side of it), its `_sum` is their mean times their count.
enum ControlExposition {
    /// Bucket bounds of `stress_ci_latency_seconds`, in seconds.
    static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    static func render(status: LiveStatus, totals: LiveTotals, requestNames: [String]) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            let text = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(text) \(format(value))\n"
        }

        family("stress_ci_run_info", "gauge", "The current run: its id, scenario, stage and run number (always 1).")
        sample("stress_ci_run_info", [("test_id", status.testId ?? ""), ("scenario", status.scenario), ("stage", status.stage ?? ""),
                                       ("run", String(status.run)), ("runs", String(status.runs))], 1)
        family("stress_ci_state", "gauge", "The run's state: 1 for the current one, 0 for the others.")
        for state in RunState.allCases {
            sample("stress_ci_state", [("state", state.rawValue)], state == status.state ? 1 : 0)
        }
        family("stress_ci_requests_total", "counter", "Requests finished (any outcome) in the measured window, by request name.")
        for (name, count) in zip(requestNames, totals.perRequest) {
            sample("stress_ci_requests_total", [("request", name)], Double(count))
        }
        family("stress_ci_errors_total", "counter", "Failed requests in the measured window, by error class.")
        for error in ErrorClass.allCases {
            sample("stress_ci_errors_total", [("class", error.rawValue)], Double(totals.counters.errors[error]))
        }
        family("stress_ci_dropped_total", "counter", "Open model: arrivals not sent because max_in_flight requests were outstanding.")
        sample("stress_ci_dropped_total", [], Double(totals.counters.dropped))

        family("stress_ci_latency_seconds", "histogram", "Response latency (from the scheduled start in the open model) in the measured window.")
        let histogram = totals.latency.histogram
        for bound in latencyBuckets {
            let micros = UInt64((bound * 1e6).rounded())
            let count = histogram.totalCount == 0 ? 0 : histogram.count(within: 0...micros)
            sample("stress_ci_latency_seconds_bucket", [("le", format(bound))], Double(count))
        }
        sample("stress_ci_latency_seconds_bucket", [("le", "+Inf")], Double(histogram.totalCount))
        sample("stress_ci_latency_seconds_sum", [], histogram.totalCount == 0 ? 0 : histogram.mean * Double(histogram.totalCount) / 1e6)
        sample("stress_ci_latency_seconds_count", [], Double(histogram.totalCount))

        family("stress_ci_in_flight", "gauge", "Requests outstanding at the end of the last measured second.")
        sample("stress_ci_in_flight", [], Double(totals.last?.inFlight ?? 0))
        if status.model == .open {
            family("stress_ci_target_rate", "gauge", "The planned arrival rate now, per second (open model).")
        } else {
            family("stress_ci_target_users", "gauge", "The planned number of virtual users now (closed model).")
        }
        sample(status.model == .open ? "stress_ci_target_rate" : "stress_ci_target_users", [], status.targetLevel ?? 0)
        family("stress_ci_elapsed_seconds", "gauge", "Time under load so far, paused time excluded.")
        sample("stress_ci_elapsed_seconds", [], status.elapsedS)
        family("stress_ci_planned_seconds", "gauge", "The planned length of the load.")
        sample("stress_ci_planned_seconds", [], status.plannedS)
        family("stress_ci_paused_seconds", "gauge", "Time spent paused so far.")
        sample("stress_ci_paused_seconds", [], status.pausedS)
        return out
    }

    /// A label value: backslash, double quote and line feed escaped, as the format requires.
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value: integers without a fraction, others as Swift prints a Double (`0.0025`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
