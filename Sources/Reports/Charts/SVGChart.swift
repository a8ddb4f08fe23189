/// A small chart builder: axes, shaded bands, line and bar series and a legend, rendered to one
/// self-contained `<svg>` string. Pure: the same chart always renders to the same bytes.
///
/// Data are given in axis units; the builder maps them into a fixed viewBox (coordinates rounded
/// to one decimal) and escapes every label.
struct SVGChart: Sendable {
    struct Point: Sendable, Hashable {
        var x: Double
        var y: Double
    }

    /// A bar from `x0` to `x1`, `y0` up to `y1` (a stacked bar's segment starts at the one below).
    struct Bar: Sendable, Hashable {
        var x0: Double
        var x1: Double
        var y0: Double
        var y1: Double
    }

    enum Mark: Sendable {
        /// A line through each run of points; a gap between runs (no data there).
        case line([[Point]], dashed: Bool = false)
        case bars([Bar])
    }

    struct Series: Sendable {
        var label: String
        /// `series-1` … `series-5` or `series-baseline`.
        var style: String
        var mark: Mark
    }

    /// `throughput`, `latency`, … — the root element gets `stress-chart-<kind>` too.
    var kind: String
    /// The accessible name (`<title>` and `aria-label`).
    var title: String
    var x: ChartAxis
    var y: ChartAxis
    var bands: [ChartBand] = []
    var series: [Series] = []
    /// Centered on the plot ("no data").
    var note: String?

    // Small enough that 12-unit text stays legible when two charts share a report row (~530 px).
    var width = 640.0
    var height = 300.0
    var margin = (top: 34.0, right: 24.0, bottom: 46.0, left: 56.0)

    private var plotLeft: Double { margin.left }
    private var plotRight: Double { width - margin.right }
    private var plotTop: Double { margin.top }
    private var plotBottom: Double { height - margin.bottom }

    func render() -> String {
        // Each legend row past the first takes its height from the plot.
        let legend = legendLayout()
        var chart = self
        chart.margin.top += (legend.last?.y ?? 16) - 16
        return chart.draw(legend: legend)
    }

    private func draw(legend: [(label: String, swatch: Swatch, x: Double, y: Double)]) -> String {
        var out: [String] = []
        let name = escapeXML(title)
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stress-chart stress-chart-\(escapeXML(kind))\" "
            + "viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"100%\" role=\"img\" aria-label=\"\(name)\">")
        out.append("<title>\(name)</title>")
        out.append("<style>\n\(ChartStyle.css)\n</style>")
        renderBands(into: &out)
        renderAxes(into: &out)
        renderBandLabels(into: &out)
        renderSeries(into: &out)
        renderLegend(legend, into: &out)
        if let note {
            out.append(text(note, x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, cls: "chart-note", anchor: "middle"))
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Mapping

    func px(_ v: Double) -> Double {
        let span = x.upper - x.lower
        let f = span > 0 ? (v - x.lower) / span : 0
        return plotLeft + min(max(f, 0), 1) * (plotRight - plotLeft)
    }

    func py(_ v: Double) -> Double {
        let span = y.upper - y.lower
        let f = span > 0 ? (v - y.lower) / span : 0
        return plotBottom - min(max(f, 0), 1) * (plotBottom - plotTop)
    }

    private func c(_ v: Double) -> String { ChartFormat.coord(v) }

    private func text(_ s: String, x: Double, y: Double, cls: String, anchor: String = "start") -> String {
        let a = anchor == "start" ? "" : " text-anchor=\"\(anchor)\""
        return "<text class=\"\(cls)\" x=\"\(c(x))\" y=\"\(c(y))\"\(a)>\(escapeXML(s))</text>"
    }

    /// An estimate of a label's width in the 11 px font, to fit labels without measuring.
    private static func textWidth(_ s: String, fontSize: Double = 11) -> Double {
        Double(s.count) * fontSize * 0.58
    }

    /// `label` cut (with an ellipsis) to fit `room` pixels; nil when not even three characters fit.
    private static func fit(_ label: String, room: Double, fontSize: Double) -> String? {
        let fits = Int(room / (fontSize * 0.58))
        if label.count <= fits { return label }
        guard fits >= 3 else { return nil }
        return String(label.prefix(fits - 1)) + "…"
    }

    // MARK: Parts

    private func visible(_ band: ChartBand) -> (x0: Double, x1: Double)? {
        guard band.end >= x.lower, band.start <= x.upper, band.end >= band.start else { return nil }
        return (px(band.start), px(band.end))
    }

    private func renderBands(into out: inout [String]) {
        var stageIndex = 0
        for band in bands {
            guard let (x0, x1) = visible(band) else { continue }
            let tip = "<title>\(escapeXML(band.label))</title>"
            switch band.kind {
            case .stage, .warmup:
                let cls = band.kind == .warmup ? "band band-warmup" : "band band-stage" + (stageIndex % 2 == 1 ? " band-alt" : "")
                if band.kind == .stage { stageIndex += 1 }
                out.append("<rect class=\"\(cls)\" x=\"\(c(x0))\" y=\"\(c(plotTop))\" width=\"\(c(x1 - x0))\" height=\"\(c(plotBottom - plotTop))\">\(tip)</rect>")
                if band.start > x.lower {
                    out.append("<line class=\"band-edge\" x1=\"\(c(x0))\" y1=\"\(c(plotTop))\" x2=\"\(c(x0))\" y2=\"\(c(plotBottom))\"/>")
                }
            case .fault:
                out.append("<rect class=\"band band-fault\" x=\"\(c(x0))\" y=\"\(c(plotTop))\" width=\"\(c(max(x1 - x0, 1)))\" height=\"\(c(plotBottom - plotTop))\">\(tip)</rect>")
            case .pause:
                if x1 - x0 >= 1 {
                    out.append("<rect class=\"band band-pause\" x=\"\(c(x0))\" y=\"\(c(plotTop))\" width=\"\(c(x1 - x0))\" height=\"\(c(plotBottom - plotTop))\">\(tip)</rect>")
                } else {
                    out.append("<line class=\"band band-pause\" x1=\"\(c(x0))\" y1=\"\(c(plotTop))\" x2=\"\(c(x0))\" y2=\"\(c(plotBottom))\">\(tip)</line>")
                }
            }
        }
    }

    /// Stage names along the top of the plot, fault and pause names along the bottom — each cut to
    /// its band's width (the full name is the band's tooltip).
    private func renderBandLabels(into out: inout [String]) {
        var labels: [String] = []
        for band in bands {
            guard let (x0, x1) = visible(band) else { continue }
            switch band.kind {
            case .stage, .warmup:
                if let s = Self.fit(band.label, room: x1 - x0 - 8, fontSize: 11) {
                    labels.append(text(s, x: x0 + 4, y: plotTop + 13, cls: "band-label"))
                }
            case .fault, .pause:
                // A narrow fault or pause still gets its label, beside it, if the plot has room.
                let room = max(x1 - x0 - 8, plotRight - x0 - 8)
                // Below the stage names: the top of the plot is usually clear, as a nice axis
                // maximum leaves headroom above the data.
                let y = band.kind == .fault ? plotTop + 26 : plotTop + 40
                if let s = Self.fit(band.label, room: min(room, 160), fontSize: 11) {
                    labels.append(text(s, x: x0 + 4, y: y, cls: "band-label"))
                }
            }
        }
        if !labels.isEmpty {
            out.append("<g class=\"band-labels\">")
            out += labels
            out.append("</g>")
        }
    }

    private func renderAxes(into out: inout [String]) {
        out.append("<g class=\"grid\">")
        for t in y.ticks where t.value > y.lower {
            out.append("<line x1=\"\(c(plotLeft))\" y1=\"\(c(py(t.value)))\" x2=\"\(c(plotRight))\" y2=\"\(c(py(t.value)))\"/>")
        }
        out.append("</g>")
        out.append("<path class=\"axis\" d=\"M\(c(plotLeft)) \(c(plotTop))V\(c(plotBottom))H\(c(plotRight))\"/>")
        var tickMarks = ""
        for t in x.ticks {
            tickMarks += "M\(c(px(t.value))) \(c(plotBottom))v4"
        }
        if !tickMarks.isEmpty { out.append("<path class=\"axis\" d=\"\(tickMarks)\"/>") }
        out.append("<g class=\"ticks\">")
        for t in x.ticks {
            out.append(text(t.label, x: px(t.value), y: plotBottom + 17, cls: "tick", anchor: "middle"))
        }
        for t in y.ticks {
            out.append(text(t.label, x: plotLeft - 6, y: py(t.value) + 4, cls: "tick", anchor: "end"))
        }
        out.append("</g>")
        out.append(text(x.label, x: (plotLeft + plotRight) / 2, y: height - 8, cls: "axis-label", anchor: "middle"))
        let midY = (plotTop + plotBottom) / 2
        out.append("<text class=\"axis-label\" transform=\"translate(14 \(c(midY))) rotate(-90)\" text-anchor=\"middle\">\(escapeXML(y.label))</text>")
    }

    private func renderSeries(into out: inout [String]) {
        for s in series {
            switch s.mark {
            case .line(let runs, let dashed):
                var d = ""
                for run in runs where !run.isEmpty {
                    if run.count == 1 {  // a lone second: a short dash, so it shows
                        d += "M\(c(px(run[0].x) - 2)) \(c(py(run[0].y)))h4"
                    } else {
                        d += "M" + run.map { "\(c(px($0.x))) \(c(py($0.y)))" }.joined(separator: "L")
                    }
                }
                guard !d.isEmpty else { continue }
                out.append("<path class=\"line \(s.style)\(dashed ? " dashed" : "")\" d=\"\(d)\"><title>\(escapeXML(s.label))</title></path>")
            case .bars(let bars):
                guard !bars.isEmpty else { continue }
                out.append("<g class=\"bars \(s.style)\"><title>\(escapeXML(s.label))</title>")
                for b in bars {
                    var x0 = px(b.x0), x1 = px(b.x1)
                    if x1 - x0 >= 4 {  // leave a gap between wide bars
                        let inset = (x1 - x0) * 0.1
                        x0 += inset
                        x1 -= inset
                    }
                    let top = py(b.y1), bottom = py(b.y0)
                    out.append("<rect class=\"bar\" x=\"\(c(x0))\" y=\"\(c(top))\" width=\"\(c(x1 - x0))\" height=\"\(c(bottom - top))\"/>")
                }
                out.append("</g>")
            }
        }
    }

    private enum Swatch {
        case line(style: String, dashed: Bool), box(String), pause
    }

    /// The legend's entries in place: each series, then fault and pause when the chart shows
    /// them, in rows above the plot (the first at y = 16), wrapped at the chart's width.
    private func legendLayout() -> [(label: String, swatch: Swatch, x: Double, y: Double)] {
        var items: [(label: String, swatch: Swatch)] = series.map { s in
            switch s.mark {
            case .line(_, let dashed): (s.label, .line(style: s.style, dashed: dashed))
            case .bars: (s.label, .box(s.style))
            }
        }
        if bands.contains(where: { $0.kind == .fault && visible($0) != nil }) { items.append(("fault", .box("band-fault"))) }
        if bands.contains(where: { $0.kind == .pause && visible($0) != nil }) { items.append(("pause", .pause)) }
        var placed: [(label: String, swatch: Swatch, x: Double, y: Double)] = []
        var at = plotLeft, y = 16.0
        for item in items {
            let labelWidth = Self.textWidth(item.label, fontSize: 12)
            if at > plotLeft && at + 24 + labelWidth > width - 4 {
                at = plotLeft
                y += 18
            }
            placed.append((item.label, item.swatch, at, y))
            at += 24 + labelWidth + 16
        }
        return placed
    }

    private func renderLegend(_ entries: [(label: String, swatch: Swatch, x: Double, y: Double)], into out: inout [String]) {
        guard !entries.isEmpty else { return }
        out.append("<g class=\"legend\">")
        for (label, swatch, at, y) in entries {
            switch swatch {
            case .line(let style, let dashed):
                out.append("<path class=\"line \(style)\(dashed ? " dashed" : "")\" d=\"M\(c(at)) \(c(y - 4))h18\"/>")
            case .box(let style):
                let cls = style.hasPrefix("band") ? "band \(style)" : "swatch \(style)"
                out.append("<rect class=\"\(cls)\" x=\"\(c(at + 4))\" y=\"\(c(y - 9))\" width=\"10\" height=\"10\"/>")
            case .pause:
                out.append("<path class=\"band band-pause\" d=\"M\(c(at + 9)) \(c(y - 10))v12\"/>")
            }
            out.append(text(label, x: at + 24, y: y, cls: "legend-label"))
        }
        out.append("</g>")
    }
}
