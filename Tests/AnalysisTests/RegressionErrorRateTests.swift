import Foundation
import Testing
@testable import Analysis

@Suite struct RegressionErrorRateTests {
    /// A run of `requests` split over six 10 s windows, errors spread as evenly as possible.
    private func errorRun(_ errors: Int, of requests: Int, classes: [String: Int] = [:]) -> ErrorRunSample {
        let windows = (0..<6).map { i in
            ErrorRunSample.Window(errors: errors / 6 + (i < errors % 6 ? 1 : 0), requests: requests / 6)
        }
        return ErrorRunSample(errors: errors, requests: requests, windows: windows, errorClasses: classes)
    }

    @Test func zeroErrorsOnBothSidesIsUnchanged() {
        let verdict = RegressionAnalysis.compareErrorRate(baseline: (0..<10).map { _ in errorRun(0, of: 6_000) },
                                                          candidate: [errorRun(0, of: 6_000)])
        #expect(verdict.verdict == .unchanged)
        #expect(verdict.change == 0)
        #expect(verdict.lower < 0 && verdict.upper > 0) // zero errors still has an honest width
        #expect(verdict.unit == .percentagePoints)
    }

    @Test func aClearRiseIsARegressionAndAFallAnImprovement() {
        let baseline = (0..<10).map { _ in errorRun(60, of: 6_000) } // 1%
        let worse = RegressionAnalysis.compareErrorRate(baseline: baseline, candidate: [errorRun(300, of: 6_000)])
        #expect(worse.verdict == .regression)
        #expect(abs(worse.change - 0.04) < 1e-12)
        #expect(worse.lower > 0.005)
        let better = RegressionAnalysis.compareErrorRate(baseline: (0..<10).map { _ in errorRun(600, of: 6_000) },
                                                         candidate: [errorRun(60, of: 6_000)])
        #expect(better.verdict == .improvement)
    }

    @Test func aNewErrorClassIsARegression() {
        let baseline = (0..<3).map { _ in errorRun(6, of: 6_000, classes: ["http_503": 6, "timeout": 0]) }
        let verdict = RegressionAnalysis.compareErrorRate(baseline: baseline,
                                                          candidate: [errorRun(6, of: 6_000, classes: ["http_503": 3, "timeout": 3])])
        #expect(verdict.verdict == .regression)
        #expect(verdict.reasons.first == "new error class \"timeout\": 3 in the candidate, none in 3 baseline runs")
        // The same classes as before are not new.
        let same = RegressionAnalysis.compareErrorRate(baseline: baseline,
                                                       candidate: [errorRun(6, of: 6_000, classes: ["http_503": 6])])
        #expect(same.verdict == .unchanged)
    }

    @Test func qualityGatesMakeItInconclusive() {
        let baseline = (0..<10).map { _ in errorRun(0, of: 6_000) }
        let few = RegressionAnalysis.compareErrorRate(baseline: baseline, candidate: [errorRun(0, of: 60)])
        #expect(few.verdict == .inconclusive)
        #expect(few.reasons.first == "quality gate: too few samples: candidate run 1 has 60 < 100")
        let lag = RegressionAnalysis.compareErrorRate(baseline: baseline, candidate: [errorRun(0, of: 6_000)],
                                                      gateFailures: ["send-lag p99 250 ms exceeds 100 ms"])
        #expect(lag.verdict == .inconclusive)
        #expect(lag.reasons.contains("quality gate: send-lag p99 250 ms exceeds 100 ms"))
    }

    @Test func dispersionIsPearsonChiSquareOverWindowsFlooredAtOne() {
        // Even windows: binomial, φ = 1, a known variance.
        let even = RegressionAnalysis.dispersion(Array(repeating: .init(errors: 10, requests: 1_000), count: 6))
        #expect(even.phi == 1 && even.df == .infinity)
        // Bursty windows: p = 0.01, χ² = Σ (e − 10)² / (1000 · 0.01 · 0.99) = 2 · 100 / 9.9 over 2 df.
        let bursty = RegressionAnalysis.dispersion([.init(errors: 0, requests: 1_000), .init(errors: 20, requests: 1_000),
                                                    .init(errors: 10, requests: 1_000)])
        #expect(abs(bursty.phi - 200 / 9.9 / 2) < 1e-9)
        #expect(bursty.df == 2)
        #expect(RegressionAnalysis.dispersion([]).phi == 1)
    }

    @Test func overDispersionWidensTheInterval() {
        let baseline = (0..<10).map { _ in errorRun(60, of: 6_000) }
        let steady = RegressionAnalysis.compareErrorRate(baseline: baseline, candidate: [errorRun(90, of: 6_000)])
        let bursts = [0, 90, 0, 0, 0, 0].map { ErrorRunSample.Window(errors: $0, requests: 1_000) }
        let bursty = RegressionAnalysis.compareErrorRate(
            baseline: baseline, candidate: [ErrorRunSample(errors: 90, requests: 6_000, windows: bursts)])
        #expect(bursty.upper - bursty.lower > 2 * (steady.upper - steady.lower))
        #expect(abs(bursty.change - steady.change) < 1e-12)
    }
}
