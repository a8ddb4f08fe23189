/// A time or a span of time in nanoseconds — on the scenario clock (since load start, paused time
/// excluded) or the monotonic clock, as the name of the value says.
///
/// One type for every time the worker handles, so no raw `Int64` or `1e9` literal stands for a
/// unit. Arithmetic saturates instead of trapping: a timeout read from a scenario cannot crash
/// the load generator by overflowing a deadline.
struct Nanos: Hashable, Comparable, Sendable {
    /// Nanoseconds.
    var value: Int64

    @inline(__always)
    init(_ value: Int64) { self.value = value }

    /// The span of `duration`, saturating at ±`Int64.max` nanoseconds.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            value = seconds < 0 ? .min : .max
        } else {
            value = whole.addingSaturating(attoseconds / 1_000_000_000)
        }
    }

    static let zero = Nanos(0)

    static func milliseconds(_ n: Int64) -> Nanos { Nanos(n.multipliedSaturating(by: 1_000_000)) }
    static func seconds(_ n: Int64) -> Nanos { Nanos(n.multipliedSaturating(by: 1_000_000_000)) }

    /// The same span as a `Duration`.
    var duration: Duration { .nanoseconds(value) }

    @inline(__always)
    static func < (a: Nanos, b: Nanos) -> Bool { a.value < b.value }

    @inline(__always)
    static func + (a: Nanos, b: Nanos) -> Nanos { Nanos(a.value.addingSaturating(b.value)) }

    @inline(__always)
    static func - (a: Nanos, b: Nanos) -> Nanos { Nanos(a.value.addingSaturating(b.value == .min ? .max : -b.value)) }

    @inline(__always)
    static func += (a: inout Nanos, b: Nanos) { a = a + b }
}

fileprivate extension Int64 {
    /// `self + other`, clamped to the range of `Int64`.
    @inline(__always)
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self * other`, clamped to the range of `Int64`.
    func multipliedSaturating(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }
}
