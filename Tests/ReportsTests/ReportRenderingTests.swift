import CLibXML2
import Foundation
import Testing
@testable import Core
@testable import Reports

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

    @Test func partialRunsSayWhy() throws {
        var r = renderedResult()
        r.status = "partial"
        r.stopReason = "SIGINT"
        let templates = try TemplateSet.builtIn()
        #expect(ReportRenderer.markdown(r, templates: templates).contains("**Partial run** — stopped early: SIGINT"))
        #expect(ReportRenderer.html(r, templates: templates).contains("Partial run — stopped early: SIGINT"))
    }
}
