import Testing
@testable import Analysis

@Suite struct VerdictTests {
    private func result(_ source: String, _ status: CriterionResult.Status) -> CriterionResult {
        CriterionResult(source: source, expression: source, status: status, measured: nil, measuredText: "–", limitText: "", evidence: "")
    }

    @Test func passesOnlyWhenEveryCriterionPassed() {
        #expect(Verdict.of([]).passed)
        #expect(Verdict.of([result("a", .pass)]) == Verdict(passed: true, failed: []))
        let verdict = Verdict.of([result("a", .pass), result("b", .fail), result("c", .noData)])
        #expect(!verdict.passed)
        #expect(verdict.failed == ["b", "c"])
    }
}
