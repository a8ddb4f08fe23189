import Analysis
import Core
import Results

/// The injected faults as the reports show them (README, *Failure injection*): one row each,
/// in plain words; the same text in report.md, report.html and the terminal summary.
enum FaultRows {
    struct Row {
        var name: String
        var kind: String
        /// `delay 200ms, jitter 20ms · request checkout`.
        var settings: String
        /// `00:05–00:10`.
        var planned: String
        /// `00:05.0–00:10.0`, or `did not run`.
        var actual: String
        /// What it did: `412 of 500 requests answered 503`, `killed at 00:06.0, started again at 00:06.1, ready at 00:07.6`.
        var effect: String
        /// `recovered in 1.2s`, or `never recovered`.
        var recovery: String
        var recovered: Bool
    }

    static func rows(_ faults: [ResultDocument.FaultRecord]) -> [Row] {
        faults.map { f in
            var settings = f.parameters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            if let request = f.request { settings.append("request \(request)") }
            return Row(
                name: f.name, kind: f.kind.rawValue, settings: settings.isEmpty ? "–" : settings.joined(separator: ", "),
                planned: "\(CriterionFormat.clock(seconds: f.planned.startS, tenths: false))–\(CriterionFormat.clock(seconds: f.planned.endS, tenths: false))",
                actual: f.actual.map { "\(CriterionFormat.clock(seconds: $0.startS, tenths: true))–\(CriterionFormat.clock(seconds: $0.endS, tenths: true))" } ?? "did not run",
                effect: effect(f),
                recovery: f.actual == nil ? "–" : f.recoveryS.map { "recovered in \(Units.duration(seconds: $0).map(Units.formatDuration) ?? "\(Units.formatNumber($0))s")" } ?? "never recovered",
                recovered: f.recoveryS != nil)
        }
    }

    private static func effect(_ f: ResultDocument.FaultRecord) -> String {
        if let r = f.restart {
            var text = "killed at \(CriterionFormat.clock(seconds: r.killedS, tenths: true))"
            text += r.startedS.map { ", started again at \(CriterionFormat.clock(seconds: $0, tenths: true))" } ?? ", not started again before the run ended"
            if r.startedS != nil { text += r.readyS.map { ", ready at \(CriterionFormat.clock(seconds: $0, tenths: true))" } ?? ", not ready before the run ended" }
            return text
        }
        if f.kind == .pause { return f.actual == nil ? "–" : "stopped (SIGSTOP), then continued" }
        guard let requests = f.requests, let affected = f.affected else { return "–" }
        let verb = switch f.kind {
        case .latency: "delayed"
        case .error: "answered \(f.parameters["status"] ?? "503")"
        case .reset: "reset"
        case .blackhole: "never answered"
        case .bandwidth: "throttled"
        case .kill, .pause: "affected"
        }
        return "\(Units.formatCount(affected)) of \(Units.formatCount(requests)) requests \(verb)"
    }
}
