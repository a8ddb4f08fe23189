import Foundation

/// A request rate. Stored per second; written `200/s`, `12000/m`, `10/h`.
public struct Rate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var perSecond: Double
    public init(perSecond: Double) { self.perSecond = perSecond }
    public static func < (a: Rate, b: Rate) -> Bool { a.perSecond < b.perSecond }
    public var description: String { "\(Units.formatNumber(perSecond))/s" }
}

/// Parsing and formatting of the units the scenario format uses (SPEC §3).
public enum Units {
    /// Parses `500ms`, `30s`, `5m`, `1h`, `250us`/`250µs`, `1.5s`, compounds like `1m30s`, and `0`.
    public static func parseDuration(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "0" { return .zero }
        var total = 0.0
        var rest = Substring(s)
        var sawPart = false
        while !rest.isEmpty {
            var number = ""
            while let c = rest.first, c.isNumber || c == "." { number.append(c); rest.removeFirst() }
            guard let value = Double(number), value.isFinite else { return nil }
            var unit = ""
            while let c = rest.first, c.isLetter || c == "µ" { unit.append(c); rest.removeFirst() }
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return nil
            }
            total += value * scale
            sawPart = true
        }
        guard sawPart else { return nil }
        return .nanoseconds(Int64((total * 1e9).rounded()))
    }

    /// Parses `200/s`, `12000/m`, `10/h` (also `200/sec`, `200 rps`).
    public static func parseRate(_ text: String) -> Rate? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("rps"), let v = Double(s.dropLast(3).trimmingCharacters(in: .whitespaces)), v.isFinite {
            return Rate(perSecond: v)
        }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Double(parts[0].trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        switch parts[1].trimmingCharacters(in: .whitespaces) {
        case "s", "sec", "second": return Rate(perSecond: value)
        case "m", "min", "minute": return Rate(perSecond: value / 60)
        case "h", "hour": return Rate(perSecond: value / 3600)
        default: return nil
        }
    }

    /// Parses `1%`, `0.5%` into a fraction (0.01, 0.005).
    public static func parsePercent(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix("%"), let v = Double(s.dropLast().trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
        return v / 100
    }

    /// Parses `64KiB`, `1MiB`, `512B`, `10KB` into bytes.
    public static func parseSize(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("kB", 1e3), ("B", 1)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else { return nil }
            return Int((v * scale).rounded())
        }
        return Int(s)
    }

    /// A compact human form: `820µs`, `12.3ms`, `1.50s`, `2m05s`.
    public static func formatDuration(_ d: Duration) -> String {
        let seconds = d.seconds
        if seconds == 0 { return "0s" }
        if seconds < 0.001 { return "\(formatNumber(seconds * 1e6))µs" }
        if seconds < 1 { return "\(formatNumber(seconds * 1e3))ms" }
        if seconds < 60 { return "\(formatNumber(seconds))s" }
        let m = Int(seconds) / 60
        let s = Int(seconds) % 60
        return s == 0 ? "\(m)m" : String(format: "%dm%02ds", m, s)
    }

    /// A latency given in milliseconds (as result.json stores them), formatted like `formatDuration`.
    public static func formatMilliseconds(_ ms: Double) -> String {
        formatDuration(.nanoseconds(Int64((ms * 1e6).rounded())))
    }

    /// Up to three significant decimals, no trailing zeros: `12.3`, `1000`, `0.05`.
    public static func formatNumber(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        let digits = abs(v) >= 100 ? 1 : abs(v) >= 1 ? 2 : 3
        var text = String(format: "%.\(digits)f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
    /// The duration in whole nanoseconds.
    public var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
    /// The duration in whole microseconds.
    public var microseconds: Int64 { nanoseconds / 1000 }
}
