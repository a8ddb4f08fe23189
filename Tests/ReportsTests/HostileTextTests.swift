import Foundation
import Testing
@testable import Core
@testable import Reports
@testable import Results

/// Hostile text in every free-text field of a result (see `HostileTextFixture.swift`), through
/// every artifact and the terminal summary: nothing becomes markup, nothing breaks a table row or
/// a terminal line, and every XML document stays valid.
@Suite struct HostileTextTests {
    let hostile = freeTextResult(hostile: true)
    let tame = freeTextResult(hostile: false)

    // MARK: HTML

    @Test func htmlReportHasNoMarkupFromTheResultAndShowsItLiterally() throws {
        let html = ReportRenderer.html(hostile, baseline: chartFixtureResult(histogramScale: 0.8), templates: try TemplateSet.builtIn())
        let page = try #require(parseHTML(html))
        let markup = page.elements.filter { ["img", "script", "iframe", "object", "embed", "link", "base", "form"].contains($0.name) }
        #expect(markup.isEmpty, "live elements: \(markup.map(\.name))")
        let handlers = page.elements.flatMap { e in e.attributes.keys.filter { $0.hasPrefix("on") }.map { "\(e.name)@\($0)" } }
        #expect(handlers.isEmpty, "event handler attributes: \(handlers)")
        // The same elements as the tame result's page: hostile text added none.
        let tamePage = try #require(parseHTML(ReportRenderer.html(tame, baseline: chartFixtureResult(histogramScale: 0.8), templates: try TemplateSet.builtIn())))
        #expect(page.elements.map(\.name) == tamePage.elements.map(\.name))
        // What was written is shown as text, scalar for scalar.
        for literal in ["\u{0600}<img src=x onerror=alert(1)>", "a\u{0301}<script>alert(1)</script>", "| y |", "]]>", "\u{202E}txt.exe"] {
            #expect(containsScalars(page.text, literal), "not shown literally: \(literal.debugDescription)")
        }
        // Control characters are neutralized, not passed on.
        #expect(!html.unicodeScalars.contains { $0.value == 0 || $0.value == 0x1B || $0.value == 0x85 })
    }

    @Test func htmlEscapingWorksPerScalar() {
        #expect(ScalarHTMLContentType.escape("\u{0600}<b>") == "\u{0600}&lt;b&gt;")
        #expect(ScalarHTMLContentType.escape("a\u{0301}<\u{0301}\"'&") == "a\u{0301}&lt;\u{0301}&quot;&#39;&amp;")
        #expect(ScalarHTMLContentType.escape("nul\u{0}esc\u{1B}del\u{7F}c1\u{9B}") == "nul\u{FFFD}esc\u{FFFD}del\u{FFFD}c1\u{FFFD}")
        #expect(ScalarHTMLContentType.escape("tab\tlf\ncr\r") == "tab\tlf\ncr\r")
    }

    @Test func userHTMLTemplatesEscapePerScalarToo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stress-ci-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // No pragma: swift-mustache's default would be its own HTML escaping, per Character.
        try Data("<p title=\"{{scenario.name}}\">{{scenario.description}}</p>\n".utf8)
            .write(to: dir.appendingPathComponent("report.html.mustache"))
        var r = hostile
        r.scenario.name = "a\u{0301}\" onmouseover=\"alert(1)"
        r.scenario.description = "\u{0600}<img src=x onerror=alert(1)>"
        let template = try String(contentsOf: dir.appendingPathComponent("report.html.mustache"), encoding: .utf8)
        let html = ReportRenderer.html(r, templates: try TemplateSet.custom(html: (template, "report.html.mustache"), markdown: nil))
        let page = try #require(parseHTML(html))
        #expect(page.elements.map(\.name) == ["html", "body", "p"])
        #expect(page.elements.last?.attributes == ["title": r.scenario.name])
        #expect(containsScalars(page.text, "\u{0600}<img src=x onerror=alert(1)>"))
        // The template's own HTML pragma is the same escaping.
        let own = try TemplateSet.parse("{{% CONTENT_TYPE: HTML}}\n<p>{{scenario.description}}</p>", kind: .html, name: "own")
        #expect(own.render(ReportViewModel.make(hostile)) == "<p>" + ScalarHTMLContentType.escape(hostile.scenario.description!) + "</p>")
    }

    @Test func templatesCannotSwitchEscapingOff() throws {
        for (text, kind) in [
            ("{{% CONTENT_TYPE: TEXT}}<p>{{scenario.name}}</p>", TemplateSet.Kind.html),
            ("<p>\n{{=<% %>=}}\n<%% CONTENT_TYPE:TEXT %>\n<%scenario.name%></p>", .html),
            ("{{% CONTENT_TYPE: MARKDOWN}}<p>{{scenario.name}}</p>", .html),
            ("{{% CONTENT_TYPE: TEXT }}| {{scenario.name}} |", .markdown),
            ("{{% CONTENT_TYPE: HTML}}| {{scenario.name}} |", .markdown),
        ] {
            #expect(throws: StressError.self, "\(text.debugDescription) was accepted") {
                _ = try TemplateSet.parse(text, kind: kind, name: "user")
            }
        }
        do {
            _ = try TemplateSet.parse("{{% CONTENT_TYPE: TEXT}}{{x}}", kind: .html, name: "report.html.mustache")
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("report.html.mustache"))
            #expect(error.message.contains("TEXT"))
        }
    }

    @Test func parseErrorsCountTheTemplatesOwnLines() throws {
        do {
            _ = try TemplateSet.parse("line one\nline two {{#open}}\nnever closed", kind: .html, name: "t.mustache")
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("t.mustache"))
            #expect(error.message.contains("line 3"), "\(error.message)")
        }
    }

    // MARK: Markdown

    @Test func markdownTablesKeepTheirRowsAndColumns() throws {
        let templates = try TemplateSet.builtIn()
        let md = ReportRenderer.markdown(hostile, templates: templates)
        let tables = markdownTables(md)
        let tameTables = markdownTables(ReportRenderer.markdown(tame, templates: templates))
        #expect(tables.count == tameTables.count)
        #expect(tables.count >= 4)
        #expect(tables.map(\.count) == tameTables.map(\.count), "rows per table")
        for (i, table) in tables.enumerated() {
            let header = table[0].count
            #expect(table.allSatisfy { $0.count == header }, "table \(i): cells per row \(table.map(\.count))")
        }
        // No line break of any kind but the template's own LFs, and no raw tag.
        #expect(!md.unicodeScalars.contains { $0 == "\r" || $0.value == 0x85 || $0.value == 0x2028 || $0.value == 0x2029 || $0.value < 0x09 })
        #expect(md.split(separator: "\n", omittingEmptySubsequences: false).count
            == ReportRenderer.markdown(tame, templates: templates).split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(!containsScalars(md, "<img") && !containsScalars(md, "<script"))
    }

    @Test func markdownEscapingWorksPerScalar() {
        #expect(MarkdownContentType.escape("x\r\n| y |") == #"x  \| y \|"#)
        #expect(MarkdownContentType.escape("\u{0600}<b>") == "\u{0600}&lt;b&gt;")
        #expect(MarkdownContentType.escape("a\u{0300}|b") == "a\u{0300}\\|b")
        #expect(MarkdownContentType.escape("ls\u{2028}ps\u{2029}nel\u{85}tab\tesc\u{1B}") == "ls ps nel tab esc ")
        #expect(MarkdownContentType.escape("*_[]#~`\\") == ##"\*\_\[\]\#\~\`\\"##)
    }

    @Test func userMarkdownTemplatesEscapeForMarkdown() throws {
        // No pragma: Markdown escaping all the same.
        let template = try TemplateSet.parse("| name |\n|---|\n| {{scenario.name}} |\n", kind: .markdown, name: "user")
        let md = template.render(ReportViewModel.make(hostile))
        let tables = markdownTables(md)
        #expect(tables.map(\.count) == [3])
        #expect(tables.first?.allSatisfy { $0.count == 1 } == true)
    }

    // MARK: JUnit and SVG

    @Test func junitIsValidAndCarriesTheTextAsText() throws {
        let xml = try JUnitWriter.render(hostile, regressions: freeTextRegressions(hostile: true))
        #expect(junitSchemaErrors(xml) == [])
        let root = try #require(parseXML(xml))
        #expect(root.all("testcase").count == 4)
        #expect(root.all("failure").count == 2)
        let names = root.all("testcase").compactMap { $0["name"] }
        #expect(names.contains { containsScalars($0, "\u{0600}<img src=x onerror=alert(1)>") })
        #expect(names.contains { containsScalars($0, "]]>") })
        let properties = root.all("property").map { ($0["name"] ?? "", $0["value"] ?? "") }
        #expect(properties.contains { $0.0 == "scenario" && $0.1 == JUnitXMLTextWriter.xmlSafe(hostile.scenario.name) })
        #expect(properties.contains { $0.0 == "stop_reason" && $0.1 == JUnitXMLTextWriter.xmlSafe(hostile.stopReason!) })
        // The terminal summary in <system-out> has no escape sequence either.
        let out = try #require(root.all("system-out").first).text
        #expect(!out.unicodeScalars.contains { $0.value == 0x1B || $0 == "\r" })
    }

    @Test func svgChartsParseAsXMLWithTheNamesAsText() throws {
        let charts = [
            ReportCharts.throughput(hostile), ReportCharts.latency(hostile), ReportCharts.errors(hostile),
            ReportCharts.distribution(hostile, baseline: hostile),
        ]
        for svg in charts {
            let root = try #require(parseXML(Data(svg.utf8)), "not well-formed: \(svg.prefix(200))")
            #expect(root.name == "svg")
            #expect(root.all("script").isEmpty && root.all("img").isEmpty)
        }
        let titles = try #require(parseXML(Data(charts[0].utf8))).all("title").map(\.text)
        #expect(titles.contains { containsScalars($0, "\u{0600}<img src=x onerror=alert(1)>") || containsScalars($0, "a\u{0301}<script>") })
        #expect(escapeXML("a\u{0301}<\u{0}\u{85}]]>") == "a\u{0301}&lt;\u{FFFD}\u{FFFD}]]&gt;")
    }

    // MARK: Terminal

    @Test func terminalSummaryKeepsEachValueOnItsLine() {
        let text = TextSummary.render(hostile)
        let forbidden = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || [0x2028, 0x2029, 0x202E].contains($0.value) }
        #expect(forbidden.isEmpty, "control characters: \(forbidden.map { String($0.value, radix: 16) })")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let tameLines = TextSummary.render(tame).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == tameLines.count)
        // Each line starts as the tame one does: no value pushed text onto a line of its own.
        for (line, tameLine) in zip(lines, tameLines) {
            #expect(line.prefix(8) == tameLine.prefix(8), "\(line.debugDescription) against \(tameLine.debugDescription)")
        }
        #expect(containsScalars(text, #"x\r\n| y |"#))
        #expect(containsScalars(text, #"\e[2J\e[1;1H"#))
        #expect(containsScalars(text, #"nul\u{0}end"#))
        #expect(!TextSummary.verdictLine(hostile).unicodeScalars.contains { $0.value == 0x1B || $0 == "\n" || $0 == "\r" })
    }

    @Test func terminalTextShowsControlsAsEscapes() {
        #expect(TerminalText.sanitize("plain ✓ text") == "plain ✓ text")
        #expect(TerminalText.sanitize("a\r\nb\tc\u{1B}[0m\u{7F}\u{9B}\u{2028}\u{202E}") == #"a\r\nb\tc\e[0m\u{7F}\u{9B}\u{2028}\u{202E}"#)
    }

    @Test func workflowCommandsEscapeAsGitHubDocuments() {
        #expect(WorkflowCommand.escapeData("50% of\r\nall") == "50%25 of%0D%0Aall")
        #expect(WorkflowCommand.escapeData("a:b,c") == "a:b,c")
        #expect(WorkflowCommand.escapeProperty("a:b,c%\n") == "a%3Ab%2Cc%25%0A")
        #expect(WorkflowCommand.escapeData("\u{1B}[2J::error::forged") == #"\e[2J::error::forged"#)
        for sample in hostileSamples {
            for escaped in [WorkflowCommand.escapeData(sample), WorkflowCommand.escapeProperty(sample)] {
                #expect(!escaped.unicodeScalars.contains { $0 == "\n" || $0 == "\r" || $0.value == 0x1B || $0.value == 0 })
            }
        }
    }
}
