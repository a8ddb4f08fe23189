import Foundation
import Testing
@testable import Analysis

/// The statistics behind `--baseline` and `trend` on inputs a corrupt file or a library caller can
/// give them: no runs, identical values, infinities, counts near Int.max. The answers are finite
/// or an `inconclusive` verdict; none of them may trap (which would end this test process).
@Suite struct DegenerateInputTests {
    @Test func studentTAnswersNaNOutsideItsDomain() {
        #expect(StudentT.cdf(1, df: 0).isNaN)
        #expect(StudentT.cdf(1, df: -3).isNaN)
        #expect(StudentT.cdf(1, df: .nan).isNaN)
        #expect(StudentT.quantile(0, df: 5).isNaN)
        #expect(StudentT.quantile(1, df: 5).isNaN)
        #expect(StudentT.quantile(.nan, df: 5).isNaN)
        #expect(StudentT.quantile(0.995, df: .nan).isNaN)
        // A vanishing df still ends, far out in the tail.
        let tiny = StudentT.quantile(0.995, df: 1e-300)
        #expect(tiny > 1e6 || tiny.isInfinite)
        #expect(abs(StudentT.quantile(0.995, df: .infinity) - 2.5758) < 1e-3)
    }

    @Test func logScaleComparisonOnDegenerateRunsIsInconclusive() {
        let one = RunSample(value: 10, withinRunWindows: [10, 10, 10], count: 1000)
        let cases: [(String, [RunSample], [RunSample], Double)] = [
            ("no runs", [], [], 0.1),
            ("no candidate", [one, one, one], [], 0.1),
            ("infinite value", [one, one, one], [RunSample(value: .infinity, count: 1000)], 0.1),
            ("NaN value", [one, one, one], [RunSample(value: .nan, count: 1000)], 0.1),
            ("NaN tolerance", [one, one, one], [one], .nan),
            ("negative tolerance", [one, one, one], [one], -1),
        ]
        for (label, baseline, candidate, tolerance) in cases {
            let verdict = RegressionAnalysis.compare(metric: "p95 latency", baseline: baseline, candidate: candidate,
                                                     direction: .lowerIsBetter, tolerance: tolerance)
            #expect(verdict.verdict == .inconclusive, "\(label)")
            #expect(!verdict.reasons.isEmpty, "\(label)")
            _ = verdict.line
        }
        // A finite tolerance, however wide, is a verdict: every interval lies inside it.
        let wide = RegressionAnalysis.compare(metric: "p95 latency", baseline: [one, one, one], candidate: [one],
                                              direction: .lowerIsBetter, tolerance: 1e300)
        #expect(wide.verdict == .unchanged)
        _ = wide.line
    }

    @Test func logScaleComparisonAtTheExtremesOfDoubleStaysFinite() {
        let tinyRuns = (0..<4).map { _ in RunSample(value: 1e-300, withinRunWindows: [1e-300, 1e300, 5e-301], count: Int.max, windowNoiseScale: 1e150) }
        let hugeRuns = (0..<3).map { _ in RunSample(value: 1e300, withinRunWindows: [1e300, 1e-300], count: Int.max) }
        let identical = (0..<5).map { _ in RunSample(value: 7, withinRunWindows: [7, 7, 7], count: 500) }
        for (baseline, candidate) in [(tinyRuns, hugeRuns), (hugeRuns, tinyRuns), (identical, identical)] {
            let verdict = RegressionAnalysis.compare(metric: "throughput", baseline: baseline, candidate: candidate,
                                                     direction: .higherIsBetter, tolerance: 0.05)
            #expect(!verdict.lower.isNaN && !verdict.upper.isNaN)
            _ = verdict.line
        }
        let same = RegressionAnalysis.compare(metric: "p95", baseline: identical, candidate: identical, direction: .lowerIsBetter, tolerance: 0.1)
        #expect(same.verdict == .unchanged)
        #expect(same.change == 0)
    }

    @Test func errorRateComparisonOnCountsNearIntMaxDoesNotOverflow() {
        let run = ErrorRunSample(errors: Int.max / 2, requests: Int.max,
                                 windows: [.init(errors: Int.max, requests: Int.max), .init(errors: 0, requests: Int.max)],
                                 errorClasses: ["timeout": Int.max])
        let fresh = ErrorRunSample(errors: 1, requests: Int.max, errorClasses: ["reset": Int.max, "status": 1])
        let verdict = RegressionAnalysis.compareErrorRate(baseline: [run, run, run], candidate: [fresh, fresh])
        #expect(verdict.verdict == .regression) // a new error class, however large the counts
        #expect(verdict.change.isFinite && verdict.lower.isFinite && verdict.upper.isFinite)
        _ = verdict.line

        let inconsistent = ErrorRunSample(errors: 5, requests: -1)
        #expect(RegressionAnalysis.compareErrorRate(baseline: [inconsistent], candidate: [run]).verdict == .inconclusive)
        #expect(RegressionAnalysis.compareErrorRate(baseline: [], candidate: []).verdict == .inconclusive)
        #expect(RegressionAnalysis.compareErrorRate(baseline: [run], candidate: [run], tolerance: .infinity).verdict == .inconclusive)
    }

    @Test func changePointsOfHugeValuesAreFiniteAndStillFound() throws {
        let step = (0..<20).map { $0 < 10 ? -1e308 : 1e308 }
        let points = EDivisive().changePoints(in: step)
        let point = try #require(points.first)
        #expect(points.count == 1 && point.index == 10)
        #expect(abs(point.before / -1e308 - 1) < 1e-12 && abs(point.after / 1e308 - 1) < 1e-12)
        #expect(point.before.isFinite && point.after.isFinite)
        #expect(point.pValue < 0.05)
        // The same step scaled down is found at the same place: the scaling does not move it.
        #expect(EDivisive().changePoints(in: step.map { $0 / 1e300 }).map(\.index) == [10])
    }

    @Test func changePointsOfDegenerateSeriesAreNone() {
        let detector = EDivisive()
        #expect(detector.changePoints(in: []).isEmpty)
        #expect(detector.changePoints(in: [1]).isEmpty)
        #expect(detector.changePoints(in: Array(repeating: 42, count: 30)).isEmpty)
        #expect(detector.changePoints(in: Array(repeating: 0, count: 30)).isEmpty)
        #expect(detector.changePoints(in: [1, 2, .infinity, 4, 5, 6, 7]).isEmpty)
        #expect(detector.changePoints(in: [1, 2, .nan, 4, 5, 6, 7]).isEmpty)
    }

    @Test func detectorSettingsOutOfRangeAreClamped() {
        let wild = EDivisive(permutations: -5, minimumSegment: Int.max)
        #expect(wild.permutations == 0)
        #expect(wild.minimumSegment == 1_000_000)
        #expect(wild.changePoints(in: (0..<50).map { $0 < 25 ? 1.0 : 2.0 }).isEmpty)
        #expect(EDivisive(minimumSegment: -1).minimumSegment == 2)
    }
}
