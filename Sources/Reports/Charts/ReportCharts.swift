import Foundation
import Results

// The charts of `report.html` (README, *Artifacts*): self-contained inline SVG, no scripts, nothing fetched.
//
// CSS classes, for a page to theme (the SVG's own <style> wraps its defaults in `:where(…)`, so
// any page rule wins; colours read `--fg`, `--muted` and `--series-1` … `--series-5` when set):
//
//   .stress-chart             the <svg>; also .stress-chart-throughput / -latency / -errors / -distribution
//   .axis                     the axis lines and tick marks        .grid        horizontal grid lines
//   .tick                     tick labels                          .axis-label  axis titles (with units)
//   .series-1 … .series-5     a series' colour (sets `color`)      .series-baseline  the baseline's curve
//   .line                     a series' path (stroke currentColor) .dashed      a dashed line (the baseline)
//   .bar                      a bar (fill currentColor)            .swatch      a legend box
//   .legend, .legend-label    the legend row above the plot
//   .band                     any shaded span, with one of:
//   .band-stage (.band-alt every other stage), .band-fault, .band-pause (a dashed marker), .band-warmup
//   .band-edge                the line where a stage starts        .band-label  a band's name
//   .chart-note               "no data" / "no errors"
//
// Series per chart: throughput .series-1, dropped .series-3; latency p50 .series-1, p95 .series-2,
// p99 .series-3; errors connect .series-1, timeout .series-2, reset .series-3, status .series-4,
// expectation .series-5; distribution: this run .series-1, baseline .series-baseline.dashed.
//
// The x axis of the time charts is seconds from the start of the measured window (warmup excluded);
// stages and faults (scenario clock, warmup included) are shifted onto it, and pauses (wall clock)
// become markers, since paused time is not on the scenario clock.

/// The SVG charts of the HTML report: pure functions of a result.
public enum ReportCharts {
    /// Throughput (requests/s) per measured second, with stages, faults and pauses shaded; dropped
    /// arrivals per second too when there were any.
    /// - Parameter extraBands: more spans to shade (faults the result does not list yet), in
    ///   seconds from the start of the measured window.
    public static func throughput(_ r: ResultDocument, extraBands: [ChartBand] = []) -> String {
        let seconds = r.metrics.perSecond
        var series = [SVGChart.Series(label: "requests/s", style: "series-1",
                                      mark: .line(runs(seconds) { $0.throughput }))]
        var top = seconds.map(\.throughput).max() ?? 0
        if seconds.contains(where: { $0.dropped > 0 }) {
            series.append(.init(label: "dropped/s", style: "series-3", mark: .line(runs(seconds) { Double($0.dropped) })))
            top = max(top, Double(seconds.map(\.dropped).max() ?? 0))
        }
        return timeChart(r, kind: "throughput", title: "Throughput over time (requests/s)",
                         y: .linear(label: "requests/s", maximum: top), series: seconds.isEmpty ? [] : series, extraBands: extraBands)
    }

    /// p50, p95 and p99 latency (ms) per measured second on a linear axis, stages shaded; a second
    /// without completed requests is a gap.
    public static func latency(_ r: ResultDocument, extraBands: [ChartBand] = []) -> String {
        let seconds = r.metrics.perSecond
        let lines = [("p50", "series-1"), ("p95", "series-2"), ("p99", "series-3")]
        var top = 0.0
        let series = lines.map { key, style in
            let points = runs(seconds) { $0.latency.count > 0 ? $0.latency.percentiles[key] : nil }
            top = max(top, points.joined().map(\.y).max() ?? 0)
            return SVGChart.Series(label: key, style: style, mark: .line(points))
        }
        return timeChart(r, kind: "latency", title: "Latency percentiles over time (ms)",
                         y: .linear(label: "latency (ms)", maximum: top), series: seconds.isEmpty ? [] : series, extraBands: extraBands)
    }

    /// Errors per measured second, stacked by class (only the classes that occurred), stages shaded.
    public static func errors(_ r: ResultDocument, extraBands: [ChartBand] = []) -> String {
        let seconds = r.metrics.perSecond
        let classes: [(String, KeyPath<ResultDocument.ErrorsByClass, Int>)] = [
            ("connect", \.connect), ("timeout", \.timeout), ("reset", \.reset), ("status", \.status), ("expectation", \.expectation),
        ]
        var stacked = [Double](repeating: 0, count: seconds.count)
        var series: [SVGChart.Series] = []
        for (i, (name, path)) in classes.enumerated() {
            var bars: [SVGChart.Bar] = []
            for (j, s) in seconds.enumerated() where s.errors[keyPath: path] > 0 {
                let n = Double(s.errors[keyPath: path])
                bars.append(.init(x0: Double(s.t), x1: Double(s.t + 1), y0: stacked[j], y1: stacked[j] + n))
                stacked[j] += n
            }
            if !bars.isEmpty { series.append(.init(label: name, style: "series-\(i + 1)", mark: .bars(bars))) }
        }
        let note = seconds.isEmpty ? nil : series.isEmpty ? "no errors" : nil
        return timeChart(r, kind: "errors", title: "Errors over time by class (errors/s)",
                         y: .linear(label: "errors/s", maximum: stacked.max() ?? 0), series: series, extraBands: extraBands, note: note)
    }

    /// The spans to shade on the time charts: stages, the scenario's faults and the pauses, in
    /// seconds from the start of the measured window.
    public static func bands(_ r: ResultDocument) -> [ChartBand] {
        let warmup = r.timeline.warmupS
        var bands = r.timeline.stages.map {
            ChartBand(label: $0.name, start: $0.startS - warmup, end: $0.endS - warmup, kind: .stage)
        }
        if let faults = r.faults {
            // As they ran; a fault that never began is not drawn.
            bands += faults.compactMap { f in
                f.actual.map { ChartBand(label: f.name, start: $0.startS - warmup, end: $0.endS - warmup, kind: .fault) }
            }
        } else {
            bands += r.scenario.faults.map {
                ChartBand(label: $0.kind, start: $0.atSeconds - warmup, end: $0.atSeconds + $0.forSeconds - warmup, kind: .fault)
            }
        }
        // Pauses are on the wall clock; the scenario clock stands still during each one.
        var pausedBefore = 0.0
        for p in r.timeline.pauses.sorted(by: { $0.startS < $1.startS }) {
            let at = p.startS - pausedBefore - warmup
            let length = max(0, p.endS - p.startS)
            bands.append(ChartBand(label: "paused \(ChartFormat.duration(length))", start: at, end: at, kind: .pause))
            pausedBefore += length
        }
        return bands
    }

    // MARK: Shared

    /// The length of the time axis: the measured seconds, or the planned ones before any data.
    static func measuredLength(_ r: ResultDocument) -> Double {
        let dataEnd = Double((r.metrics.perSecond.map(\.t).max() ?? -1) + 1)
        let length = max(dataEnd, r.summary.measuredS)
        return length > 0 ? length : max(1, r.timeline.plannedS - r.timeline.warmupS)
    }

    private static func timeChart(
        _ r: ResultDocument, kind: String, title: String, y: ChartAxis, series: [SVGChart.Series],
        extraBands: [ChartBand], note: String? = nil
    ) -> String {
        let empty = r.metrics.perSecond.isEmpty
        let chart = SVGChart(
            kind: kind, title: empty ? "\(title): no data" : title, x: .time(seconds: measuredLength(r)), y: y,
            bands: bands(r) + extraBands, series: series, note: empty ? "no data" : note)
        return chart.render()
    }

    /// Points at the middle of each second; a missing second or value starts a new run.
    private static func runs(_ seconds: [ResultDocument.Second], _ value: (ResultDocument.Second) -> Double?) -> [[SVGChart.Point]] {
        var runs: [[SVGChart.Point]] = []
        var current: [SVGChart.Point] = []
        var previous: Int?
        for s in seconds {
            if let p = previous, s.t != p + 1, !current.isEmpty {
                runs.append(current)
                current = []
            }
            previous = s.t
            if let v = value(s), v.isFinite {
                current.append(.init(x: Double(s.t) + 0.5, y: v))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
