import Core
import Results

extension Diagnostics {
    /// The target's restarts: its `process_start_time_seconds` (the standard Prometheus process
    /// metric) moving to a new value, and windows where it refused connections between healthy
    /// seconds. A connection loss near a restart the metrics show is that restart.
    static func restarts(_ run: SecondSeries, targetMetrics: [String: [Double]], connectionLosses: [ConnectionLoss]) -> [RunIssue] {
        let T = DiagnosticThresholds.self
        var issues: [RunIssue] = []
        var seen: [Int] = []
        if let series = startTimeSeries(targetMetrics) {
            var previous: (second: Int, value: Double)?
            for (t, value) in series.enumerated() where value.isFinite {
                if let p = previous, abs(value - p.value) > T.restartStartTimeJump {
                    let near = connectionLosses.first { $0.isNear(t) }
                    var summary = "The target restarted between \(CriterionFormat.clock(p.second)) and \(CriterionFormat.clock(t)): its process_start_time_seconds changed"
                    if let near { summary += ", and \(CriterionFormat.count(near.connectionErrors)) requests failed to connect or were reset \(window(near.range))" }
                    issues.append(RunIssue(
                        kind: .targetRestart, severity: .critical, summary: summary + ".",
                        evidence: .init(fromS: Double(p.second + 1), toS: Double(t + 1), metric: "process_start_time_seconds", value: value, unit: .seconds,
                                        reference: p.value, count: 1, detail: near.map { "\($0.connectionErrors) connection errors" })))
                    seen.append(t)
                }
                previous = (t, value)
            }
        }
        for loss in connectionLosses where !seen.contains(where: loss.isNear) {
            issues.append(RunIssue(
                kind: .targetRestart, severity: .critical,
                summary: "The target stopped taking connections \(window(loss.range)) (\(CriterionFormat.count(loss.connectionErrors)) of \(CriterionFormat.count(loss.requests)) requests failed to connect or were reset) and served again from \(CriterionFormat.clock(loss.range.upperBound)): it probably restarted.",
                evidence: .init(fromS: Double(loss.range.lowerBound), toS: Double(loss.range.upperBound), metric: "connect_errors",
                                value: Double(loss.connectionErrors), unit: .count, count: loss.connectionErrors, detail: "recovered at \(CriterionFormat.clock(loss.range.upperBound))")))
        }
        return issues
    }

    /// The target's process start time per second: the bare series, else its first labelled one.
    private static func startTimeSeries(_ metrics: [String: [Double]]) -> [Double]? {
        let name = "process_start_time_seconds"
        if let bare = metrics[name] { return bare }
        return metrics.keys.filter { $0.hasPrefix(name + "{") }.sorted().first.flatMap { metrics[$0] }
    }
}

extension Diagnostics.ConnectionLoss {
    /// Whether a restart seen at measured second `t` is this loss.
    func isNear(_ t: Int) -> Bool {
        let margin = DiagnosticThresholds.restartMergeSeconds
        return Double(range.lowerBound) - margin <= Double(t) && Double(t) <= Double(range.upperBound) + margin
    }
}
