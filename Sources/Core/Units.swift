import Foundation

/// A request rate. Stored per second; written `200/s`, `12000/m`, `10/h`.
public struct Rate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var perSecond: Double
    public init(perSecond: Double) { self.perSecond = perSecond }
    public static func < (a: Rate, b: Rate) -> Bool { a.perSecond < b.perSecond }
    public var description: String { "\(Units.formatNumber(perSecond))/s" }
}

/// Parsing and formatting of the units the scenario format uses (see the README's "Scenario file").
///
/// The parsers never trap: they return nil for text that is not of their kind, and values
/// beyond any bound as they are, for the caller to refuse with its bound.
public enum Units {
    /// Parses `500ms`, `30s`, `5m`, `1h`, `250us`/`250µs`, `1.5s`, compounds like `1m30s`, and `0`;
    /// nil when the text is not a duration, or one too long for `Int64` nanoseconds (292 years).
    public static func parseDuration(_ text: String) -> Duration? {
        parseDurationSeconds(text).flatMap(duration(seconds:))
    }

    /// The seconds a duration text stands for, however large (up to +infinity when its number
    /// overflows a `Double`); nil when the text is not a duration. Never traps: callers compare
    /// the value with their bound before making a `Duration` of it.
    public static func parseDurationSeconds(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "0" { return 0 }
        var total = 0.0
        var rest = Substring(s)
        var sawPart = false
        while !rest.isEmpty {
            var number = ""
            while let c = rest.first, c.isASCII, c.isNumber || c == "." { number.append(c); rest.removeFirst() }
            guard let value = Double(number), !value.isNaN else { return nil }
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
        return sawPart ? total : nil
    }

    /// The longest duration `Duration.nanoseconds` can hold, in seconds (about 292 years).
    public static let maxRepresentableSeconds = Double(Int64.max / 1_000_000_000)

    /// `seconds` as a `Duration` rounded to the nanosecond; nil when it is not finite, negative
    /// beyond representation, or longer than `maxRepresentableSeconds`.
    public static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, abs(seconds) <= maxRepresentableSeconds else { return nil }
        let whole = seconds.rounded(.towardZero)
        let nanos = ((seconds - whole) * 1e9).rounded()
        return .seconds(Int64(whole)) + .nanoseconds(Int64(nanos))
    }

    /// Parses `200/s`, `12000/m`, `10/h` (also `200/sec`, `200 rps`). The rate may be huge (up to
    /// +infinity when its number overflows a `Double`); callers check it against their bound.
    public static func parseRate(_ text: String) -> Rate? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("rps"), let v = number(s.dropLast(3)) {
            return Rate(perSecond: v)
        }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = number(parts[0]) else { return nil }
        switch parts[1].trimmingCharacters(in: .whitespaces) {
        case "s", "sec", "second": return Rate(perSecond: value)
        case "m", "min", "minute": return Rate(perSecond: value / 60)
        case "h", "hour": return Rate(perSecond: value / 3600)
        default: return nil
        }
    }

    /// Parses `1%`, `0.5%` into a fraction (0.01, 0.005); possibly huge, never NaN.
    public static func parsePercent(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard s.hasSuffix("%"), let v = number(s.dropLast()) else { return nil }
        return v / 100
    }

    /// Parses `64KiB`, `1MiB`, `512B`, `10KB` into bytes; nil when it is not a size or does not fit an `Int`.
    public static func parseSize(_ text: String) -> Int? {
        guard let bytes = parseSizeBytes(text), bytes < 9.2e18 else { return nil }
        return Int(bytes.rounded())
    }

    /// The bytes a size text stands for, however large (up to +infinity); nil when it is not a size.
    public static func parseSizeBytes(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("kB", 1e3), ("B", 1)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            guard let v = number(s.dropLast(suffix.count)), v >= 0 else { return nil }
            return v * scale
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Double(s) else { return nil }
        return v
    }

    /// A decimal number as the units write it (`12`, `-0.5`, `1e3`; no `inf`, `nan` or hex),
    /// possibly infinite when it overflows a `Double`.
    private static func number(_ text: Substring) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ "0123456789.eE+-".contains($0) }), let v = Double(trimmed), !v.isNaN else { return nil }
        return v
    }

    /// A compact human form: `820µs`, `12.3ms`, `1.50s`, `2m05s`.
    public static func formatDuration(_ d: Duration) -> String {
        let seconds = d.seconds
        if seconds == 0 { return "0s" }
        if seconds < 0.001 { return "\(formatNumber(seconds * 1e6))µs" }
        if seconds < 1 { return "\(formatNumber(seconds * 1e3))ms" }
        if seconds < 60 { return "\(formatNumber(seconds))s" }
        let whole = Int(min(seconds, 1e15))
        let m = whole / 60
        let s = whole % 60
        return s == 0 ? "\(m)m" : String(format: "%dm%02ds", m, s)
    }

    /// A latency given in milliseconds (as result.json stores them), formatted like `formatDuration`.
    public static func formatMilliseconds(_ ms: Double) -> String {
        formatDuration(duration(seconds: min(max(ms / 1e3, -maxRepresentableSeconds), maxRepresentableSeconds)) ?? .zero)
    }

    /// `12,345`: a count with thousands separators.
    public static func formatCount<N: BinaryInteger>(_ n: N) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
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
    /// The duration in whole nanoseconds, saturating at `Int64.min` / `Int64.max` (292 years).
    public var nanoseconds: Int64 {
        let (s, atto) = components
        let (product, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        let (sum, sumOverflow) = product.addingReportingOverflow(atto / 1_000_000_000)
        return sumOverflow ? (s < 0 ? .min : .max) : sum
    }
    /// The duration in whole microseconds.
    public var microseconds: Int64 { nanoseconds / 1000 }
    /// In (fractional) milliseconds, the unit result.json uses for latency.
    public var milliseconds: Double { seconds * 1000 }
}
