import Core
import Foundation

/// The short plain-text summary printed at the end of `run`.
public enum TextSummary {
    /// Renders the summary: totals, latency, per-request lines, criteria with ✓/✗, warnings, one line
    /// per issue, and the verdict line.
    public static func render(_ r: ResultDocument) -> String {
        var out = ""
        let s = r.summary
        func ms(_ v: Double?) -> String { v.map(Units.formatMilliseconds) ?? "-" }
        func pct(_ f: Double) -> String { "\(Units.formatNumber(f * 100))%" }
        out += "\(r.scenario.name) — \(r.testId)\(r.status == "partial" ? " (PARTIAL: \(r.stopReason ?? "stopped early"))" : "")\n"
        out += "  target      \(r.target)\n"
        out += "  measured    \(Units.formatNumber(s.measuredS))s, \(s.requests) requests, \(Units.formatNumber(s.throughput))/s, errors \(s.errors) (\(pct(s.errorRate)))"
        if s.dropped > 0 { out += ", dropped \(s.dropped)" }
        out += "\n"
        out += "  latency     p50 \(ms(s.latency.percentiles["p50"]))  p90 \(ms(s.latency.percentiles["p90"]))  p95 \(ms(s.latency.percentiles["p95"]))  p99 \(ms(s.latency.percentiles["p99"]))  max \(ms(s.latency.max))\n"
        out += "  service     p50 \(ms(s.serviceTime.percentiles["p50"]))  p95 \(ms(s.serviceTime.percentiles["p95"]))  p99 \(ms(s.serviceTime.percentiles["p99"]))\n"
        if let lag = s.sendLag { out += "  send lag    p99 \(ms(lag.percentiles["p99"]))  max \(ms(lag.max))\n" }
        let e = r.metrics.overall.errorsByClass
        if r.metrics.overall.errors > 0 {
            let parts = [("connect", e.connect), ("timeout", e.timeout), ("reset", e.reset), ("status", e.status), ("expectation", e.expectation)]
                .filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }
            out += "  errors by   \(parts.joined(separator: ", "))\n"
        }
        if r.metrics.perRequest.count > 1 {
            for n in r.metrics.perRequest {
                out += "  · \(n.name.padding(toLength: max(10, n.name.count), withPad: " ", startingAt: 0))  \(n.stats.requests) req, p95 \(ms(n.stats.latency.percentiles["p95"])), errors \(pct(n.stats.errorRate))\n"
            }
        }
        if !r.successCriteria.isEmpty {
            out += "criteria\n"
            for c in r.successCriteria {
                out += "  \(c.passed ? "✓" : "✗") \(c.criterion)  — measured \(c.measuredText)\(c.passed ? "" : "; \(c.evidence)")\n"
            }
        }
        if let c = r.comparison {
            out += "compared with baseline \(c.baseline) (\(c.baselineRuns.count) runs)\n"
            for v in c.verdicts { out += "  \(v.gating ? "" : "(reported) ")\(v.line)\n" }
            for note in c.notes { out += "  note: \(note)\n" }
        }
        if let line = monitoringLine(r.monitoring) { out += "  monitored   \(line)\n" }
        for warning in r.warnings { out += "warning: \(warning)\n" }
        for issue in r.issues { out += "issue (\(issue.severity.rawValue)): \(issue.summary)\n" }
        out += verdictLine(r) + "\n"
        return out
    }

    /// `generator CPU max 31% · host CPU max 64% · target RSS max 48 MiB`: the peaks worth a glance.
    static func monitoringLine(_ series: [ResultDocument.SourceSeries]) -> String? {
        func peak(_ source: String, _ key: String) -> Double? {
            series.first { $0.source == source }?.samples.compactMap { $0.values[key] }.max()
        }
        var parts: [String] = []
        if let cpu = peak("generator", "cpu_percent") { parts.append("generator CPU max \(Int(cpu.rounded()))%") }
        if let cpu = peak("host", "cpu_percent") { parts.append("host CPU max \(Int(cpu.rounded()))%") }
        if let cpu = peak("target", "cpu_percent") { parts.append("target CPU max \(Int(cpu.rounded()))%") }
        if let rss = peak("target", "rss_bytes") { parts.append("target RSS max \(Int((rss / 1_048_576).rounded())) MiB") }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// `PASS: all 3 criteria met` / `FAIL: 1 of 3 criteria failed`.
    public static func verdictLine(_ r: ResultDocument) -> String {
        let total = r.successCriteria.count
        let failed = r.verdict.failed.count
        var partial = r.status == "partial" ? " (partial run)" : ""
        if let c = r.comparison {
            let regressed = c.verdicts.filter { $0.gating && $0.verdict == "regression" }.map(\.metric)
            partial += regressed.isEmpty ? "; no regression against \(c.baseline)" : "; REGRESSION against \(c.baseline): \(regressed.joined(separator: ", "))"
        }
        if failed == 0 {
            return total == 0 ? "PASS: no criteria to check\(partial)" : "PASS: all \(total) criteria met\(partial)"
        }
        return "FAIL: \(failed) of \(total) criteria failed\(partial)"
    }
}
