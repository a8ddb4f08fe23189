import Core
import Metrics
import Results

extension Diagnostics {
    /// A window of seconds where the target refused or dropped connections, then served again.
    struct ConnectionLoss {
        var range: Range<Int>
        var connectionErrors: Int
        var requests: Int
    }

    /// Seconds whose error rate stands far above the run's usual rate, grouped into windows.
    ///
    /// The usual rate is the pooled rate of the seconds at or below the lower median per-second
    /// rate; a second is hot when it has `burstMinimumErrors`, at least `burstMinimumRate`, and at
    /// least `burstFactor` × the usual rate. A window of mostly connection errors between healthy
    /// seconds is returned as a connection loss instead (a target that went away and came back).
    static func errorBursts(_ run: SecondSeries) -> (bursts: [RunIssue], connectionLosses: [ConnectionLoss]) {
        let T = DiagnosticThresholds.self
        let active = run.indices.filter { run[$0].counters.requests > 0 }
        let rates = active.map { run[$0].counters.errorRate }
        guard let median = lowerMedian(rates) else { return ([], []) }
        let quiet = active.filter { run[$0].counters.errorRate <= median }.reduce(into: Counters()) { $0 += run[$1].counters }
        let threshold = max(T.burstMinimumRate, T.burstFactor * quiet.errorRate)
        func hot(_ t: Int) -> Bool {
            let c = run[t].counters
            return c.errors.total >= T.burstMinimumErrors && c.errorRate >= threshold
        }
        let windows = runs(in: run.indices, where: hot)
        guard !windows.isEmpty else { return ([], []) }
        let hotSeconds = Set(windows.flatMap { Array($0) })
        let rest = run.indices.filter { !hotSeconds.contains($0) }.reduce(into: Counters()) { $0 += run[$1].counters }

        var bursts: [RunIssue] = []
        var losses: [ConnectionLoss] = []
        for w in windows {
            let c = run.counters(w)
            let connection = c.errors.connect + c.errors.reset
            // Windows are maximal runs of hot seconds, so a neighbour with requests is a healthy one.
            let healthyBefore = w.lowerBound > 0 && run[w.lowerBound - 1].counters.requests > 0
            let healthyAfter = w.upperBound < run.count && run[w.upperBound].counters.requests > 0
            if c.errors.connect > 0, Double(connection) >= T.restartConnectionShare * Double(c.errors.total), healthyBefore, healthyAfter {
                losses.append(ConnectionLoss(range: w, connectionErrors: connection, requests: c.requests))
                continue
            }
            let rate = c.errorRate
            let dominant = dominantError(c)
            bursts.append(RunIssue(
                kind: .errorBurst,
                severity: rate >= T.burstCriticalRate ? .critical : .warning,
                summary: "Error burst \(window(w)): \(CriterionFormat.count(c.errors.total)) of \(CriterionFormat.count(c.requests)) requests failed (\(percent(rate)), against \(percent(rest.errorRate)) in the rest of the run), mostly \(dominant).",
                evidence: .init(fromS: Double(w.lowerBound), toS: Double(w.upperBound), metric: "error_rate", value: rate, unit: .fraction,
                                threshold: threshold, reference: rest.errorRate, count: c.errors.total, detail: dominant)))
        }
        return (bursts, losses)
    }

    /// `timeout (80%)`, `status 503 (95%)`: the class with the most errors, with the most frequent
    /// error status when it is `status`.
    static func dominantError(_ c: Counters) -> String {
        let total = max(1, c.errors.total)
        let top = ErrorClass.allCases.max { c.errors[$0] < c.errors[$1] } ?? .status
        if top == .status, let code = (400..<600).max(by: { c.responses(withStatus: $0) < c.responses(withStatus: $1) }),
           c.responses(withStatus: code) > 0 {
            return "status \(code) (\(percent(Double(c.responses(withStatus: code)) / Double(total))))"
        }
        return "\(top.rawValue) (\(percent(Double(c.errors[top]) / Double(total))))"
    }
}
