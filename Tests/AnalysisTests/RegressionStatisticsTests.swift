import Foundation
import Testing
@testable import Analysis

@Suite struct RegressionStatisticsTests {
    @Test(arguments: [(1.0, 63.657), (2, 9.925), (5, 4.032), (10, 3.169), (30, 2.750), (.infinity, 2.576)])
    func studentTQuantileMatchesTheTable(df: Double, expected: Double) {
        #expect(abs(StudentT.quantile(0.995, df: df) - expected) < 0.0015)
    }

    @Test func studentTQuantileIsSymmetricAndInvertsTheCDF() {
        #expect(StudentT.quantile(0.5, df: 4) == 0)
        #expect(abs(StudentT.quantile(0.005, df: 7) + StudentT.quantile(0.995, df: 7)) < 1e-9)
        #expect(abs(StudentT.quantile(0.975, df: 1e6) - 1.95996) < 1e-3)
        for df in [1.0, 2.5, 9, 100] {
            let t = StudentT.quantile(0.9, df: df)
            #expect(abs(StudentT.cdf(t, df: df) - 0.9) < 1e-9)
        }
        // Fractional df, as Welch produces, lies between its neighbours.
        let t = StudentT.quantile(0.995, df: 2.5)
        #expect(t < 9.925 && t > 5.841)
    }

    @Test func welchDegreesOfFreedomOnATextbookExample() {
        // s₁ = 2, n₁ = 10; s₂ = 3, n₂ = 12: ν = (0.4 + 0.75)² / (0.4²/9 + 0.75²/11) ≈ 19.19.
        #expect(abs(StudentT.welchDegreesOfFreedom(s1: 2, n1: 10, s2: 3, n2: 12) - 19.1905) < 1e-3)
        // Equal variances and sizes give n₁ + n₂ − 2.
        #expect(abs(StudentT.welchDegreesOfFreedom(s1: 1, n1: 8, s2: 1, n2: 8) - 14) < 1e-9)
        // A known variance adds no uncertainty.
        #expect(StudentT.welchDegreesOfFreedom([(1, .infinity), (1, .infinity)]) == .infinity)
        #expect(abs(StudentT.welchDegreesOfFreedom([(1, 9), (0, .infinity)]) - 9) < 1e-9)
    }

    @Test func medianAndMADOfAKnownSet() {
        let values = [1.0, 1, 2, 2, 4, 6, 9]
        #expect(RobustStatistics.median(values) == 2)
        #expect(RobustStatistics.mad(values) == 1)
        #expect(RobustStatistics.robustSigma(values) == 1.4826)
        #expect(RobustStatistics.median([4, 1, 3, 2]) == 2.5)
        #expect(RobustStatistics.median([]) == nil)
    }
}
