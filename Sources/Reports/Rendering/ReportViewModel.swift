import Analysis
import Core
import Foundation
import Results

/// What the Markdown and HTML templates see: the result, formatted for people.
///
/// Templates get strings and booleans only, so every number is formatted once, here, in the same
/// units the CLI prints. Values are escaped by the template engine (`{{value}}`); only the charts,
/// which escape their own labels, are inserted raw (`{{{svg}}}`).
enum ReportViewModel {
    static func make(_ r: ResultDocument, charts: [String: String] = [:]) -> [String: Any] {
        let s = r.summary
        func ms(_ v: Double?) -> String { v.map(Units.formatMilliseconds) ?? "–" }
        func pct(_ f: Double) -> String { "\(Units.formatNumber(f * 100))%" }
        func rate(_ v: Double) -> String { "\(Units.formatNumber(v))/s" }
        func latencyRow(_ l: ResultDocument.Latency) -> [String: Any] {
            ["p50": ms(l.percentiles["p50"]), "p90": ms(l.percentiles["p90"]), "p95": ms(l.percentiles["p95"]),
             "p99": ms(l.percentiles["p99"]), "max": ms(l.max), "mean": ms(l.mean)]
        }
        func window(_ name: String, _ w: ResultDocument.Window) -> [String: Any] {
            ["name": name, "requests": String(w.requests), "throughput": rate(w.throughput), "errorRate": pct(w.errorRate),
             "errors": String(w.errors), "latency": latencyRow(w.latency), "serviceTime": latencyRow(w.serviceTime)]
        }
        let failed = r.successCriteria.filter { !$0.passed }.count
        let criteria: [[String: Any]] = r.successCriteria.map { c in
            ["expression": c.criterion, "measured": c.measuredText, "limit": c.limit, "passed": c.passed,
             "mark": c.passed ? "✅ pass" : "❌ fail", "symbol": c.passed ? "✓ pass" : "✗ fail",
             "evidence": c.evidence, "abort": c.abort]
        }
        let e = r.metrics.overall.errorsByClass
        let errorClasses: [[String: Any]] = [("connect", e.connect), ("timeout", e.timeout), ("reset", e.reset), ("status", e.status), ("expectation", e.expectation)]
            .filter { $0.1 > 0 }.map { ["class": $0.0, "count": String($0.1)] }
        let verdictText = TextSummary.verdictLine(r)
        let dates = ISO8601DateFormatter()
        var env: [String: Any] = ["host": r.environment.host, "os": r.environment.os, "cores": String(r.environment.cores), "toolVersion": r.environment.toolVersion]
        if let c = r.environment.gitCommit { env["gitCommit"] = c }
        if let b = r.environment.gitBranch { env["gitBranch"] = b }
        if let ci = r.environment.ci { env["ci"] = ci }
        let scenarioJSON = (try? ResultDocument.makeEncoder().encode(r.scenario)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return [
            "verdict": ["passed": failed == 0, "text": verdictText, "class": failed == 0 ? "pass" : "fail",
                        "emoji": failed == 0 ? "✅" : "❌", "symbol": failed == 0 ? "✓" : "✗", "partial": r.status == .partial, "stopReason": r.stopReason ?? ""],
            "scenario": ["name": r.scenario.name, "description": r.scenario.description ?? "", "hasDescription": !(r.scenario.description ?? "").isEmpty, "json": scenarioJSON],
            "run": ["id": r.testId, "startedAt": dates.string(from: r.startedAt), "endedAt": dates.string(from: r.endedAt),
                    "target": r.target, "measured": "\(Units.formatNumber(s.measuredS))s", "status": r.status.rawValue,
                    "tags": r.tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }],
            "environment": env,
            "summary": ["requests": String(s.requests), "throughput": rate(s.throughput), "errors": String(s.errors),
                        "errorRate": pct(s.errorRate), "dropped": String(s.dropped), "hasDropped": s.dropped > 0,
                        "latency": latencyRow(s.latency), "serviceTime": latencyRow(s.serviceTime),
                        "sendLag": s.sendLag.map(latencyRow) as Any, "hasSendLag": s.sendLag != nil],
            "hasCriteria": !criteria.isEmpty, "criteria": criteria,
            "criteriaCount": String(criteria.count), "failedCount": String(failed),
            "requests": r.metrics.perRequest.map { window($0.name, $0.stats) },
            "hasManyRequests": r.metrics.perRequest.count > 1,
            "stages": r.metrics.perStage.filter { $0.stats.requests > 0 }.map { window($0.name, $0.stats) },
            "hasErrors": !errorClasses.isEmpty, "errorClasses": errorClasses,
            "hasWarnings": !r.warnings.isEmpty, "warnings": r.warnings,
            "hasComparison": r.comparison != nil,
            "comparison": [
                "baseline": r.comparison?.baseline ?? "", "runs": String(r.comparison?.baselineRuns.count ?? 0),
                "verdicts": (r.comparison?.verdicts ?? []).map { v in
                    ["metric": v.metric, "verdict": v.verdict.rawValue, "line": v.line, "gating": v.gating,
                     "bad": v.gating && v.verdict == .regression, "reasons": v.reasons.joined(separator: "; "), "hasReasons": !v.reasons.isEmpty] as [String: Any]
                },
                "notes": r.comparison?.notes ?? [], "hasNotes": !(r.comparison?.notes ?? []).isEmpty,
            ] as [String: Any],
            "hasIssues": !r.issues.isEmpty,
            "issues": r.issues.map { i in
                ["kind": i.kind.rawValue, "title": i.title, "severity": i.severity.rawValue, "critical": i.severity == .critical,
                 "icon": i.severity == .critical ? "🔴" : "🟡", "summary": i.summary,
                 "evidence": i.evidence.text + (i.fault.map { " · after fault \($0)" } ?? "")] as [String: Any]
            },
            "hasRecommendations": !r.recommendations.isEmpty, "recommendations": r.recommendations,
            "hasFaults": !(r.faults ?? []).isEmpty,
            "faults": FaultRows.rows(r.faults ?? []).map { f in
                ["name": f.name, "kind": f.kind, "settings": f.settings, "planned": f.planned, "actual": f.actual,
                 "effect": f.effect, "recovery": f.recovery, "recovered": f.recovered] as [String: Any]
            },
            "monitoring": TextSummary.monitoringLine(r.monitoring) ?? "",
            "charts": charts, "hasCharts": !charts.isEmpty,
        ]
    }
}
