import Core

/// E-Divisive change-point detection (Matteson & James 2014, α = 1) over a metric's history,
/// as `trend` uses it (README, *Results store and baselines*: the method).
///
/// For a segment split at τ into X (m values) and Y (k values), the energy statistic is
///
///     Q̂(τ) = m·k/(m+k) · ( 2/(m·k) Σ|xᵢ − yⱼ| − 1/C(m,2) Σ_{i<i'}|xᵢ − xᵢ'| − 1/C(k,2) Σ_{j<j'}|yⱼ − yⱼ'| )
///
/// Hierarchically: among all current segments take the split with the largest Q̂; accept it when a
/// permutation test (shuffle the segment, take the largest Q̂ over its splits; p = (1 + #≥)/(1 + R))
/// gives p < `significance`; repeat until a split fails or `maximumChangePoints` is reached.
/// Then changes whose relative mean change is below `minimumRelativeChange` are pruned, the
/// smallest first, merging the segments around them. Deterministic: the permutations come from
/// a `SplitMix64` seeded with `seed`.
public struct EDivisive: Sendable, Hashable {
    /// Permutations per significance test.
    public var permutations: Int
    /// Accept a split when its p-value is below this.
    public var significance: Double
    /// The fewest values on each side of a split.
    public var minimumSegment: Int
    /// The most change points reported; nil for no limit.
    public var maximumChangePoints: Int?
    /// Changes whose |relative mean change| is below this are pruned (0.05 = 5%).
    public var minimumRelativeChange: Double
    /// The seed of the permutation tests.
    public var seed: UInt64

    /// A detector with the defaults `trend` uses (README, "Comparing runs, and trends").
    /// `permutations` is clamped to 0…100 000 and `minimumSegment` to 2…1 000 000 (the energy
    /// statistic needs two values per side).
    public init(permutations: Int = 199, significance: Double = 0.05, minimumSegment: Int = 3,
                maximumChangePoints: Int? = nil, minimumRelativeChange: Double = 0.05, seed: UInt64 = 0x5EED) {
        self.permutations = min(max(permutations, 0), 100_000)
        self.significance = significance
        self.minimumSegment = min(max(minimumSegment, 2), 1_000_000)
        self.maximumChangePoints = maximumChangePoints
        self.minimumRelativeChange = minimumRelativeChange
        self.seed = seed
    }

    /// The change points of `series`, in index order. Values that are not finite find none.
    public func changePoints(in series: [Double]) -> [ChangePoint] {
        guard series.allSatisfy(\.isFinite) else { return [] }
        // Q̂ scales with the values and the p-values do not: divide by the largest magnitude so the
        // sums of distances stay finite however large the values (|a − b| of ±1e308 is infinite).
        let scale = series.map(abs).max() ?? 0
        let scaled = scale > 0 ? series.map { $0 / scale } : series
        var generator = SplitMix64(seed: seed)
        var accepted: [(index: Int, pValue: Double)] = []
        // Segments as half-open ranges, each with its best split cached.
        var segments: [(range: Range<Int>, best: (index: Int, q: Double)?)] = [
            (0..<scaled.count, bestSplit(scaled))
        ]
        while maximumChangePoints.map({ accepted.count < $0 }) ?? true {
            guard let pick = segments.indices.filter({ segments[$0].best != nil })
                .max(by: { segments[$0].best!.q < segments[$1].best!.q }) else { break }
            let (range, best) = (segments[pick].range, segments[pick].best!)
            let pValue = permutationPValue(Array(scaled[range]), observed: best.q, generator: &generator)
            guard pValue < significance else { break }
            let split = range.lowerBound + best.index
            accepted.append((split, pValue))
            let left = range.lowerBound..<split, right = split..<range.upperBound
            segments.replaceSubrange(pick...pick, with: [
                (left, bestSplit(Array(scaled[left]))), (right, bestSplit(Array(scaled[right]))),
            ])
        }
        return pruned(accepted.sorted { $0.index < $1.index }, series: series)
    }

    /// The split of `values` with the largest Q̂ (index = first value of the right side), if any.
    func bestSplit(_ values: [Double]) -> (index: Int, q: Double)? {
        let n = values.count, minimum = max(minimumSegment, 2)
        guard n / 2 >= minimum else { return nil }
        // Sums of |a − b| over pairs within the left side, within the right side, and across, for τ = minimum.
        var withinLeft = 0.0, withinRight = 0.0, across = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let distance = abs(values[i] - values[j])
                if j < minimum { withinLeft += distance } else if i >= minimum { withinRight += distance } else { across += distance }
            }
        }
        var best: (index: Int, q: Double)?
        var tau = minimum
        while true {
            let m = Double(tau), k = Double(n - tau)
            let energy = 2 * across / (m * k) - withinLeft / (m * (m - 1) / 2) - withinRight / (k * (k - 1) / 2)
            let q = m * k / (m + k) * energy
            if best == nil || q > best!.q { best = (tau, q) }
            guard tau + 1 <= n - minimum else { break }
            // Move values[tau] from the right side to the left.
            var toLeft = 0.0, toRight = 0.0
            for i in 0..<tau { toLeft += abs(values[i] - values[tau]) }
            for j in (tau + 1)..<n { toRight += abs(values[tau] - values[j]) }
            withinLeft += toLeft
            withinRight -= toRight
            across += toRight - toLeft
            tau += 1
        }
        return best
    }

    private func permutationPValue(_ values: [Double], observed: Double, generator: inout SplitMix64) -> Double {
        var shuffled = values
        var atLeast = 0
        // A relative epsilon keeps float noise in the incremental sums from counting ties as smaller.
        let threshold = observed - 1e-9 * max(1, abs(observed))
        for _ in 0..<max(permutations, 0) {
            generator.shuffle(&shuffled)
            if let q = bestSplit(shuffled)?.q, q >= threshold { atLeast += 1 }
        }
        return Double(1 + atLeast) / Double(1 + permutations)
    }

    private func pruned(_ accepted: [(index: Int, pValue: Double)], series: [Double]) -> [ChangePoint] {
        var kept = accepted
        while true {
            let points = describe(kept, series: series)
            guard let weakest = points.indices.min(by: { abs(points[$0].change) < abs(points[$1].change) }),
                  abs(points[weakest].change) < minimumRelativeChange else { return points }
            kept.remove(at: weakest)
        }
    }

    private func describe(_ accepted: [(index: Int, pValue: Double)], series: [Double]) -> [ChangePoint] {
        let bounds = [0] + accepted.map(\.index) + [series.count]
        return accepted.enumerated().map { offset, point in
            let before = mean(series[bounds[offset]..<point.index])
            let after = mean(series[point.index..<bounds[offset + 2]])
            let change = before == 0 ? (after == 0 ? 0 : (after > 0 ? Double.infinity : -Double.infinity))
                                     : (after - before) / abs(before)
            return ChangePoint(index: point.index, before: before, after: after, change: change, pValue: point.pValue)
        }
    }

    /// Summed as value / count, so finite values never add up past the largest Double.
    private func mean(_ values: ArraySlice<Double>) -> Double {
        let n = Double(values.count)
        return values.reduce(0) { $0 + $1 / n }
    }
}
