import Core
import Foundation
import Testing
@testable import Analysis

/// The open-model quality gates, and the rules of `regression:` as checks: names, methods,
/// gating, and per-request verdicts.
@Suite struct RegressionGateTests {
    /// Ten baseline runs with about ±0.5% run-to-run noise.
    let tight = [100, 101, 99, 100.5, 99.5, 100, 100.2, 99.8, 100.3, 99.7].map { run($0) }

    private func rule(_ metric: String, _ tolerance: Double, absolute: Bool = false) throws -> RegressionRule {
        RegressionRule(metric: try CriterionParser.parseSelector(metric), tolerance: tolerance, absolute: absolute)
    }

    private func openRun(requests: Int, scheduled: Double = 3_000, lagMilliseconds: Int = 1) -> RunQuality {
        RunQuality(scheduledRequests: scheduled, requests: requests, measuredSeconds: 30, sendLagP99: .milliseconds(lagMilliseconds))
    }

    // MARK: - Quality gates

    @Test func aRunThatKeepsItsScheduleFailsNoGate() {
        #expect(QualityGates().failures(of: openRun(requests: 3_000), label: "candidate run") == [])
        // Exactly 99% of the schedule still passes; the gate is "below 99%".
        #expect(QualityGates().failures(of: openRun(requests: 2_970), label: "candidate run") == [])
    }

    @Test func anAchievedRateBelow99PercentFailsWithTheNumbers() {
        let failures = QualityGates().failures(of: openRun(requests: 2_940), label: "candidate run 2 of 3")
        #expect(failures == ["candidate run 2 of 3 achieved 98/s, 98% of the scheduled 100/s (at least 99% needed)"])
    }

    @Test func aSendLagAboveTenMillisecondsFails() {
        let failures = QualityGates().failures(of: openRun(requests: 3_000, lagMilliseconds: 12), label: "candidate run")
        #expect(failures == ["candidate run send lag p99 12ms > 10ms: the load generator fell behind its schedule"])
        #expect(QualityGates().failures(of: openRun(requests: 3_000, lagMilliseconds: 10), label: "candidate run") == [])
        // Both at once: two reasons.
        #expect(QualityGates().failures(of: openRun(requests: 1_500, lagMilliseconds: 50), label: "r").count == 2)
    }

    @Test func theClosedModelHasNoScheduleToKeep() {
        let closed = RunQuality(scheduledRequests: nil, requests: 10, measuredSeconds: 30, sendLagP99: nil)
        #expect(QualityGates().failures(of: closed, label: "candidate run") == [])
    }

    @Test func thresholdsCanBeGivenByALibraryCaller() {
        let loose = QualityGates(minimumAchievedShare: 0.9, maximumSendLagP99: .milliseconds(100))
        #expect(loose.failures(of: openRun(requests: 2_800, lagMilliseconds: 50), label: "run") == [])
        #expect(loose.failures(of: openRun(requests: 2_600, lagMilliseconds: 50), label: "run").count == 1)
    }

    @Test func aFailedGateMakesAClearRegressionInconclusiveWithTheReason() throws {
        let check = try #require(RegressionCheck(try rule("p95(latency)", 0.10)))
        let gate = QualityGates().failures(of: openRun(requests: 2_700), label: "candidate run")
        let verdict = check.verdict(baseline: tight, candidate: [run(130)], gateFailures: gate)
        #expect(verdict.verdict == .inconclusive)
        #expect(verdict.reasons.first == "quality gate: candidate run achieved 90/s, 90% of the scheduled 100/s (at least 99% needed)")
        #expect(verdict.change > 0.29) // the estimate is still shown
        // Without the gate the same data is a regression.
        #expect(check.verdict(baseline: tight, candidate: [run(130)]).verdict == .regression)
    }

    // MARK: - Rules as checks

    @Test func theSpecDefaultsBecomeTheGatedAndReportedChecks() throws {
        let checks = RegressionRule.defaults.compactMap(RegressionCheck.init)
        #expect(checks.map(\.name) == ["p95 latency", "p99 latency", "throughput", "error rate"])
        #expect(checks.map(\.gating) == [true, false, true, true])
        #expect(checks.map(\.method) == [.logScale(.lowerIsBetter), .logScale(.lowerIsBetter), .logScale(.higherIsBetter), .errorRate])
    }

    @Test func perRequestAndOtherMetricRulesAreNamedAndReported() throws {
        let cases: [(String, Bool, String, RegressionCheck.Method)] = [
            ("p99(latency{request=checkout})", false, "p99 latency{request=checkout}", .logScale(.lowerIsBetter)),
            ("p50(latency)", false, "p50 latency", .logScale(.lowerIsBetter)),
            ("avg(service_time)", false, "avg service time", .logScale(.lowerIsBetter)),
            ("p95(service_time{request=product})", false, "p95 service time{request=product}", .logScale(.lowerIsBetter)),
            ("throughput{request=product}", false, "throughput{request=product}", .logScale(.higherIsBetter)),
            ("error_rate{request=checkout}", true, "error rate{request=checkout}", .errorRate),
        ]
        for (metric, absolute, name, method) in cases {
            let check = try #require(RegressionCheck(try rule(metric, 0.15, absolute: absolute)), "\(metric)")
            #expect(check.name == name)
            #expect(check.method == method)
            #expect(!check.gating, "\(metric) is reported, not gated")
        }
        let checkout = try rule("p99(latency{request=checkout})", 0.15)
        #expect(RegressionCheck(checkout)?.request == "checkout")
    }

    @Test func rulesTheComparisonCannotJudgeAreRefusedWithTheirReason() throws {
        let refused: [(String, Bool, String, String)] = [
            ("max(latency)", false, "metric", "too noisy"),
            ("dropped", false, "metric", "cannot be compared"),
            ("errors", false, "metric", "cannot be compared"),
            ("error_rate{status=5xx}", true, "metric", "`{status=…}` is not compared"),
            ("error_rate", false, "tolerance", "percentage points"),
            ("p95(latency)", true, "tolerance", "relative"),
        ]
        for (metric, absolute, part, message) in refused {
            let r = try rule(metric, 0.1, absolute: absolute)
            #expect(RegressionCheck(r) == nil, "\(metric)")
            let problem = try #require(r.comparisonProblem, "\(metric)")
            #expect(problem.part == part)
            #expect(problem.message.contains(message), "\(problem.message)")
        }
        #expect(RegressionRule.defaults.allSatisfy { $0.comparisonProblem == nil })
    }

    // MARK: - Per-request verdicts

    @Test func aPerRequestVerdictLineNamesTheRequest() throws {
        let check = try #require(RegressionCheck(try rule("p99(latency{request=checkout})", 0.15)))
        let verdict = check.verdict(baseline: tight, candidate: [run(130)])
        #expect(verdict.verdict == .regression)
        let pattern = #/^p99 latency\{request=checkout\} \+30\.0% \[\+\d+\.\d%, \+\d+\.\d%\] \(99% CI, 1 vs 10 runs, tolerance 15%\) → regression$/#
        #expect(verdict.line.wholeMatch(of: pattern) != nil, "\(verdict.line)")
    }

    @Test func aRequestsShareOfTheTrafficWidensItsWithinRunFloor() throws {
        // One baseline run: the within-run floor decides. Windows swinging ±6% give a floor above the
        // 2% minimum; a request with a ninth of the traffic is three times noisier than the run.
        let windows = [94.0, 106, 97, 103, 95, 105]
        let whole = RunSample(value: 100, withinRunWindows: windows, count: 9_000)
        let request = RunSample(value: 100, withinRunWindows: windows, count: 1_000, windowNoiseScale: 3)
        let floor = try #require(RegressionAnalysis.withinRunFloor([whole]))
        #expect(floor > log1p(0.02))
        let scaled = try #require(RegressionAnalysis.withinRunFloor([request]))
        #expect(abs(scaled - 3 * floor) < 1e-12)

        let check = try #require(RegressionCheck(try rule("p95(latency{request=checkout})", 0.10)))
        let candidate = RunSample(value: 112, withinRunWindows: windows.map { $0 * 1.12 }, count: 9_000)
        let overall = check.verdict(baseline: [whole], candidate: [candidate])
        var candidateRequest = candidate
        candidateRequest.count = 1_000
        candidateRequest.windowNoiseScale = 3
        let perRequest = check.verdict(baseline: [request], candidate: [candidateRequest])
        #expect(abs(overall.change - perRequest.change) < 1e-12)
        // Same estimate, wider interval: log half-width three times as large (both σ known, df ∞).
        let halfWidth = { (v: RegressionVerdict) in (log1p(v.upper) - log1p(v.lower)) / 2 }
        #expect(abs(halfWidth(perRequest) - 3 * halfWidth(overall)) < 1e-9)
        #expect(perRequest.verdict == .inconclusive)
    }

    @Test func aNewErrorClassInOneRequestIsARegressionThatDoesNotGate() throws {
        let check = try #require(RegressionCheck(try rule("error_rate{request=checkout}", 0.005, absolute: true)))
        #expect(!check.gating)
        let baseline = (0..<3).map { _ in ErrorRunSample(errors: 0, requests: 2_000) }
        let verdict = check.verdict(baseline: baseline, candidate: [ErrorRunSample(errors: 4, requests: 2_000, errorClasses: ["timeout": 4])])
        #expect(verdict.verdict == .regression)
        #expect(verdict.metric == "error rate{request=checkout}")
        #expect(verdict.reasons.first == "new error class \"timeout\": 4 in the candidate, none in 3 baseline runs")
        #expect(verdict.line.hasSuffix("(99% CI, 1 vs 3 runs, tolerance 0.5 pp) → regression"))
    }

    @Test func repeatedCandidateRunsAreCountedInTheLine() throws {
        let check = try #require(RegressionCheck(try rule("throughput", 0.05)))
        let verdict = check.verdict(baseline: tight, candidate: [run(100), run(100.4), run(99.6)])
        #expect(verdict.verdict == .unchanged)
        #expect(verdict.candidateRuns == 3)
        #expect(verdict.line.contains("(99% CI, 3 vs 10 runs, tolerance 5%) → unchanged"))
    }
}
