import Foundation

/// Number formatting for charts: no locale, no float noise, so golden files are stable.
enum ChartFormat {
    /// `v` with exactly `decimals` decimals (half away from zero); never `-0`.
    static func fixed(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return "0" }
        var scale: Int64 = 1
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let magnitude = (abs(v) * Double(scale)).rounded()
        guard magnitude < 9e15 else { return String(Int64(v.rounded())) }
        let n = Int64(magnitude)
        let sign = v < 0 && n != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(n) }
        let fraction = String(n % scale)
        return sign + String(n / scale) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// An SVG coordinate or length: one decimal at most (`12`, `12.5`).
    static func coord(_ v: Double) -> String {
        let s = fixed(v, decimals: 1)
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    /// A tick label for a value on an axis whose ticks are `step` apart: as many decimals as the
    /// step needs; thousands as `k` once the axis reaches 10 000.
    static func tick(_ v: Double, step: Double, axisMax: Double) -> String {
        if axisMax >= 10_000 {
            if v == 0 { return "0" }
            return tick(v / 1000, step: step / 1000, axisMax: 0) + "k"
        }
        return fixed(v, decimals: decimals(forStep: step))
    }

    /// The decimals that tell ticks `step` apart (0 for 1, 2, 5, 10…; 1 for 0.5; 2 for 0.05).
    static func decimals(forStep step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        return max(0, Int((-log10(step) - 1e-9).rounded(.up)))
    }

    /// A time of day-style offset: `m:ss`, or `h:mm:ss` from one hour.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// A duration for a label: `12 s`, `1.5 s`, `4:05`.
    static func duration(_ seconds: Double) -> String {
        seconds >= 120 ? clock(seconds) : coord(seconds) + " s"
    }
}
