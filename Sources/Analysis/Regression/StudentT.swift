import Foundation

/// Student's t distribution: CDF and inverse CDF for any positive (also fractional) degrees of freedom,
/// plus the Welch–Satterthwaite degrees of freedom.
///
/// The CDF comes from the regularized incomplete beta function (Lentz's continued fraction);
/// the quantile is found by bisection on the CDF, which is monotone, so it always converges.
public enum StudentT {
    /// P(T ≤ t) for `df` degrees of freedom; `df = .infinity` gives the standard normal.
    /// NaN when `df` is not positive (or NaN) or `t` is NaN.
    public static func cdf(_ t: Double, df: Double) -> Double {
        guard df > 0, !t.isNaN else { return .nan }
        if df.isInfinite { return 0.5 * erfc(-t / 2.0.squareRoot()) }
        let x = df / (df + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: df / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = `p`, for 0 < p < 1; `df = .infinity` gives the normal quantile.
    /// NaN when `p` lies outside (0, 1) or `df` is not positive (or NaN).
    public static func quantile(_ p: Double, df: Double) -> Double {
        guard p > 0, p < 1, df > 0 else { return .nan }
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, df: df) }
        var low = 0.0, high = 1.0
        // cdf(∞) is 1 for any df, so the doubling ends (within about 1024 steps for a tiny df).
        while high.isFinite, cdf(high, df: df) < p { low = high; high *= 2 }
        guard high.isFinite else { return .infinity }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if cdf(mid, df: df) < p { low = mid } else { high = mid }
            if high - low <= 1e-12 * max(1, high) { break }
        }
        return (low + high) / 2
    }

    /// Welch–Satterthwaite degrees of freedom for a sum of variance terms `v_i` (each σ²/n),
    /// each estimated with `df_i` degrees of freedom. A term with infinite df (a known variance,
    /// such as a floor) adds no uncertainty. Returns `.infinity` when no term is estimated.
    public static func welchDegreesOfFreedom(_ terms: [(variance: Double, df: Double)]) -> Double {
        let total = terms.reduce(0) { $0 + $1.variance }
        let denominator = terms.reduce(0) { sum, term in
            term.df.isInfinite || term.variance == 0 ? sum : sum + term.variance * term.variance / term.df
        }
        guard total > 0, denominator > 0 else { return .infinity }
        return total * total / denominator
    }

    /// The classic two-sample Welch df from sample standard deviations and sizes (each n ≥ 2).
    public static func welchDegreesOfFreedom(s1: Double, n1: Int, s2: Double, n2: Int) -> Double {
        welchDegreesOfFreedom([
            (s1 * s1 / Double(n1), Double(n1 - 1)),
            (s2 * s2 / Double(n2), Double(n2 - 1)),
        ])
    }

    /// I_x(a, b), the regularized incomplete beta function.
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logGammas + logPowers
        let front = exp(logFront)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - front * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-15
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
