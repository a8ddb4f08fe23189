import Core
import Metrics

extension CriteriaEvaluator {
    /// `recovery_time` (README, *Failure injection*): every fault's recovery (or, with
    /// `{fault=NAME}`, that one's) must hold the limit; a fault that never recovered fails it.
    /// The measured value is the slowest recovery.
    static func evaluateRecovery(_ criterion: CriterionSpec, metrics: RunMetrics, faults: [FaultWindow]) -> CriterionResult {
        guard !faults.isEmpty else { return result(criterion, .noData, measured: nil, evidence: "no faults ran") }
        let wanted = criterion.expression.selector.filter.fault
        let chosen = wanted.map { name in faults.filter { $0.name == name } } ?? faults
        guard !chosen.isEmpty else {
            return result(criterion, .noData, measured: nil, evidence: "no fault named \(wanted ?? "") ran")
        }
        let measured = chosen.map { ($0, RecoveryTime.measure($0, in: metrics)) }
        let parts = measured.map { fault, m in
            "\(fault.name) " + (m.seconds.map { "recovered in \(Units.formatDuration(.seconds($0)))" } ?? "never recovered")
        }
        let evidence = parts.joined(separator: ", ")
        let times = measured.compactMap(\.1.seconds)
        guard times.count == measured.count, let slowest = times.max() else {
            return result(criterion, .fail, measured: nil, evidence: evidence + " before the run ended")
        }
        return judged(criterion, .value(slowest, evidence: evidence))
    }
}
