import Foundation
@testable import Analysis
import Core

/// Seeded standard normal draws (Box–Muller) for the regression and change-point tests.
struct NormalDraws {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> Double {
        let u1 = (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
        let u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A run with a value, 30 steady windows around it (±1%), and enough samples.
func run(_ value: Double, count: Int = 1_000) -> RunSample {
    RunSample(value: value, withinRunWindows: (0..<30).map { value * (1 + 0.01 * Double($0 % 3 - 1)) }, count: count)
}
