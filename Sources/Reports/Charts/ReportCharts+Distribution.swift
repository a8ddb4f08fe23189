import Foundation
import Metrics
import Results

extension ReportCharts {
    /// The latency distribution over the whole measured window: latency (ms) by percentile, the
    /// percentile on a log scale (x = −log10(1 − p/100): ticks 0, 90, 99, 99.9, …), with the
    /// baseline's curve dashed when `baseline` is given.
    ///
    /// Curves come from the run-level latency histogram (`histograms`, metric `latency`, scope
    /// `overall`); a result without one falls back to its summary percentiles.
    public static func distribution(_ r: ResultDocument, baseline: ResultDocument? = nil) -> String {
        let run = LatencyCurve(r)
        let base = baseline.flatMap(LatencyCurve.init)
        // As many nines as the larger sample can resolve: 2 (p99) … 5 (p99.999).
        let samples = max(run?.count ?? 0, base?.count ?? 0)
        let decades = min(max(Int(log10(Double(max(samples, 1))).rounded(.up)), 2), 5)

        var series: [SVGChart.Series] = []
        if let base {
            let label = "baseline " + (baseline?.testId ?? "")
            series.append(.init(label: label, style: "series-baseline", mark: .line([base.points(decades: decades)], dashed: true)))
        }
        if let run {
            series.append(.init(label: "this run", style: "series-1", mark: .line([run.points(decades: decades)])))
        }
        let top = series.flatMap { s -> [Double] in
            guard case .line(let runs, _) = s.mark else { return [] }
            return runs.joined().map(\.y)
        }.max() ?? 0

        let nines = ["0", "90", "99", "99.9", "99.99", "99.999"]
        let x = ChartAxis(label: "percentile (%, log scale)", lower: 0, upper: Double(decades),
                          ticks: (0...decades).map { ChartAxis.Tick(value: Double($0), label: nines[$0]) })
        let title = "Latency distribution by percentile (ms)"
        let chart = SVGChart(
            kind: "distribution", title: run == nil ? "\(title): no data" : title, x: x,
            y: .linear(label: "latency (ms)", maximum: top), series: series, note: run == nil ? "no data" : nil)
        return chart.render()
    }

    /// x on the distribution chart for a percentile (0 … 100).
    static func distributionX(percentile p: Double) -> Double {
        p >= 100 ? .infinity : -log10(1 - p / 100)
    }
}

/// One result's latency by percentile: from its histogram, or its summary percentiles.
private struct LatencyCurve {
    enum Source {
        case histogram(LatencyHistogram)
        case summary([(x: Double, ms: Double)])
    }

    var source: Source
    var count: UInt64

    init?(_ r: ResultDocument) {
        let encoded = r.histograms.first { $0.metric == .latency && $0.scope == .overall }
        if let encoded, let h = try? HistogramCodec.decodeLatency(encoded.data), h.count > 0 {
            source = .histogram(h)
            count = h.count
            return
        }
        let latency = r.summary.latency
        guard latency.count > 0 else { return nil }
        var points = [(x: 0.0, ms: latency.min)]
        for (key, ms) in latency.percentiles {
            guard key.hasPrefix("p"), let p = Double(key.dropFirst()), p >= 0, p < 100 else { continue }
            points.append((ReportCharts.distributionX(percentile: p), ms))
        }
        source = .summary(points.sorted { $0.x < $1.x })
        count = latency.count
    }

    /// The curve from x = 0 to x = `decades`: 20 points a decade from a histogram.
    func points(decades: Int) -> [SVGChart.Point] {
        switch source {
        case .histogram(let h):
            return (0...(decades * 20)).map { i in
                let x = Double(i) / 20
                let p = min(100 * (1 - pow(10, -x)), 100)
                return SVGChart.Point(x: x, y: h.value(atPercentile: p).milliseconds)
            }
        case .summary(let points):
            return points.filter { $0.x <= Double(decades) + 1e-9 }.map { SVGChart.Point(x: $0.x, y: $0.ms) }
        }
    }
}
