/// The load profile of a `LoadSpec` as arithmetic on the scenario clock: when the i-th arrival of
/// the open model is due, and how many users the closed model runs at a time.
///
/// The level (arrivals per second, or users) starts at `load.start` and follows each stage
/// linearly to its target; a stage of duration zero jumps. The cumulative count of arrivals
/// N(t) is the integral of the level, quadratic within a ramp. Arrival `i` (0-based) is due when
/// N(t) = i + ½, so a constant rate r puts arrival i at (i + ½)/r and a run of T seconds holds
/// round(r·T) arrivals.
public struct ArrivalSchedule: Sendable, Hashable {
    /// One linear piece of the profile.
    struct Segment: Sendable, Hashable {
        /// Scenario-clock nanoseconds.
        var start: Int64
        var end: Int64
        /// Level at the start and the end of the piece.
        var from: Double
        var to: Double
        /// N(start): arrivals due before the piece.
        var before: Double
        /// Arrivals due within the piece.
        var count: Double

        var seconds: Double { Double(end - start) / 1e9 }
    }

    let segments: [Segment]
    /// The level before the first stage.
    let initialLevel: Double
    /// The end of the last stage, in scenario-clock nanoseconds.
    public let duration: Int64
    /// N(duration): the (fractional) number of arrivals the whole profile holds.
    public let totalCount: Double

    /// Builds the profile of `load`'s stages, starting from `load.start`.
    public init(_ load: LoadSpec) {
        self.init(start: load.start, stages: load.stages)
    }

    /// Builds the profile of `stages`, starting from `start`.
    public init(start: Double, stages: [Stage]) {
        var segments: [Segment] = []
        var t: Int64 = 0
        var level = max(0, start)
        var cumulative = 0.0
        for stage in stages {
            let target = max(0, stage.target)
            let length = max(0, stage.duration.nanoseconds)
            if length == 0 {
                level = target
                continue
            }
            let seconds = Double(length) / 1e9
            let count = (level + target) / 2 * seconds
            segments.append(Segment(start: t, end: t + length, from: level, to: target, before: cumulative, count: count))
            cumulative += count
            t += length
            level = target
        }
        self.segments = segments
        self.initialLevel = max(0, start)
        self.duration = t
        self.totalCount = cumulative
    }

    /// How many arrivals the profile holds.
    public var arrivalCount: Int {
        // Arrival i exists when i + ½ < N(end).
        guard totalCount > 0.5 else { return 0 }
        return Int((totalCount - 0.5).rounded(.up))
    }

    /// Scenario-clock nanoseconds at which arrival `i` (0-based) is due; nil past the end.
    public func arrivalTime(_ i: Int) -> Int64? {
        guard i >= 0 else { return nil }
        let n = Double(i) + 0.5
        guard n < totalCount else { return nil }
        guard let index = segmentIndex(containingCount: n) else { return nil }
        let s = segments[index]
        let x = n - s.before
        let a = s.from
        let k = (s.to - s.from) / s.seconds
        // Solve a·τ + k·τ²/2 = x for the smallest τ ≥ 0. The form 2x / (a + √(a² + 2kx)) is the
        // root of the quadratic without cancellation, and it covers k = 0 and a = 0.
        let discriminant = max(0, a * a + 2 * k * x)
        let denominator = a + discriminant.squareRoot()
        guard denominator > 0 else { return s.start }
        let tau = min(s.seconds, 2 * x / denominator)
        return s.start + Int64((tau * 1e9).rounded())
    }

    /// N(t): arrivals due before `t` (fractional; the integral of the level).
    public func cumulativeCount(at t: Int64) -> Double {
        guard t > 0 else { return 0 }
        for s in segments {
            if t >= s.end { continue }
            if t <= s.start { return s.before }
            let tau = Double(t - s.start) / 1e9
            let k = (s.to - s.from) / s.seconds
            return s.before + s.from * tau + k * tau * tau / 2
        }
        return totalCount
    }

    /// How many arrivals are due strictly before `t`.
    public func arrivals(before t: Int64) -> Int {
        let n = cumulativeCount(at: t)
        guard n > 0.5 else { return 0 }
        var count = Int((n - 0.5).rounded(.up))
        // Rounding of the inverse can put an arrival a nanosecond either side; the times decide.
        while count > 0, let time = arrivalTime(count - 1), time >= t { count -= 1 }
        while let time = arrivalTime(count), time < t { count += 1 }
        return count
    }

    /// The level at `t`: arrivals per second (open model) or users (closed model).
    /// Before zero it is the start level; from the end on, the last stage's target.
    public func level(at t: Int64) -> Double {
        guard let first = segments.first else { return initialLevel }
        if t < first.start { return first.from }
        for s in segments where t < s.end {
            let fraction = Double(t - s.start) / Double(s.end - s.start)
            return s.from + (s.to - s.from) * fraction
        }
        return segments[segments.count - 1].to
    }

    /// The mean level over [a, b) (scenario-clock nanoseconds, within the profile): planned
    /// arrivals per second, or users, averaged over the window. Exact, as N is the level's integral.
    public func meanLevel(from a: Int64, to b: Int64) -> Double {
        guard b > a else { return level(at: a) }
        return (cumulativeCount(at: b) - cumulativeCount(at: a)) / (Double(b - a) / 1e9)
    }

    /// Closed model: how many virtual users run at `t` (the level, rounded to the nearest user).
    public func users(at t: Int64) -> Int {
        Int(level(at: t).rounded())
    }

    private func segmentIndex(containingCount n: Double) -> Int? {
        var low = 0
        var high = segments.count - 1
        guard high >= 0 else { return nil }
        while low < high {
            let mid = (low + high + 1) / 2
            if segments[mid].before <= n { low = mid } else { high = mid - 1 }
        }
        // The last piece starting at or below n: empty pieces (zero-rate stages) share their
        // cumulative count with the piece after them, so they are never picked.
        return low
    }
}
