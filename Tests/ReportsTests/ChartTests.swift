import Foundation
import Testing
@testable import Reports
#if canImport(FoundationXML)
import FoundationXML
import Results
#endif

/// `svg` parsed as XML; records an issue and returns nil when it is not well-formed.
private func parseSVG(_ svg: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> XMLElement? {
    do {
        let document = try XMLDocument(xmlString: svg, options: [])
        return document.rootElement()
    } catch {
        Issue.record("not well-formed XML: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Every element of `element`'s subtree (itself included), in document order.
private func descendants(_ element: XMLElement) -> [XMLElement] {
    [element] + (element.children ?? []).compactMap { $0 as? XMLElement }.flatMap(descendants)
}

/// An attribute's value. (swift-corelibs-foundation's `attribute(forName:)` finds nothing on an
/// element in a default namespace, as every SVG element is.)
private func attr(_ element: XMLElement, _ name: String) -> String? {
    element.attributes?.first { $0.name == name }?.stringValue
}

private func classes(_ element: XMLElement) -> Set<String> {
    Set((attr(element, "class") ?? "").split(separator: " ").map(String.init))
}

/// The (x, y) pairs of a path made of `M`/`L` commands.
private func pathPoints(_ d: String) -> [(x: Double, y: Double)] {
    let numbers = d.split { "ML".contains($0) }.flatMap { $0.split(separator: " ") }.compactMap { Double($0) }
    return stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
}

private func allCharts(_ r: ResultDocument, baseline: ResultDocument? = nil) -> [String: String] {
    [
        "throughput": ReportCharts.throughput(r),
        "latency": ReportCharts.latency(r),
        "errors": ReportCharts.errors(r),
        "distribution": ReportCharts.distribution(r, baseline: baseline),
    ]
}

@Suite("Charts: golden files") struct ChartGoldenTests {
    @Test func timeCharts() throws {
        let r = chartFixtureResult()
        try expectGolden(ReportCharts.throughput(r), "throughput.svg")
        try expectGolden(ReportCharts.latency(r), "latency.svg")
        try expectGolden(ReportCharts.errors(r), "errors.svg")
    }

    @Test func distribution() throws {
        let r = chartFixtureResult()
        let baseline = chartFixtureResult(testId: "20251231_000000_checkout", histogramScale: 0.8)
        try expectGolden(ReportCharts.distribution(r), "distribution.svg")
        try expectGolden(ReportCharts.distribution(r, baseline: baseline), "distribution-baseline.svg")
    }

    @Test func emptyResult() throws {
        try expectGolden(ReportCharts.throughput(chartEmptyResult()), "empty-throughput.svg")
    }
}

@Suite("Charts: structure") struct ChartStructureTests {
    @Test(arguments: ["fixture", "empty", "long", "no-histogram"])
    func selfContainedWellFormedSVG(_ variant: String) throws {
        let r = switch variant {
        case "empty": chartEmptyResult()
        case "long": chartFixtureResult(seconds: 900)
        case "no-histogram": chartFixtureResult(histogramScale: nil)
        default: chartFixtureResult()
        }
        for (name, svg) in allCharts(r, baseline: chartFixtureResult(histogramScale: 0.8)) {
            let root = try #require(parseSVG(svg), "\(name)")
            #expect(root.name == "svg")
            #expect(attr(root, "viewBox")?.hasPrefix("0 0 ") == true, "\(name)")
            #expect(attr(root, "width") == "100%", "\(name)")
            #expect(attr(root, "role") == "img", "\(name)")
            #expect(classes(root).contains("stress-chart"), "\(name)")
            let label = try #require(attr(root, "aria-label"), "\(name)")
            #expect(!label.isEmpty)
            let first = try #require(root.children?.first as? XMLElement, "\(name)")
            #expect(first.name == "title" && first.stringValue == label, "\(name)")
            #expect(descendants(root).contains { $0.name == "style" && ($0.stringValue ?? "").contains("prefers-color-scheme") })
            // Nothing runs and nothing is fetched.
            for forbidden in ["<script", "href", "url(", "@import", "@font-face", "javascript:", "<image", "<foreignObject"] {
                #expect(!svg.contains(forbidden), "\(name) contains \(forbidden)")
            }
            #expect(svg.components(separatedBy: "http").count == 2, "\(name): the only URI is the SVG namespace")
            // No float noise: coordinates have one decimal at most.
            #expect(svg.range(of: #" (x|y|x1|y1|x2|y2|width|height|d|transform)="[^"]*\d\.\d\d"#, options: .regularExpression) == nil, "\(name)")
            #expect(!svg.contains("nan") && !svg.contains("inf"), "\(name)")
            if variant == "empty" { #expect(svg.contains("no data"), "\(name)") }
        }
    }

    @Test func hostileStageNameIsOnlyEverEscaped() throws {
        let r = chartFixtureResult()
        for (name, svg) in allCharts(r) where name != "distribution" {
            #expect(!svg.contains("<script"), "\(name)")
            #expect(!svg.contains("alert(1)</"), "\(name)")
            #expect(svg.contains("steady &lt;script&gt;alert(1)&lt;/script&gt;"), "\(name)")
            #expect(svg.contains("spike &amp; &apos;recover&apos;"), "\(name)")
            // Parsed back, the band's tooltip is the name exactly as written.
            let root = try #require(parseSVG(svg))
            let tips = descendants(root).filter { $0.name == "title" }.compactMap(\.stringValue)
            #expect(tips.contains("steady \(hostileStageName)"), "\(name)")
            #expect(descendants(root).allSatisfy { $0.name != "script" })
        }
    }

    @Test func emptyDataDrawsANoteNotACrash() throws {
        var r = chartEmptyResult()
        r.timeline = .init(warmupS: 0, plannedS: 0, states: [], stages: [], pauses: [])
        for (name, svg) in allCharts(r, baseline: r) {
            let root = try #require(parseSVG(svg), "\(name)")
            let notes = descendants(root).filter { classes($0).contains("chart-note") }
            #expect(notes.map(\.stringValue) == ["no data"], "\(name)")
        }
    }

    @Test func errorChartWithoutErrorsSaysSo() throws {
        var r = chartFixtureResult()
        for i in r.metrics.perSecond.indices { r.metrics.perSecond[i].errors = .init(connect: 0, timeout: 0, reset: 0, status: 0, expectation: 0) }
        let svg = ReportCharts.errors(r)
        #expect(svg.contains(">no errors</text>"))
        #expect(!svg.contains("class=\"bar\""))
    }

    @Test func distributionXIsMonotonicInPercentile() throws {
        let xs = [0, 50, 90, 99, 99.9, 99.99].map { ReportCharts.distributionX(percentile: $0) }
        #expect(zip(xs, xs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(ReportCharts.distributionX(percentile: 99) - 2) < 1e-12)

        let root = try #require(parseSVG(ReportCharts.distribution(chartFixtureResult())))
        let run = try #require(descendants(root).first { classes($0).isSuperset(of: ["line", "series-1"]) && attr($0, "d") != nil && ($0.children?.isEmpty == false) })
        let points = pathPoints(attr(run, "d") ?? "")
        #expect(points.count == 101)  // 20 000 samples: five decades, 20 points each
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.x < $1.x }, "x grows with the percentile")
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.y >= $1.y }, "latency never falls as the percentile grows (y grows downwards)")
        let ticks = descendants(root).filter { classes($0).contains("tick") && attr($0, "text-anchor") == "middle" }
        #expect(ticks.compactMap(\.stringValue) == ["0", "90", "99", "99.9", "99.99", "99.999"])
        let tickX = ticks.compactMap { attr($0, "x").flatMap(Double.init) }
        #expect(zip(tickX, tickX.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func baselineCurveOnlyWithABaseline() throws {
        let r = chartFixtureResult()
        let without = ReportCharts.distribution(r)
        let with = ReportCharts.distribution(r, baseline: chartFixtureResult(testId: "20251231_000000_checkout", histogramScale: 0.8))
        #expect(!without.contains("series-baseline dashed\" d=\"M"))
        #expect(with.contains("<path class=\"line series-baseline dashed\" d=\"M"))
        #expect(with.contains("baseline 20251231_000000_checkout"))
    }

    @Test func distributionFallsBackToSummaryPercentiles() throws {
        let svg = ReportCharts.distribution(chartFixtureResult(histogramScale: nil))
        let root = try #require(parseSVG(svg))
        let run = try #require(descendants(root).first { classes($0).isSuperset(of: ["line", "series-1"]) && ($0.children?.isEmpty == false) })
        // min, p50, p90, p95, p99, p99.9: 9 000 samples resolve four decades.
        let points = pathPoints(attr(run, "d") ?? "")
        #expect(points.count == 6)
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.x < $1.x })
    }

    @Test func longRunsUseMinutesAndSeconds() throws {
        let svg = ReportCharts.throughput(chartFixtureResult(seconds: 900))
        #expect(svg.contains("time since start of measurement (m:ss)"))
        #expect(svg.contains(">2:00</text>") && svg.contains(">14:00</text>"))
        let short = ReportCharts.throughput(chartFixtureResult())
        #expect(short.contains("time since start of measurement (s)"))
    }

    @Test func bandsAreOnTheMeasuredClock() {
        let bands = ReportCharts.bands(chartFixtureResult())
        #expect(bands.filter { $0.kind == .stage }.map(\.start) == [-5, 20, 60, 75])
        #expect(bands.filter { $0.kind == .fault } == [ChartBand(label: "latency", start: 45, end: 53, kind: .fault)])
        #expect(bands.filter { $0.kind == .pause } == [ChartBand(label: "paused 3 s", start: 35, end: 35, kind: .pause)])
    }

    @Test func extraFaultBandsAreShaded() {
        let r = chartFixtureResult()
        let svg = ReportCharts.throughput(r, extraBands: [ChartBand(label: "kill <target>", start: 10, end: 12, kind: .fault)])
        #expect(svg.contains("<title>kill &lt;target&gt;</title>"))
        #expect(svg.components(separatedBy: "class=\"band band-fault\"").count == 4)  // two bands and the legend swatch
    }
}

@Suite("Charts: scales and formatting") struct ChartScaleTests {
    @Test func niceTicksStepOneTwoFive() {
        #expect(ChartAxis.linear(label: "", maximum: 87).ticks.map(\.label) == ["0", "20", "40", "60", "80", "100"])
        #expect(ChartAxis.linear(label: "", maximum: 100).upper == 100)
        #expect(ChartAxis.linear(label: "", maximum: 0.37).ticks.map(\.label) == ["0.0", "0.1", "0.2", "0.3", "0.4"])
        #expect(ChartAxis.linear(label: "", maximum: 9).ticks.map(\.label) == ["0", "2", "4", "6", "8", "10"])
        #expect(ChartAxis.linear(label: "", maximum: 23_000).ticks.map(\.label) == ["0", "5k", "10k", "15k", "20k", "25k"])
        #expect(ChartAxis.linear(label: "", maximum: 0).upper == 1)
        #expect(ChartAxis.linear(label: "", maximum: .nan).upper == 1)
        for raw in [0.013, 0.7, 3, 42, 180, 7_500] {
            let step = ChartAxis.niceStep(raw)
            let mantissa = step / pow(10, log10(step).rounded(.down))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 } && step >= raw, "\(raw) → \(step)")
        }
    }

    @Test func timeTicks() {
        #expect(ChartAxis.time(seconds: 90).ticks.map(\.label) == ["0", "15", "30", "45", "60", "75", "90"])
        #expect(ChartAxis.time(seconds: 3).ticks.map(\.label) == ["0", "1", "2", "3"])
        #expect(ChartAxis.time(seconds: 3_700).ticks.map(\.label) == ["0:00", "10:00", "20:00", "30:00", "40:00", "50:00", "1:00:00"])
    }

    @Test func numbersHaveNoLocaleAndNoNoise() {
        #expect(ChartFormat.coord(0.1 + 0.2) == "0.3")
        #expect(ChartFormat.coord(-0.04) == "0")
        #expect(ChartFormat.coord(12.0) == "12")
        #expect(ChartFormat.coord(1234567.25) == "1234567.3")
        #expect(ChartFormat.fixed(0.05, decimals: 2) == "0.05")
        #expect(ChartFormat.fixed(-2.5, decimals: 0) == "-3")
        #expect(ChartFormat.coord(.nan) == "0")
        #expect(ChartFormat.clock(65) == "1:05" && ChartFormat.clock(3_725) == "1:02:05")
    }

    @Test func escapesXML() {
        #expect(escapeXML(#"<a href="x">Tom & 'Jerry'</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;")
        #expect(escapeXML("tab\tok\u{0}\u{1B}") == "tab\tok\u{FFFD}\u{FFFD}")
        #expect(escapeXML("ünïcode ✓") == "ünïcode ✓")
    }
}
