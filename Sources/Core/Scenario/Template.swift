/// A string with `${…}` parts: `/products/${random.int(1,5000)}`.
///
/// Environment references are resolved when the scenario is loaded (and remembered as secrets);
/// random parts are rendered per request. `redacted` is the text safe to echo.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        /// `${NAME}` / `${NAME:-default}`, resolved at load time. `fromEnvironment` is false when the default was used.
        case environment(name: String, value: String, fromEnvironment: Bool)
        /// `${random.int(a,b)}`: a uniform integer in a…b, inclusive.
        case randomInt(ClosedRange<Int>)
        /// `${random.uuid}`.
        case randomUUID
    }
    public var segments: [Segment]

    public init(segments: [Segment]) { self.segments = Self.merged(segments) }
    public init(literal: String) { self.init(segments: [.literal(literal)]) }

    /// True when rendering needs no per-request work.
    public var isConstant: Bool {
        segments.allSatisfy { if case .randomInt = $0 { false } else if case .randomUUID = $0 { false } else { true } }
    }

    /// Renders with fresh random values.
    public func render<G: RandomNumberGenerator>(using rng: inout G) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let s): out += s
            case .environment(_, let value, _): out += value
            case .randomInt(let range): out += String(Int.random(in: range, using: &rng))
            case .randomUUID:
                var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes[6] = (bytes[6] & 0x0F) | 0x40
                bytes[8] = (bytes[8] & 0x3F) | 0x80
                let hex = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                let h = Array(hex)
                out += String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
            }
        }
        return out
    }

    /// True when a part of the text is a `${NAME}` reference (it is shown redacted).
    public var hasEnvironmentValue: Bool {
        segments.contains { if case .environment = $0 { true } else { false } }
    }

    /// The text with environment values replaced by `***` and random parts as written.
    public var redacted: String {
        segments.map { segment -> String in
            switch segment {
            case .literal(let s): s
            case .environment: "***"
            case .randomInt(let r): "${random.int(\(r.lowerBound),\(r.upperBound))}"
            case .randomUUID: "${random.uuid}"
            }
        }.joined()
    }

    public var description: String { redacted }

    private static func merged(_ segments: [Segment]) -> [Segment] {
        var out: [Segment] = []
        for s in segments {
            if case .literal(let b) = s, case .literal(let a)? = out.last {
                out[out.count - 1] = .literal(a + b)
            } else if case .literal(let b) = s, b.isEmpty {
                continue
            } else {
                out.append(s)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
