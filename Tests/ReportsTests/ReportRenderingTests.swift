import CLibXML2
import Foundation
import Testing
import Analysis
@testable import Core
@testable import Reports
import Results

/// `Tests/Fixtures/reports`, found from this file's path.
private let reportFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/reports")

/// The chart fixture with one passing and one failing criterion (one of them hostile), a warning and a tag.
private func renderedResult() -> ResultDocument {
    var r = chartFixtureResult()
    r.successCriteria = [
        .init(criterion: "p95(latency) < 250ms", passed: true, measured: 0.0121, measuredText: "12.1ms", limit: "< 250ms",
              evidence: "p95 over 20,000 responses in the measured 90s", abort: false),
        .init(criterion: #"error_rate{request="<img src=x onerror=alert(1)>"} < 1%"#, passed: false, measured: 0.031,
              measuredText: "3.1%", limit: "< 1%", evidence: "62 errors of 2,000 requests | in the measured 90s", abort: true),
    ]
    r.warnings = ["the load generator used 97% CPU (1 thread): results may understate the target"]
    r.tags = ["branch": "feature/<x>"]
    r.issues = [
        RunIssue(kind: .latencySpike, severity: .critical,
                 summary: "Latency spike from 00:45 to 00:53: p99 reached 222ms at 00:52, against 41ms in a usual second.",
                 evidence: .init(fromS: 45, toS: 53, metric: "p99_latency", value: 222, unit: .milliseconds, threshold: 123, reference: 41, detail: "5.41× the usual p99")),
        RunIssue(kind: .errorBurst, severity: .warning,
                 summary: "Error burst at 01:20: 5 of 120 requests failed (4.2%, against 0.4% in the rest of the run) | mostly <connect>.",
                 evidence: .init(fromS: 80, toS: 81, metric: "error_rate", value: 0.042, unit: .fraction, threshold: 0.05, reference: 0.004,
                                 count: 5, detail: "<img src=x onerror=alert(1)>")),
    ]
    r.recommendations = ["Look at the target's logs around 01:20 of the measured run (00:01:25 UTC): that is where the errors came in bursts."]
    return r
}

/// Every element of an HTML document parsed by libxml2's HTML parser (name, attributes).
private func htmlElements(_ html: String) -> [(name: String, attributes: [String: String])]? {
    _ = libxml2Initialized
    let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue)
    let doc = html.withCString { htmlReadMemory($0, Int32(strlen($0)), "report.html", "UTF-8", options) }
    guard let doc else { return nil }
    defer { xmlFreeDoc(doc) }
    var out: [(String, [String: String])] = []
    func walk(_ node: xmlNodePtr?) {
        var n = node
        while let current = n {
            if current.pointee.type == XML_ELEMENT_NODE {
                var attributes: [String: String] = [:]
                var a = current.pointee.properties
                while let attr = a {
                    let name = String(cString: attr.pointee.name)
                    let value = attr.pointee.children?.pointee.content.map { String(cString: $0) } ?? ""
                    attributes[name.lowercased()] = value
                    a = attr.pointee.next
                }
                out.append((String(cString: current.pointee.name).lowercased(), attributes))
            }
            walk(current.pointee.children)
            n = current.pointee.next
        }
    }
    walk(xmlDocGetRootElement(doc))
    return out
}

@Suite struct ReportRenderingTests {
    @Test func markdownMatchesItsGoldenFile() throws {
        let md = ReportRenderer.markdown(renderedResult(), templates: try TemplateSet.builtIn())
        try expectGolden(md, "report.md", in: reportFixtures)
    }

    @Test func htmlMatchesItsGoldenFile() throws {
        let html = ReportRenderer.html(renderedResult(), baseline: chartFixtureResult(histogramScale: 0.8), templates: try TemplateSet.builtIn())
        try expectGolden(html, "report.html", in: reportFixtures)
    }

    @Test func markdownEscapesWhatCameFromTheScenario() throws {
        let md = ReportRenderer.markdown(renderedResult(), templates: try TemplateSet.builtIn())
        #expect(!md.contains("<img src=x onerror=alert(1)>"))
        #expect(!md.contains("<script>"))
        #expect(md.contains("&lt;img src=x onerror=alert(1)&gt;"))
        // A `|` in a value cannot open a new table cell.
        #expect(md.contains(#"62 errors of 2,000 requests \| in the measured 90s"#))
        #expect(md.contains("1 of 2 failed"))
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        let html = ReportRenderer.html(renderedResult(), templates: try TemplateSet.builtIn())
        let elements = try #require(htmlElements(html))
        // The hostile criterion and stage name are text, never markup.
        #expect(!elements.contains { $0.name == "script" || $0.name == "img" || $0.name == "iframe" || $0.name == "link" })
        #expect(!elements.contains { $0.attributes.keys.contains { $0.hasPrefix("on") } })
        #expect(!elements.contains { e in e.attributes.contains { ($0.key == "src" || $0.key == "href") && $0.value.contains("//") } })
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // Four inline charts, a verdict banner, light and dark styles.
        #expect(elements.filter { $0.name == "svg" }.count == 4)
        #expect(elements.contains { $0.name == "div" && $0.attributes["class"] == "banner fail" })
        #expect(html.contains("prefers-color-scheme: dark"))
        #expect(html.contains("name=\"viewport\""))
    }

    @Test func issuesShowTheirEvidenceAndRecommendationsFollow() throws {
        let templates = try TemplateSet.builtIn()
        let md = ReportRenderer.markdown(renderedResult(), templates: templates)
        #expect(md.contains("### Issues"))
        #expect(md.contains("| 🔴 critical · latency spike | Latency spike from 00:45 to 00:53"))
        #expect(md.contains("00:45–00:53 · p99 222ms (threshold 123ms, usual 41ms) · 5.41× the usual p99"))
        #expect(md.contains(#"\| mostly &lt;connect&gt;."#))
        #expect(md.contains("### Recommendations\n\n- Look at the target's logs around 01:20"))
        let html = ReportRenderer.html(renderedResult(), templates: templates)
        #expect(html.contains(#"<td><span class="bad">critical</span><br><span class="muted">latency spike</span></td><td>Latency spike from 00:45 to 00:53"#))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("<connect>"))
    }

    @Test func aRunWithoutIssuesSaysNoneFound() throws {
        var r = renderedResult()
        r.issues = []
        r.recommendations = []
        let templates = try TemplateSet.builtIn()
        let md = ReportRenderer.markdown(r, templates: templates)
        #expect(md.contains("### Issues\n\nNone found.\n"))
        #expect(!md.contains("### Recommendations"))
        let html = ReportRenderer.html(r, templates: templates)
        #expect(html.contains("<h2>Issues</h2>\n<p class=\"muted\">None found.</p>"))
        #expect(!html.contains("<h2>Recommendations</h2>"))
        #expect(!TextSummary.render(r).contains("issue ("))
    }

    @Test func terminalSummaryHasOneLinePerIssue() throws {
        let text = TextSummary.render(renderedResult())
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("issue (") }
        #expect(lines == [
            "issue (critical): Latency spike from 00:45 to 00:53: p99 reached 222ms at 00:52, against 41ms in a usual second.",
            "issue (warning): Error burst at 01:20: 5 of 120 requests failed (4.2%, against 0.4% in the rest of the run) | mostly <connect>.",
        ])
    }

    @Test func partialRunsSayWhy() throws {
        var r = renderedResult()
        r.status = .partial
        r.stopReason = "SIGINT"
        let templates = try TemplateSet.builtIn()
        #expect(ReportRenderer.markdown(r, templates: templates).contains("**Partial run** — stopped early: SIGINT"))
        #expect(ReportRenderer.html(r, templates: templates).contains("Partial run — stopped early: SIGINT"))
    }
}
