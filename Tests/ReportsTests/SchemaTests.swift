import Analysis
@testable import Core
import Foundation
@testable import Reports
import TestSupport
import Testing
import Results

/// `schemas/result.schema.json` against what `ResultDocument` encodes (SPEC §9): the schema is
/// fully checked by `JSONSchemaValidator`, a document with every optional filled conforms and
/// exercises every property the schema declares, and breaking it is reported where it breaks.
@Suite struct SchemaTests {
    @Test func schemaFileIsValidJSONUsingOnlyCheckedKeywords() throws {
        let schema = try resultSchema()
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["$id"] as? String == "https://stress-ci.dev/schemas/result-1.json")
        #expect(JSONSchemaValidator.unsupportedKeywords(in: schema) == [])
    }

    @Test func everyPropertyIsDescribedForHumans() throws {
        let schema = try resultSchema()
        let undescribed = declaredProperties(schema).filter { path in
            (resolve(path, in: schema) as? [String: Any])?["description"] as? String == nil
        }
        #expect(undescribed.sorted() == [])
    }

    @Test func schemaVersionMatchesTheCode() throws {
        let schema = try resultSchema()
        let properties = try #require(schema["properties"] as? [String: Any])
        let version = try #require(properties["schema_version"] as? [String: Any])
        #expect(version["const"] as? Int == ResultDocument.currentSchemaVersion)
    }

    @Test func fullDocumentConformsAndCoversEverySchemaProperty() throws {
        let schema = try resultSchema()
        let instance = try encoded(fullResultDocument())
        #expect(JSONSchemaValidator.validate(instance, against: schema) == [])

        // Both directions: additionalProperties false keeps the encoder within the schema; this
        // keeps the schema within the encoder (no property the code never writes).
        var covered: Set<String> = []
        coveredProperties(instance, schemaAt: "#", root: schema, into: &covered)
        #expect(declaredProperties(schema).subtracting(covered).sorted() == [])
    }

    @Test func realQuickstartResultConforms() throws {
        let schema = try resultSchema()
        let data = try Data(contentsOf: schemaFixtures.appendingPathComponent("quickstart-result.json"))
        #expect(JSONSchemaValidator.validate(try JSONSerialization.jsonObject(with: data), against: schema) == [])

        // It is a genuine ResultDocument, and re-encoding it still conforms.
        let document = try ResultDocument.makeDecoder().decode(ResultDocument.self, from: data)
        #expect(JSONSchemaValidator.validate(try encoded(document), against: schema) == [])
    }

    @Test(arguments: [
        SchemaBreakage(remove: ["summary", "latency"], expected: "/summary/latency: required property is missing"),
        SchemaBreakage(remove: ["test_id"], expected: "/test_id: required property is missing"),
        SchemaBreakage(set: ["summary", "requests"], to: .string("many"), expected: "/summary/requests: expected integer, got string"),
        SchemaBreakage(set: ["metrics", "overall", "error_rate"], to: .string("0.1"), expected: "/metrics/overall/error_rate: expected number, got string"),
        SchemaBreakage(set: ["summary", "throughput"], to: .bool(true), expected: "/summary/throughput: expected number, got boolean"),
        SchemaBreakage(set: ["environment", "cores"], to: .number(1.5), expected: "/environment/cores: expected integer, got number"),
        SchemaBreakage(set: ["environment", "extra"], to: .string("x"), expected: "/environment/extra: property is not allowed here"),
        SchemaBreakage(set: ["comparison"], to: .string("x"), expected: "/comparison: expected object"),
        SchemaBreakage(set: ["status"], to: .string("done"), expected: #"/status: "done" is not one of "completed", "partial""#),
        SchemaBreakage(set: ["histograms", "0", "encoding"], to: .string("raw"), expected: "/histograms/0/encoding: \"raw\" is not one of"),
        SchemaBreakage(set: ["histograms", "1", "unit"], to: .string("ms"), expected: "/histograms/1/unit: \"ms\" is not one of \"us\""),
        SchemaBreakage(set: ["monitoring", "0", "category"], to: .string("host"), expected: "/monitoring/0/category: \"host\" is not one of"),
        SchemaBreakage(set: ["schema_version"], to: .number(2), expected: "/schema_version: 2 is not 1"),
        SchemaBreakage(set: ["test_id"], to: .string("checkout"), expected: #"/test_id: "checkout" does not match"#),
        SchemaBreakage(set: ["histograms", "0", "data"], to: .string("AAAA"), expected: #"/histograms/0/data: "AAAA" does not match"#),
        SchemaBreakage(set: ["started_at"], to: .string("yesterday"), expected: #"/started_at: "yesterday" is not an RFC 3339 date-time"#),
        SchemaBreakage(set: ["summary", "error_rate"], to: .number(1.5), expected: "/summary/error_rate: 1.5 is more than the maximum 1"),
        SchemaBreakage(set: ["metrics", "per_second", "0", "requests"], to: .number(-1), expected: "/metrics/per_second/0/requests: -1 is less than the minimum 0"),
        SchemaBreakage(set: ["tags", "team"], to: .number(7), expected: "/tags/team: expected string, got integer"),
        SchemaBreakage(set: ["target_metrics", "http_requests_total", "0"], to: .string("1"), expected: "/target_metrics/http_requests_total/0: expected number or null, got string"),
    ])
    func breakingTheDocumentIsReportedAtItsPointer(_ breakage: SchemaBreakage) throws {
        let schema = try resultSchema()
        let broken = breakage.apply(to: try encoded(fullResultDocument()))
        let violations = JSONSchemaValidator.validate(broken, against: schema)
        #expect(violations.contains { $0.hasPrefix(breakage.expected) }, "\(violations)")
    }

    @Test func everyViolationIsReportedNotJustTheFirst() throws {
        let schema = try resultSchema()
        var broken = try encoded(fullResultDocument())
        broken = SchemaBreakage(set: ["status"], to: .string("done"), expected: "").apply(to: broken)
        broken = SchemaBreakage(remove: ["verdict"], expected: "").apply(to: broken)
        broken = SchemaBreakage(set: ["scenario", "load", "model"], to: .string("ajar"), expected: "").apply(to: broken)
        let violations = JSONSchemaValidator.validate(broken, against: schema)
        #expect(violations.count == 3, "\(violations)")
    }
}

// MARK: - The schema and its fixtures

/// The repository's root: this file is `Tests/ReportsTests/SchemaTests.swift`.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let schemaFixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/schema")

private func resultSchema() throws -> [String: Any] {
    let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("schemas/result.schema.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

private func encoded(_ document: ResultDocument) throws -> [String: Any] {
    let data = try ResultDocument.makeEncoder().encode(document)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// A result with every optional filled and every collection non-empty, so that every property
/// the schema declares appears (the builtin and URL targets are exclusive in practice; both
/// are set here on purpose).
private func fullResultDocument() -> ResultDocument {
    let latency = ResultDocument.Latency(count: 400, min: 1.25, mean: 7.5, max: 32.2, percentiles: ["p50": 7.1, "p99.9": 29])
    let errors = ResultDocument.ErrorsByClass(connect: 1, timeout: 2, reset: 0, status: 3, expectation: 4)
    let window = ResultDocument.Window(
        requests: 400, throughput: 200, errors: 10, errorRate: 0.025, errorsByClass: errors,
        statusClasses: ["2xx": 394, "5xx": 3], dropped: 2, bytesIn: 52_000, bytesOut: 46_000,
        latency: latency, serviceTime: latency)
    let started = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    let data = "HISTFAAAAB94nJNpmSzMwMDAyAABzFAazL82eQmD/QeoCABVgwSI" // a genuine empty histogram
    return ResultDocument(
        schemaVersion: ResultDocument.currentSchemaVersion,
        testId: "20260101_000000_checkout-peak.v2",
        status: .partial,
        stopReason: "criterion `error_rate < 1%` failed and aborts",
        startedAt: started,
        endedAt: started.addingTimeInterval(4.5),
        target: "http://127.0.0.1:8080",
        tags: ["team": "payments", "build/id": "42"],
        scenario: RedactedScenario(
            name: "checkout-peak.v2", description: "Checkout under peak load",
            target: RedactedScenario.Target(
                url: "https://***@shop.example/api", builtin: "demo", latencySeconds: 0.005, jitterSeconds: 0.002,
                errorRate: 0.01, stallEverySeconds: 10, stallForSeconds: 1, start: ["./server", "--port", "8080"],
                readyPath: "/health", readyTimeoutSeconds: 30, metrics: "/metrics", insecure: true),
            load: RedactedScenario.Load(
                model: .open, warmupSeconds: 1, start: 10,
                stages: [.init(name: "ramp", durationSeconds: 2, target: 200), .init(name: "steady", durationSeconds: 2, target: 200)],
                maxInFlight: 1024, connections: 64, thinkSeconds: 0.5, timeoutSeconds: 5, keepalive: true),
            requests: [RedactedScenario.Request(
                name: "checkout", weight: 1, method: "POST", path: "/checkout/${random.int(1,9)}",
                headers: [.init(name: "authorization", value: "***")], body: #"{"qty": 1}"#,
                expectStatus: [200, 201], expectBodyContains: "ok")],
            faults: [RedactedScenario.Fault(kind: "latency", atSeconds: 2, forSeconds: 1, parameters: ["delay": "50ms"], name: "slow", request: "checkout"),
                     RedactedScenario.Fault(kind: "kill", atSeconds: 3, forSeconds: 0, parameters: [:])],
            criteria: ["error_rate < 1% abort"],
            regression: ["p95(latency) ±10%"]),
        environment: ResultDocument.EnvironmentInfo(
            host: "ci-runner-7", os: "Ubuntu 24.04 LTS", cores: 2, toolVersion: "0.1.0",
            gitCommit: "0123456789abcdef0123456789abcdef01234567", gitBranch: "main", ci: "github-actions"),
        timeline: ResultDocument.Timeline(
            warmupS: 1, plannedS: 5,
            states: [.init(from: "RUNNING", to: "STOPPING", atS: 4.5, reason: "aborted")],
            stages: [.init(name: "ramp", startS: 0, endS: 2), .init(name: "steady", startS: 2, endS: 4)],
            pauses: [.init(name: "pause", startS: 3, endS: 3.5)], faults: [.init(name: "slow", startS: 2.001, endS: 3.001)]),
        summary: ResultDocument.Summary(
            measuredS: 2, requests: 400, throughput: 200, errors: 10, errorRate: 0.025, dropped: 2,
            latency: latency, serviceTime: latency, sendLag: latency),
        metrics: ResultDocument.Metrics(
            overall: window,
            perRequest: [.init(name: "checkout", stats: window)],
            perStage: [.init(name: "steady", stats: window)],
            perSecond: [ResultDocument.Second(
                t: 0, requests: 200, throughput: 200, errors: errors, dropped: 1, inFlight: 3,
                bytesIn: 26_000, bytesOut: 23_000, latency: latency, serviceTime: latency)]),
        successCriteria: [ResultDocument.Criterion(
            criterion: "error_rate < 1% abort", passed: false, measured: 0.025, measuredText: "2.5%", limit: "< 1%",
            evidence: "10 errors of 400 requests in the measured 2s", abort: true)],
        verdict: ResultDocument.VerdictInfo(criteriaPassed: false, failed: ["error_rate < 1% abort"], exitCode: 1),
        histograms: [
            .init(metric: .latency, scope: .overall, name: nil, count: 0, data: data),
            .init(metric: .sendLag, scope: .request, name: "checkout", count: 0, data: data),
        ],
        monitoring: [ResultDocument.SourceSeries(
            source: "host", category: .system, samples: [.init(t: 0.5, values: ["cpu_percent": 42.5, "cores": 2])])],
        targetMetrics: ["http_requests_total": [198.5, nil]],
        warnings: ["the load generator used 95% CPU"],
        comparison: ResultDocument.Comparison(
            baseline: "main", baselineRuns: ["20260101_000000_checkout"],
            verdicts: [ResultDocument.RegressionVerdictInfo(
                metric: "p95 latency", verdict: .regression, change: 0.123, lower: 0.071, upper: 0.179, tolerance: 0.1,
                unit: .relative, baselineRuns: 10, candidateRuns: 1, reasons: ["a reason"], gating: true,
                line: "p95 latency +12.3% [+7.1%, +17.9%] (99% CI, 1 vs 10 runs, tolerance 10%) → regression")],
            notes: ["p99(latency{request=checkout}): not compared yet"]),
        issues: [RunIssue(
            kind: .errorBurst, severity: .critical,
            summary: "Error burst from 00:01 to 00:02: 9 of 200 requests failed (4.5%, against 0.5% in the rest of the run), mostly status 503 (100%).",
            evidence: .init(fromS: 1, toS: 2, metric: "error_rate", value: 0.045, unit: .fraction, threshold: 0.05,
                            reference: 0.005, count: 9, detail: "status 503 (100%)"), fault: "kill-2")],
        recommendations: ["Look at target.log around 00:01 of the measured run (00:00:02 UTC): the target answered with errors there, so its own log says why."],
        faults: [
            ResultDocument.FaultRecord(
                name: "slow", kind: .latency, parameters: ["delay": "50ms"], request: "checkout",
                planned: .init(startS: 2, endS: 3), actual: .init(startS: 2.001, endS: 3.001), requests: 200, affected: 199,
                recoveryS: 0, recoveryErrorRateLevel: 0.01, recoveryP95LevelMs: 7.5),
            ResultDocument.FaultRecord(
                name: "kill-2", kind: .kill, parameters: [:], planned: .init(startS: 3, endS: 3), actual: .init(startS: 3, endS: 3.01),
                restart: .init(killedS: 3, startedS: 3.01, readyS: 3.9, pid: 4242), recoveryS: nil, recoveryErrorRateLevel: 0.01),
        ])
}

// MARK: - Walking schema and instance together

/// Every property the schema declares, as a schema pointer (`#/$defs/latency/properties/count`).
private func declaredProperties(_ schema: Any, at path: String = "#") -> Set<String> {
    guard let schema = schema as? [String: Any] else { return [] }
    var found: Set<String> = []
    for keyword in ["properties", "$defs"] {
        for (name, subschema) in schema[keyword] as? [String: Any] ?? [:] {
            let subpath = "\(path)/\(keyword)/\(name)"
            if keyword == "properties" { found.insert(subpath) }
            found.formUnion(declaredProperties(subschema, at: subpath))
        }
    }
    for keyword in ["items", "additionalProperties"] where schema[keyword] != nil {
        found.formUnion(declaredProperties(schema[keyword]!, at: "\(path)/\(keyword)"))
    }
    return found
}

/// The declared properties `instance` has a value for.
private func coveredProperties(_ instance: Any, schemaAt path: String, root: [String: Any], into covered: inout Set<String>) {
    guard let schema = resolve(path, in: root) as? [String: Any] else { return }
    if let ref = schema["$ref"] as? String { coveredProperties(instance, schemaAt: ref, root: root, into: &covered) }
    if let object = instance as? [String: Any] {
        let properties = schema["properties"] as? [String: Any] ?? [:]
        for (name, value) in object {
            if properties[name] != nil {
                covered.insert("\(path)/properties/\(name)")
                coveredProperties(value, schemaAt: "\(path)/properties/\(name)", root: root, into: &covered)
            } else if schema["additionalProperties"] is [String: Any] {
                coveredProperties(value, schemaAt: "\(path)/additionalProperties", root: root, into: &covered)
            }
        }
    }
    if let array = instance as? [Any], schema["items"] != nil {
        for item in array { coveredProperties(item, schemaAt: "\(path)/items", root: root, into: &covered) }
    }
}

/// A `#/…` schema pointer (property names here contain no `/` or `~`).
private func resolve(_ path: String, in root: [String: Any]) -> Any? {
    path.split(separator: "/").dropFirst().reduce(root as Any?) { node, key in (node as? [String: Any])?[String(key)] }
}

// MARK: - Breaking a document

/// A replacement JSON value; Sendable so breakages can be test arguments.
enum SchemaTestValue: Sendable {
    case string(String), number(Double), bool(Bool)

    var json: Any {
        switch self {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b
        }
    }
}

/// One way to break an encoded result, and the start of the violation it must produce.
struct SchemaBreakage: Sendable, CustomTestStringConvertible {
    var path: [String]
    var value: SchemaTestValue?
    var expected: String

    init(remove path: [String], expected: String) { (self.path, self.value, self.expected) = (path, nil, expected) }
    init(set path: [String], to value: SchemaTestValue, expected: String) { (self.path, self.value, self.expected) = (path, value, expected) }

    var testDescription: String { expected }

    func apply(to document: [String: Any]) -> [String: Any] {
        Self.apply(path[...], value?.json, to: document) as! [String: Any]
    }

    /// `node` with the value at `path` replaced (or removed when `value` is nil); array
    /// indices are decimal strings.
    private static func apply(_ path: ArraySlice<String>, _ value: Any?, to node: Any) -> Any {
        guard let key = path.first else { return value as Any }
        let rest = path.dropFirst()
        if var array = node as? [Any], let index = Int(key) {
            array[index] = apply(rest, value, to: array[index])
            return array
        }
        var object = node as? [String: Any] ?? [:]
        if rest.isEmpty && value == nil {
            object[key] = nil
        } else {
            object[key] = apply(rest, value, to: object[key] as Any)
        }
        return object
    }
}
