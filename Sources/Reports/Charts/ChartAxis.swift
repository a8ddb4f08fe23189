import Foundation

/// One axis of a chart: its label (with units), its domain and its labelled ticks.
struct ChartAxis: Sendable {
    struct Tick: Sendable {
        var value: Double
        var label: String
    }

    var label: String
    var lower: Double
    var upper: Double
    var ticks: [Tick]

    /// A value axis from zero to a "nice" maximum at or above `maximum`, ticks 1-2-5 apart.
    static func linear(label: String, maximum: Double, targetTicks: Int = 5) -> ChartAxis {
        let top = maximum.isFinite && maximum > 0 ? maximum : 1
        let step = niceStep(top / Double(targetTicks))
        let count = Int((top / step - 1e-9).rounded(.up))
        let upper = Double(count) * step
        let ticks = (0...count).map { i in
            Tick(value: Double(i) * step, label: ChartFormat.tick(Double(i) * step, step: step, axisMax: upper))
        }
        return ChartAxis(label: label, lower: 0, upper: upper, ticks: ticks)
    }

    /// The time axis of the measured window, `0…seconds`: ticks on whole seconds, minutes or
    /// hours; labelled in seconds up to two minutes, `m:ss` beyond.
    static func time(seconds: Double) -> ChartAxis {
        let upper = seconds.isFinite && seconds > 0 ? seconds : 1
        let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        let step = steps.first { upper / $0 <= 8 } ?? (upper / 8).rounded(.up)
        let long = upper > 120
        let count = Int((upper / step + 1e-9).rounded(.down))
        let ticks = (0...count).map { i in
            let v = Double(i) * step
            return Tick(value: v, label: long ? ChartFormat.clock(v) : ChartFormat.coord(v))
        }
        return ChartAxis(label: long ? "time since start of measurement (m:ss)" : "time since start of measurement (s)",
                         lower: 0, upper: upper, ticks: ticks)
    }

    /// The smallest of 1, 2, 5 × 10ⁿ at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 + 1e-9 ? 1 : normalized <= 2 + 1e-9 ? 2 : normalized <= 5 + 1e-9 ? 5 : 10
        return factor * magnitude
    }
}
