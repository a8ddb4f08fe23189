import Analysis
import Core
import Results
import Store

extension TestResultsStore {
    /// The runs `references` side by side, in the order given, each against the first (see
    /// `resolveRun(_:)` for what a reference may be).
    public func compareTestRuns(_ references: [String]) throws(StressError) -> RunComparison {
        var runs: [RunComparison.Run] = []
        for reference in references { runs.append(try resolveRun(reference)) }
        var comparison = RunComparison(runs: runs)
        if let first = runs.first, first.source == .baseline {
            // A baseline first: judge the others against its whole history, not its newest run.
            let baseline = try loadBaseline(first.reference)
            for run in runs.dropFirst() {
                do {
                    try baseline.requireComparable(with: run.result)
                } catch {
                    comparison.notes.append("\(run.label) is not judged against baseline \(baseline.name): \(error.message)")
                    continue
                }
                comparison.verdicts.append(.init(run: run.label, comparison: BaselineComparison.compare(
                    candidate: run.result, baseline: baseline, rules: RegressionRule.defaults)))
            }
        }
        return comparison
    }
}
