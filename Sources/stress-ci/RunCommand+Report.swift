import StressCI

extension RunCommand {
    /// The summary, the verdict lines' warnings, and every failure after the load.
    func report(_ outcome: RunOutcome, options: RunOptions) {
        guard let document = outcome.result else { return }
        if quiet {
            Terminal.stdout(TextSummary.verdictLine(document) + "\n")
        } else {
            Terminal.stdout(TextSummary.render(document))
            if !outcome.artifacts.isEmpty { Terminal.stdout("artifacts: \(outcome.artifacts.joined(separator: ", "))\n") }
        }
        GitHubActions.report(document, markdown: (try? options.artifacts.render(document, .md)) ?? "")
        for v in document.comparison?.verdicts ?? [] where v.gating && v.verdict == .inconclusive {
            // The gates, or else the judgement; the statistics behind it are in the artifacts.
            let gates = v.reasons.filter { $0.hasPrefix("quality gate:") }
            let why = (gates.isEmpty ? Array(v.reasons.prefix(1)) : gates).joined(separator: "; ")
            Terminal.stderr("stress-ci: warning: \(v.metric) is inconclusive\(strict ? " (fails the build under --strict)" : ""): \(why)")
        }
        if outcome.runs.count > 1, !quiet {
            for (index, run) in outcome.runs.enumerated() where !run.verdict.criteriaPassed {
                Terminal.stderr("stress-ci: run \(index + 1) of \(outcome.runs.count) (\(run.testId)) failed: \(run.verdict.failed.joined(separator: ", "))")
            }
        }
        for failure in outcome.failures { Terminal.error(failure) }
    }
}
