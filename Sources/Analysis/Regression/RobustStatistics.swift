import Foundation

/// Small, robust summary statistics shared by the regression and change-point code.
enum RobustStatistics {
    /// The factor that makes the median absolute deviation a consistent estimator of a normal σ.
    static let madScale = 1.4826

    /// The median; nil for an empty set.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid]
    }

    /// The raw median absolute deviation from the median (unscaled); nil for an empty set.
    static func mad(_ values: [Double]) -> Double? {
        guard let center = median(values) else { return nil }
        return median(values.map { abs($0 - center) })
    }

    /// MAD × 1.4826: a robust estimate of σ; nil for an empty set.
    static func robustSigma(_ values: [Double]) -> Double? {
        mad(values).map { $0 * madScale }
    }

    /// The arithmetic mean; nil for an empty set.
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1); 0 for fewer than two values.
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1, let m = mean(values) else { return 0 }
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}
