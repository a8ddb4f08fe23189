import Foundation
import Testing
@testable import Analysis

@Suite struct ChangePointTests {
    private func noise(_ count: Int, seed: UInt64, sd: Double) -> [Double] {
        var draws = NormalDraws(seed: seed)
        return (0..<count).map { _ in sd * draws.next() }
    }

    @Test func cleanStepIsFoundWhereItHappens() throws {
        let series = zip(0..<40, noise(40, seed: 1, sd: 1)).map { ($0 < 20 ? 100.0 : 130.0) + $1 }
        let points = EDivisive().changePoints(in: series)
        let point = try #require(points.first)
        #expect(points.count == 1)
        #expect(abs(point.index - 20) <= 1)
        #expect(abs(point.before - 100) < 2 && abs(point.after - 130) < 2)
        #expect(abs(point.change - 0.3) < 0.03)
        #expect(point.pValue < 0.05)
    }

    @Test func pureNoiseHasNoChangePoints() {
        for seed in UInt64(1)...5 {
            let series = noise(40, seed: seed + 100, sd: 2).map { 100 + $0 }
            #expect(EDivisive().changePoints(in: series).isEmpty, "seed \(seed)")
        }
    }

    @Test func smallStepIsPruned() {
        let series = zip(0..<40, noise(40, seed: 3, sd: 0.3)).map { ($0 < 20 ? 100.0 : 103.0) + $1 }
        // Significant, but below 5%.
        #expect(EDivisive(minimumRelativeChange: 0).changePoints(in: series).map(\.index) == [20])
        #expect(EDivisive().changePoints(in: series).isEmpty)
    }

    @Test func twoStepsAreBothFound() {
        let series = zip(0..<45, noise(45, seed: 4, sd: 1)).map { i, e in (i < 15 ? 100.0 : i < 30 ? 130 : 110) + e }
        let points = EDivisive().changePoints(in: series)
        #expect(points.count == 2)
        #expect(points.map(\.index).elementsEqual([15, 30]) { abs($0 - $1) <= 1 })
        #expect(points.first.map { $0.change > 0 } == true)
        #expect(points.last.map { $0.change < 0 } == true)
        #expect(EDivisive(maximumChangePoints: 1).changePoints(in: series).count == 1)
    }

    @Test func shortSeriesHasNoChangePoints() {
        #expect(EDivisive().changePoints(in: []).isEmpty)
        #expect(EDivisive().changePoints(in: [100, 100, 100, 200, 200]).isEmpty)
    }

    @Test func resultsAreReproducible() {
        let series = zip(0..<30, noise(30, seed: 9, sd: 3)).map { ($0 < 15 ? 100.0 : 108.0) + $1 }
        #expect(EDivisive(seed: 7).changePoints(in: series) == EDivisive(seed: 7).changePoints(in: series))
    }

    @Test func energyStatisticMatchesTheDirectFormula() throws {
        let values = [1.0, 3, 2, 8, 9, 7, 10]
        let best = try #require(EDivisive().bestSplit(values))
        // Direct Q̂ at every split, for comparison.
        func q(_ tau: Int) -> Double {
            let x = values[..<tau], y = values[tau...]
            let m = Double(x.count), k = Double(y.count)
            var across = 0.0, withinX = 0.0, withinY = 0.0
            for a in x { for b in y { across += abs(a - b) } }
            for (i, a) in x.enumerated() { for b in x.dropFirst(i + 1) { withinX += abs(a - b) } }
            for (i, a) in y.enumerated() { for b in y.dropFirst(i + 1) { withinY += abs(a - b) } }
            return m * k / (m + k) * (2 * across / (m * k) - withinX / (m * (m - 1) / 2) - withinY / (k * (k - 1) / 2))
        }
        let expected = (3...4).max { q($0) < q($1) }!
        #expect(best.index == expected && best.index == 3)
        #expect(abs(best.q - q(expected)) < 1e-9)
    }
}
