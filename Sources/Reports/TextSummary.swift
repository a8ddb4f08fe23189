import Core
import Foundation
import Results

/// The short plain-text summary printed at the end of `run`.
public enum TextSummary {
    /// Renders the summary: totals, latency, per-request lines, criteria with ✓/✗, warnings, one line
    /// per issue, and the verdict line.
    public static func render(_ r: ResultDocument) -> String {
        var out = ""
        // Every line goes through TerminalText: a name, a criterion, a warning or a stop reason
        // with a CR, an LF or an escape sequence cannot break or rewrite a terminal line.
        func line(_ text: String) { out += TerminalText.sanitize(text) + "\n" }
        let s = r.summary
        func ms(_ v: Double?) -> String { v.map(Units.formatMilliseconds) ?? "-" }
        func pct(_ f: Double) -> String { "\(Units.formatNumber(f * 100))%" }
        line("\(r.scenario.name) — \(r.testId)\(r.status == .partial ? " (PARTIAL: \(r.stopReason ?? "stopped early"))" : "")")
        line("  target      \(r.target)")
        line("  measured    \(Units.formatNumber(s.measuredS))s, \(s.requests) requests, \(Units.formatNumber(s.throughput))/s, errors \(s.errors) (\(pct(s.errorRate)))"
            + (s.dropped > 0 ? ", dropped \(s.dropped)" : ""))
        line("  latency     p50 \(ms(s.latency.percentiles["p50"]))  p90 \(ms(s.latency.percentiles["p90"]))  p95 \(ms(s.latency.percentiles["p95"]))  p99 \(ms(s.latency.percentiles["p99"]))  max \(ms(s.latency.max))")
        line("  service     p50 \(ms(s.serviceTime.percentiles["p50"]))  p95 \(ms(s.serviceTime.percentiles["p95"]))  p99 \(ms(s.serviceTime.percentiles["p99"]))")
        if let lag = s.sendLag { line("  send lag    p99 \(ms(lag.percentiles["p99"]))  max \(ms(lag.max))") }
        let e = r.metrics.overall.errorsByClass
        if r.metrics.overall.errors > 0 {
            let parts = [("connect", e.connect), ("timeout", e.timeout), ("reset", e.reset), ("status", e.status), ("expectation", e.expectation)]
                .filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }
            line("  errors by   \(parts.joined(separator: ", "))")
        }
        if r.metrics.perRequest.count > 1 {
            for n in r.metrics.perRequest {
                let name = TerminalText.sanitize(n.name)
                line("  · \(name.padding(toLength: max(10, name.count), withPad: " ", startingAt: 0))  \(n.stats.requests) req, p95 \(ms(n.stats.latency.percentiles["p95"])), errors \(pct(n.stats.errorRate))")
            }
        }
        let faults = FaultRows.rows(r.faults ?? [])
        if !faults.isEmpty {
            line("faults")
            for f in faults { line("  \(f.name) (\(f.kind)) in force \(f.actual): \(f.effect); \(f.recovery)") }
        }
        if !r.successCriteria.isEmpty {
            line("criteria")
            for c in r.successCriteria {
                line("  \(c.passed ? "✓" : "✗") \(c.criterion)  — measured \(c.measuredText)\(c.passed ? "" : "; \(c.evidence)")")
            }
        }
        if let c = r.comparison {
            line("compared with baseline \(c.baseline) (\(c.baselineRuns.count) runs)")
            for v in c.verdicts { line("  \(v.gating ? "" : "(reported) ")\(v.line)") }
            for note in c.notes { line("  note: \(note)") }
        }
        if let monitored = monitoringLine(r.monitoring) { line("  monitored   \(monitored)") }
        for warning in r.warnings { line("warning: \(warning)") }
        for issue in r.issues { line("issue (\(issue.severity.rawValue)): \(issue.summary)\(issue.fault.map { " (after fault \($0))" } ?? "")") }
        line(verdictLine(r))
        return out
    }

    /// `run 1 of 3  20250101_120000_checkout  p95 24.8ms  100/s  errors 0 (0%)  criteria met`: one
    /// line per `--repeat` run before the last, whose full summary follows.
    public static func runLine(_ run: ResultDocument, index: Int, of count: Int) -> String {
        let s = run.summary
        let p95 = s.latency.percentiles["p95"].map(Units.formatMilliseconds) ?? "-"
        return TerminalText.sanitize("run \(index + 1) of \(count)  \(run.testId)  p95 \(p95)  \(Units.formatNumber(s.throughput))/s  "
            + "errors \(s.errors) (\(Units.formatNumber(s.errorRate * 100))%)  \(run.verdict.criteriaPassed ? "criteria met" : "CRITERIA FAILED")") + "\n"
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

    /// `PASS: all 3 criteria met` / `FAIL: 1 of 3 criteria failed`: one line, safe to print (the
    /// baseline's name goes through ``TerminalText``).
    public static func verdictLine(_ r: ResultDocument) -> String {
        TerminalText.sanitize(unsanitizedVerdictLine(r))
    }

    private static func unsanitizedVerdictLine(_ r: ResultDocument) -> String {
        let total = r.successCriteria.count
        let failed = r.verdict.failed.count
        var partial = r.status == .partial ? " (partial run)" : ""
        if let c = r.comparison {
            let regressed = c.verdicts.filter { $0.gating && $0.verdict == .regression }.map(\.metric)
            partial += regressed.isEmpty ? "; no regression against \(c.baseline)" : "; REGRESSION against \(c.baseline): \(regressed.joined(separator: ", "))"
        }
        if failed == 0 {
            return total == 0 ? "PASS: no criteria to check\(partial)" : "PASS: all \(total) criteria met\(partial)"
        }
        return "FAIL: \(failed) of \(total) criteria failed\(partial)"
    }
}
