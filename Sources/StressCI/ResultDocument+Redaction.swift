import Core
import Reports
import Results

extension ResultDocument {
    /// The result with every value that came from the environment shown as `***`: the scenario
    /// echo is built redacted (`Scenario.redactedSummary`), the target is its redacted URL, and
    /// the free text that can quote scenario values (stop reason, warnings, state-change reasons)
    /// is redacted value by value. Nothing is replaced in serialized JSON, HTML or XML, so no
    /// secret — `1`, `true`, or one with `"` `<` `&` — can corrupt an artifact.
    public func redacted(for scenario: Scenario) -> ResultDocument {
        let redactor = Redactor(secrets: scenario.secrets)
        var copy = self
        copy.scenario = scenario.redactedSummary
        if let url = scenario.target.displayURL { copy.target = url }
        guard !redactor.isEmpty else { return copy }
        copy.stopReason = stopReason.map(redactor.redact)
        copy.warnings = warnings.map(redactor.redact)
        copy.timeline.states = timeline.states.map { change in
            var change = change
            change.reason = change.reason.map(redactor.redact)
            return change
        }
        return copy
    }
}

extension StressError {
    /// The error with every secret in its message, hint and problems shown as `***`.
    public func redacted(by redactor: Redactor) -> StressError {
        guard !redactor.isEmpty else { return self }
        return StressError(kind, redactor.redact(message), hint: hint.map(redactor.redact),
                           problems: problems.map { problem in
                               var redacted = problem
                               redacted.message = redactor.redact(problem.message)
                               redacted.hint = problem.hint.map(redactor.redact)
                               return redacted
                           })
    }
}
