import CLibXML2
import Foundation
import TestSupport
@testable import Core
@testable import Reports
import Results

/// `Tests/Fixtures/junit`, found from this file's path.
let junitFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/junit")

/// The problems libxml2's schema validator finds in `document` against `junit-10.xsd`; empty when valid.
func junitSchemaErrors(_ document: Data) -> [String] {
    XMLSchemaValidation.errors(in: document, schemaPath: junitFixtures.appendingPathComponent("junit-10.xsd").path)
}

/// An element of a parsed document: enough of a DOM to assert on.
struct ParsedElement {
    var name: String
    var attributes: [String: String]
    var children: [ParsedElement]
    /// The concatenated text directly inside the element.
    var text: String

    func all(_ name: String) -> [ParsedElement] {
        (self.name == name ? [self] : []) + children.flatMap { $0.all(name) }
    }

    subscript(attribute: String) -> String? { attributes[attribute] }
}

/// `document` parsed by libxml2 (no network, no entity expansion), or nil when it is not well-formed.
func parseXML(_ document: Data) -> ParsedElement? {
    _ = libxml2Ready
    let parsed = document.withUnsafeBytes { bytes in
        xmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), "junit.xml", nil, Int32(XML_PARSE_NONET.rawValue))
    }
    guard let doc = parsed else { return nil }
    defer { xmlFreeDoc(doc) }
    func string(_ p: UnsafePointer<xmlChar>?) -> String { p.map { String(cString: $0) } ?? "" }
    func convert(_ node: xmlNodePtr) -> ParsedElement {
        var attributes: [String: String] = [:]
        var attr = node.pointee.properties
        while let a = attr {
            // An attribute's value is its text children (xmlGetProp's copy would need xmlFree,
            // a global Swift 6 will not touch).
            var value = ""
            var part = a.pointee.children
            while let p = part {
                value += string(p.pointee.content)
                part = p.pointee.next
            }
            attributes[string(a.pointee.name)] = value
            attr = a.pointee.next
        }
        var children: [ParsedElement] = []
        var text = ""
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE: children.append(convert(c))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: text += string(c.pointee.content)
            default: break
            }
            child = c.pointee.next
        }
        return ParsedElement(name: string(node.pointee.name), attributes: attributes, children: children, text: text)
    }
    return xmlDocGetRootElement(doc).map(convert)
}

/// A run of `checkout` with fixed dates and numbers: one passing and one failing criterion.
func junitFixtureResult(
    scenario: String = "checkout",
    criteria: [ResultDocument.Criterion]? = nil,
    stopReason: String? = nil,
    warnings: [String] = ["generator CPU above 90% for 3s: latency may be inflated"]
) -> ResultDocument {
    let latency = ResultDocument.Latency(count: 6000, min: 1.2, mean: 18.4, max: 240.5,
                                         percentiles: ["p50": 12.5, "p90": 35.0, "p95": 48.25, "p99": 120.0])
    let errorClasses = ResultDocument.ErrorsByClass(connect: 0, timeout: 3, reset: 0, status: 9, expectation: 0)
    let window = ResultDocument.Window(
        requests: 6000, throughput: 100, errors: 12, errorRate: 0.002, errorsByClass: errorClasses,
        statusClasses: ["2xx": 5991, "5xx": 9], dropped: 0, bytesIn: 1_200_000, bytesOut: 300_000,
        latency: latency, serviceTime: latency)
    let defaultCriteria = [
        ResultDocument.Criterion(criterion: "error_rate < 1%", passed: true, measured: 0.002, measuredText: "0.2%",
                                 limit: "< 1%", evidence: "12 errors in 6000 requests", abort: false),
        ResultDocument.Criterion(criterion: "p95(latency) < 40ms", passed: false, measured: 48.25, measuredText: "48.25ms",
                                 limit: "< 40ms", evidence: "p95 over the 60s measured window was 48.25ms", abort: true),
    ]
    let started = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    return ResultDocument(
        schemaVersion: 1,
        testId: "20260101_000000_checkout",
        status: stopReason == nil ? .completed : .partial,
        stopReason: stopReason,
        startedAt: started,
        endedAt: started.addingTimeInterval(65.5),
        target: "http://127.0.0.1:8080",
        tags: ["team": "payments", "build": "42"],
        scenario: RedactedScenario(
            name: scenario, description: nil, target: RedactedScenario.Target(url: "http://127.0.0.1:8080", insecure: false),
            load: RedactedScenario.Load(model: .open, warmupSeconds: 5, start: 0, stages: [.init(name: "steady", durationSeconds: 60, target: 100)],
                                        maxInFlight: 1000, connections: 16, thinkSeconds: 0, timeoutSeconds: 10, keepalive: true),
            requests: [], faults: [], criteria: [], regression: []),
        environment: ResultDocument.EnvironmentInfo(
            host: "ci-runner-7", os: "Ubuntu 24.04 LTS", cores: 2, toolVersion: "0.1.0",
            gitCommit: "0123456789abcdef0123456789abcdef01234567", gitBranch: "main", ci: "github-actions"),
        timeline: ResultDocument.Timeline(warmupS: 5, plannedS: 65, states: [], stages: [], pauses: []),
        summary: ResultDocument.Summary(
            measuredS: 60, requests: 6000, throughput: 100, errors: 12, errorRate: 0.002, dropped: 0,
            latency: latency, serviceTime: latency, sendLag: nil),
        metrics: ResultDocument.Metrics(overall: window, perRequest: [], perStage: [], perSecond: []),
        successCriteria: criteria ?? defaultCriteria,
        verdict: ResultDocument.VerdictInfo(
            criteriaPassed: (criteria ?? defaultCriteria).allSatisfy(\.passed),
            failed: (criteria ?? defaultCriteria).filter { !$0.passed }.map(\.criterion),
            exitCode: (criteria ?? defaultCriteria).allSatisfy(\.passed) ? 0 : 1),
        histograms: [], monitoring: [], targetMetrics: nil,
        warnings: warnings, issues: [], recommendations: [])
}
