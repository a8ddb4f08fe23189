import Analysis
import CLibXML2
import Foundation
import TestSupport
@testable import Core
@testable import Reports
import Results

/// Strings a scenario, a command line or a target could carry to attack a report or a terminal:
/// a Prepend code point and a combining mark glued to a `<`, a CR LF (one `Character`) and table
/// pipes, an escape sequence, a CDATA end, a NUL, line and paragraph separators, a bidi override.
let hostileSamples = [
    "\u{0600}<img src=x onerror=alert(1)>",
    "a\u{0301}<script>alert(1)</script>",
    "x\r\n| y |",
    "\u{1B}[2J\u{1B}[1;1H",
    "]]>",
    "nul\u{0}end",
    "ls\u{2028}ps\u{2029}nel\u{85}",
    "cr\rback",
    "\u{202E}txt.exe",
    "a\u{0300}|b\u{0300}\\c%0A:,",
]

/// Makes the free-text fields of a result: `text(label)` gives the value for the field `label`.
/// The hostile version appends a hostile sample to each label, the tame one leaves the label alone,
/// so both results have the same shape (criteria, requests, stages, issues…).
struct FreeText {
    private var next = 0
    let hostile: Bool

    init(hostile: Bool) { self.hostile = hostile }

    mutating func callAsFunction(_ label: String) -> String {
        guard hostile else { return label }
        defer { next += 1 }
        return label + " " + hostileSamples[next % hostileSamples.count]
    }
}

/// The chart fixture with every free-text field taken from `text`: description, scenario and
/// request names, stage names, tags, target, stop reason, criteria, warnings, issues,
/// recommendations, the comparison, the environment.
func freeTextResult(hostile: Bool) -> ResultDocument {
    var text = FreeText(hostile: hostile)
    let stageNames = (1...4).map { text("stage \($0)") }
    var r = chartFixtureResult(stageNames: stageNames)
    r.scenario.name = text("checkout")
    r.scenario.description = text("the checkout flow")
    r.target = text("http://127.0.0.1:8080/")
    r.status = .partial
    r.stopReason = text("SIGINT")
    r.tags = [text("team"): text("payments"), "branch": text("feature")]
    r.environment.host = text("runner")
    r.environment.gitBranch = text("main")
    let window = r.metrics.overall
    r.metrics.perRequest = [.init(name: text("login"), stats: window), .init(name: text("pay"), stats: window)]
    r.metrics.perStage = stageNames.map { .init(name: $0, stats: window) }
    r.successCriteria = [
        .init(criterion: text("p95(latency) < 250ms"), passed: true, measured: 0.012, measuredText: text("12ms"), limit: text("< 250ms"),
              evidence: text("p95 over 9,000 responses"), abort: false),
        .init(criterion: text("error_rate < 1%"), passed: false, measured: 0.031, measuredText: text("3.1%"), limit: text("< 1%"),
              evidence: text("62 errors of 2,000 requests"), abort: true),
    ]
    r.verdict = .init(criteriaPassed: false, failed: [r.successCriteria[1].criterion], exitCode: 1)
    r.warnings = [text("the generator was busy"), text("a second warning")]
    r.issues = [
        RunIssue(kind: .errorBurst, severity: .critical, summary: text("Error burst at 01:20"),
                 evidence: .init(fromS: 80, toS: 81, metric: "error_rate", value: 0.042, unit: .fraction, detail: text("mostly connect"))),
        RunIssue(kind: .latencySpike, severity: .warning, summary: text("Latency spike at 00:45"),
                 evidence: .init(fromS: 45, toS: 53, metric: "p99_latency", value: 222, unit: .milliseconds)),
    ]
    r.recommendations = [text("Look at the target's logs")]
    r.comparison = .init(
        baseline: text("main"), baselineRuns: [text("run-1")],
        verdicts: [
            .init(metric: text("p95 latency"), verdict: .regression, change: 0.12, lower: 0.07, upper: 0.18, tolerance: 0.1,
                  unit: .relative, baselineRuns: 1, candidateRuns: 1, reasons: [text("few runs")], gating: true,
                  line: text("p95 latency +12.0%")),
        ],
        notes: [text("throughput was not compared")])
    // A fault's free text: its request and parameter values come from the scenario.
    r.faults = [
        .init(name: "slow-db", kind: .latency, parameters: ["delay": text("200ms")], request: text("pay"),
              planned: .init(startS: 20, endS: 30), actual: .init(startS: 20, endS: 30), requests: 100, affected: 100, recoveryS: 0),
    ]
    return r
}

/// The regression checks `junit.xml` gets for the free-text result.
func freeTextRegressions(hostile: Bool) -> [JUnitRegressionCheck] {
    var text = FreeText(hostile: hostile)
    return [
        JUnitRegressionCheck(name: text("p95(latency) ±10%"), passed: false, measured: text("212ms"), limit: text("186ms ±10%"),
                             evidence: text("the interval lies above the tolerance")),
        JUnitRegressionCheck(name: text("error_rate +1pp"), passed: true, measured: text("0.1%"), limit: text("0.1% +1pp"),
                             evidence: text("unchanged")),
    ]
}

/// Whether `text` holds `part` as a run of Unicode scalars (not `Character`s: a hostile sample's
/// first scalar can join the cluster before it).
func containsScalars(_ text: String, _ part: String) -> Bool {
    let haystack = Array(text.unicodeScalars), needle = Array(part.unicodeScalars)
    guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
    return (0...(haystack.count - needle.count)).contains { i in haystack[i..<(i + needle.count)].elementsEqual(needle) }
}

/// An HTML document as libxml2's HTML parser (what a browser does, near enough) sees it.
struct ParsedHTML {
    /// Every element: its lower-cased name and attributes.
    var elements: [(name: String, attributes: [String: String])] = []
    /// The text of every text node, concatenated, entities decoded.
    var text = ""
}

/// `html` parsed by libxml2's HTML parser, or nil when it cannot be parsed at all.
func parseHTML(_ html: String) -> ParsedHTML? {
    _ = libxml2Ready
    let bytes = Array(html.utf8)
    let options = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue)
    let parsed = bytes.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
            htmlReadMemory($0, Int32(buffer.count), "report.html", "UTF-8", options)
        }
    }
    guard let doc = parsed else { return nil }
    defer { xmlFreeDoc(doc) }
    var out = ParsedHTML()
    func walk(_ node: xmlNodePtr?) {
        var n = node
        while let current = n {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                var attributes: [String: String] = [:]
                var a = current.pointee.properties
                while let attr = a {
                    var value = ""
                    var part = attr.pointee.children
                    while let p = part {
                        value += p.pointee.content.map { String(cString: $0) } ?? ""
                        part = p.pointee.next
                    }
                    attributes[String(cString: attr.pointee.name).lowercased()] = value
                    a = attr.pointee.next
                }
                out.elements.append((String(cString: current.pointee.name).lowercased(), attributes))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                out.text += current.pointee.content.map { String(cString: $0) } ?? ""
            default:
                break
            }
            walk(current.pointee.children)
            n = current.pointee.next
        }
    }
    walk(xmlDocGetRootElement(doc))
    return out
}

/// The tables of a Markdown document: runs of lines starting with `|`, each row split into its
/// cells the way GitHub does (a backslash escapes the character after it, `\|` included).
func markdownTables(_ markdown: String) -> [[[String]]] {
    var tables: [[[String]]] = []
    var current: [[String]] = []
    // Lines end at LF only: a CR or U+2028 inside a row is exactly what must not happen, and
    // splitting on it would hide it.
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.unicodeScalars.first == "|" {
            current.append(markdownCells(String(line)))
        } else if !current.isEmpty {
            tables.append(current)
            current = []
        }
    }
    if !current.isEmpty { tables.append(current) }
    return tables
}

private func markdownCells(_ row: String) -> [String] {
    var cells: [String] = []
    var cell = String.UnicodeScalarView()
    var escaped = false
    for scalar in row.unicodeScalars.dropFirst() {
        if escaped {
            cell.append(scalar)
            escaped = false
        } else if scalar == "\\" {
            cell.append(scalar)
            escaped = true
        } else if scalar == "|" {
            cells.append(String(cell))
            cell = String.UnicodeScalarView()
        } else {
            cell.append(scalar)
        }
    }
    if !String(cell).trimmingCharacters(in: .whitespaces).isEmpty { cells.append(String(cell)) }
    return cells
}
