import Foundation
import Testing
@testable import Analysis

@Suite struct RegressionAnalysisTests {
    /// Ten baseline runs with about ±0.5% run-to-run noise.
    let tight = [100, 101, 99, 100.5, 99.5, 100, 100.2, 99.8, 100.3, 99.7].map { run($0) }

    private func latency(_ baseline: [RunSample], _ candidate: [RunSample], gates: [String] = []) -> RegressionVerdict {
        RegressionAnalysis.compare(metric: "p95 latency", baseline: baseline, candidate: candidate,
                                   direction: .lowerIsBetter, tolerance: 0.10, gateFailures: gates)
    }

    @Test func clearRegression() {
        let verdict = latency(tight, [run(130)])
        #expect(verdict.verdict == .regression)
        #expect(abs(verdict.change - 0.3) < 0.01)
        #expect(verdict.lower > 0.10 && verdict.lower < verdict.change && verdict.change < verdict.upper)
        #expect(verdict.baselineRuns == 10 && verdict.candidateRuns == 1)
        #expect(verdict.reasons.first?.contains("above the tolerance") == true)
    }

    @Test func clearImprovement() {
        let verdict = latency(tight, [run(70)])
        #expect(verdict.verdict == .improvement)
        #expect(verdict.upper < -0.10)
    }

    @Test func directionDecidesWhichWayIsBad() {
        let faster = RegressionAnalysis.compare(metric: "throughput", baseline: tight, candidate: [run(130)],
                                                direction: .higherIsBetter, tolerance: 0.10)
        #expect(faster.verdict == .improvement)
        let slower = RegressionAnalysis.compare(metric: "throughput", baseline: tight, candidate: [run(70)],
                                                direction: .higherIsBetter, tolerance: 0.10)
        #expect(slower.verdict == .regression)
        #expect(slower.reasons.first?.contains("below the tolerance -10.0%") == true)
    }

    @Test func identicalIsUnchanged() {
        let verdict = latency(tight, [run(100)])
        #expect(verdict.verdict == .unchanged)
        #expect(verdict.lower > -0.2 && verdict.upper < 0.2)
    }

    @Test func wideNoiseIsInconclusive() {
        let noisy = [80, 120, 90, 110, 100, 70, 130, 85, 115, 100].map { run($0) }
        let verdict = latency(noisy, [run(115)])
        #expect(verdict.verdict == .inconclusive)
        #expect(verdict.lower < 0.10 && verdict.upper > 0.20)
        #expect(verdict.reasons.first?.contains("too wide") == true)
    }

    @Test func zeroVarianceUsesTheMinimumNoise() {
        let flat = Array(repeating: RunSample(value: 100, withinRunWindows: Array(repeating: 100, count: 6), count: 500), count: 10)
        let verdict = latency(flat, [RunSample(value: 100, withinRunWindows: Array(repeating: 100, count: 6), count: 500)])
        #expect(verdict.verdict == .unchanged)
        #expect(abs(verdict.change) < 1e-12)
        // σ = ln 1.02 on both sides, known (df ∞): half-width 2.576 · ln 1.02 · √(1/10 + 1).
        let halfWidth = StudentT.quantile(0.995, df: .infinity) * log(1.02) * (1.1).squareRoot()
        #expect(abs(verdict.upper - expm1(halfWidth)) < 1e-9)
        #expect(abs(verdict.lower - expm1(-halfWidth)) < 1e-9)
        #expect(verdict.reasons.contains { $0.contains("minimum") })
    }

    @Test func oneBaselineRunUsesTheWithinRunFloor() {
        // Windows swinging ±30%: the floor (about 15%) exceeds 2%, and a +30% candidate cannot be told apart.
        let swinging = [70.0, 130, 80, 120, 75, 125]
        let noisy = latency([RunSample(value: 100, withinRunWindows: swinging, count: 600)],
                            [RunSample(value: 130, withinRunWindows: swinging.map { $0 * 1.3 }, count: 600)])
        #expect(noisy.verdict == .inconclusive)
        #expect(noisy.reasons.contains { $0.contains("within-run floor") })
        #expect(noisy.line.contains("1 vs 1 run,"))
        // Steady windows: the floor falls under the 2% minimum, and +30% is a regression.
        let steady = latency([run(100)], [run(130)])
        #expect(steady.verdict == .regression)
        #expect(steady.reasons.contains { $0.contains("minimum") })
    }

    @Test func withinRunFloorIsTheStandardErrorOfTheRunMean() throws {
        let windows = [90.0, 110, 95, 105]
        let logs = windows.map(log)
        let expected = try #require(RobustStatistics.robustSigma(logs)) / 2
        let floor = try #require(RegressionAnalysis.withinRunFloor([RunSample(value: 100, withinRunWindows: windows, count: 1)]))
        #expect(abs(floor - expected) < 1e-12)
        #expect(RegressionAnalysis.withinRunFloor([RunSample(value: 100, withinRunWindows: [100], count: 1)]) == nil)
    }

    @Test func tooFewSamplesIsInconclusiveWithTheReason() {
        let verdict = latency(tight, [run(130, count: 42)])
        #expect(verdict.verdict == .inconclusive)
        #expect(verdict.reasons.first == "quality gate: too few samples: candidate run 1 has 42 < 100")
        #expect(verdict.change > 0.29) // the estimate is still reported
    }

    @Test func callerGateFailureIsInconclusiveWithTheReason() {
        let reason = "achieved rate 91.0/s is below 99% of the target 100/s"
        let verdict = latency(tight, [run(130)], gates: [reason])
        #expect(verdict.verdict == .inconclusive)
        #expect(verdict.reasons.contains("quality gate: " + reason))
    }

    @Test func missingOrInvalidInputIsInconclusive() {
        #expect(latency([], [run(100)]).reasons == ["no baseline runs"])
        #expect(latency(tight, [RunSample(value: 0, count: 500)]).verdict == .inconclusive)
    }

    @Test func repeatedCandidateRunsUseTheirOwnSpread() {
        let verdict = latency(tight, [run(129), run(130), run(131)])
        #expect(verdict.verdict == .regression)
        #expect(verdict.candidateRuns == 3)
        #expect(verdict.reasons.contains { $0.contains("MAD of 3 runs") || $0.contains("minimum") })
    }

    @Test func lineHasTheSpecFormat() {
        let verdict = RegressionVerdict(metric: "p95 latency", verdict: .regression, change: 0.123, lower: 0.071,
                                        upper: 0.179, tolerance: 0.10, baselineRuns: 10, candidateRuns: 1, reasons: [])
        #expect(verdict.line == "p95 latency +12.3% [+7.1%, +17.9%] (99% CI, 1 vs 10 runs, tolerance 10%) → regression")
        let down = RegressionVerdict(metric: "throughput", verdict: .inconclusive, change: -0.0004, lower: -0.052,
                                     upper: 0.048, tolerance: 0.025, baselineRuns: 2, candidateRuns: 3, reasons: [])
        #expect(down.line == "throughput +0.0% [-5.2%, +4.8%] (99% CI, 3 vs 2 runs, tolerance 2.5%) → inconclusive")
        let errors = RegressionVerdict(metric: "error rate", verdict: .unchanged, change: 0.0012, lower: -0.0005,
                                       upper: 0.003, tolerance: 0.005, baselineRuns: 10, candidateRuns: 1, reasons: [],
                                       unit: .percentagePoints)
        #expect(errors.line == "error rate +0.1 pp [-0.1 pp, +0.3 pp] (99% CI, 1 vs 10 runs, tolerance 0.5 pp) → unchanged")
    }

    @Test func verdictRoundTripsThroughJSON() throws {
        let verdict = latency(tight, [run(130)])
        let decoded = try JSONDecoder().decode(RegressionVerdict.self, from: JSONEncoder().encode(verdict))
        #expect(decoded == verdict)
    }

    /// A/A and A/B on simulated runs: N(0, 2%) run-to-run noise, 10 baseline runs, tolerance 10%.
    ///
    /// With one candidate run its σ is the baseline's, estimated from 10 runs (t(0.995, 9) = 3.25):
    /// the interval's half-width is about 3.25 · 2% · √1.1 ≈ 6.8%, so a +20% change clears the 10%
    /// tolerance only when the run lands above about +16%: ~80% power by design, not ≥ 95%.
    /// Two candidate runs (`--repeat 2`) shrink it to ~5%: ~94% (seed 42: 189/200).
    @Test(arguments: [(1, 0.75), (2, 0.90)])
    func simulatedFalsePositiveAndDetectionRates(candidateRuns: Int, minimumDetection: Double) {
        var draws = NormalDraws(seed: 42)
        func simulatedRun(_ center: Double) -> RunSample {
            let value = center * (1 + 0.02 * draws.next())
            return RunSample(value: value, withinRunWindows: (0..<30).map { _ in value * (1 + 0.05 * draws.next()) },
                             count: 5_000)
        }
        var falseRegressions = 0, detected = 0
        let trials = 200
        for _ in 0..<trials {
            let baseline = (0..<10).map { _ in simulatedRun(100) }
            let same = (0..<candidateRuns).map { _ in simulatedRun(100) }
            let slower = (0..<candidateRuns).map { _ in simulatedRun(120) }
            if latency(baseline, same).verdict == .regression { falseRegressions += 1 }
            if latency(baseline, slower).verdict == .regression { detected += 1 }
        }
        print("K=\(candidateRuns): A/A false regressions \(falseRegressions)/\(trials); A/B +20% detected \(detected)/\(trials)")
        #expect(Double(falseRegressions) / Double(trials) <= 0.05)
        #expect(Double(detected) / Double(trials) >= minimumDetection)
    }
}
