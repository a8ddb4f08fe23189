import Core
import Reports
import Results
import Testing
@testable import StressCI

/// `RunOutcome.exitCode`: the one place a run's exit code is decided.
@Suite struct RunOutcomeTests {
    static func run(criteriaPassed: Bool) -> ResultDocument {
        var r = StoreFixture.result()
        r.verdict.criteriaPassed = criteriaPassed
        return r
    }

    static func comparison(_ verdict: RegressionVerdictKind, strict: Bool = false, gating: Bool = true) -> ResultDocument.Comparison {
        ResultDocument.Comparison(baseline: "main", baselineRuns: ["a"], verdicts: [
            ResultDocument.RegressionVerdictInfo(metric: "p95 latency", verdict: verdict, change: 0.2, lower: 0.1, upper: 0.3, tolerance: 0.1,
                                                 unit: .relative, baselineRuns: 1, candidateRuns: 1, reasons: [], gating: gating, line: "")
        ], notes: [], strict: strict)
    }

    @Test(arguments: [
        // criteria passed, verdict, strict, fail-on, expected
        (true, nil, false, FailOn.both, Int32(0)),
        (false, nil, false, .both, 1),
        (true, .regression, false, .both, 2),
        (false, .regression, false, .both, 3),
        (false, .regression, false, .criteria, 1),
        (false, .regression, false, .regression, 2),
        (false, .regression, false, .none, 0),
        (true, .inconclusive, false, .both, 0),
        (true, .inconclusive, true, .both, 2),
        (false, .inconclusive, true, .both, 3),
        (true, .improvement, true, .both, 0),
        (true, .unchanged, true, .both, 0),
    ] as [(Bool, RegressionVerdictKind?, Bool, FailOn, Int32)])
    func verdicts(criteriaPassed: Bool, verdict: RegressionVerdictKind?, strict: Bool, failOn: FailOn, expected: Int32) {
        let code = RunOutcome.exitCode(runs: [Self.run(criteriaPassed: criteriaPassed)], comparison: verdict.map { Self.comparison($0, strict: strict) },
                                       failOn: failOn, signal: nil, failures: [])
        #expect(code == expected)
    }

    @Test func criteriaMustHoldInEveryRun() {
        let runs = [Self.run(criteriaPassed: false), Self.run(criteriaPassed: true)]
        #expect(RunOutcome.exitCode(runs: runs, comparison: nil, failOn: .both, signal: nil, failures: []) == 1)
    }

    @Test func aReportedMetricNeverFailsTheBuild() {
        #expect(RunOutcome.exitCode(runs: [Self.run(criteriaPassed: true)], comparison: Self.comparison(.regression, gating: false),
                                    failOn: .both, signal: nil, failures: []) == 0)
    }

    @Test func signalsThenFailuresThenTheVerdict() {
        let runs = [Self.run(criteriaPassed: false)]
        let store = StressError(.cannotWrite, "cannot write the store")
        #expect(RunOutcome.exitCode(runs: runs, comparison: nil, failOn: .both, signal: 2, failures: [store]) == 130)
        #expect(RunOutcome.exitCode(runs: runs, comparison: nil, failOn: .both, signal: 15, failures: []) == 143)
        #expect(RunOutcome.exitCode(runs: runs, comparison: nil, failOn: .both, signal: nil, failures: [store]) == 73)
        #expect(RunOutcome.exitCode(runs: runs, comparison: nil, failOn: .none, signal: nil, failures: [store]) == 73)
    }
}
