import Foundation
@testable import StressCI
import Store

/// One absurd value put at one JSON path of a real result, and the JSON path the refusal must
/// name (the value's own, or a field it contradicts).
struct HostileMutation: Sendable, CustomStringConvertible {
    /// Where the value goes: `metrics.per_second[3].t`.
    var path: String
    /// The value, as JSON text: `1e308`, `-5`, `"0001-01-01T00:00:00Z"`, `{…}`.
    var json: String
    /// The JSON path the message names (defaults to `path`).
    var named: String

    init(_ path: String, _ json: String, named: String? = nil) {
        self.path = path
        self.json = json
        self.named = named ?? path
    }

    var description: String { "\(path) = \(json.prefix(60))" }
}

/// The fixture result as plain JSON, mutated and written where the commands read results.
enum HostileResult {
    static let fixturePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schema/quickstart-result.json").path

    /// The real result as a JSON object.
    static func fixture() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The fixture with `mutation` applied.
    static func mutated(_ mutation: HostileMutation, testId: String? = nil) throws -> [String: Any] {
        var object = try fixture()
        if let testId { object["test_id"] = testId }
        let value = try JSONSerialization.jsonObject(with: Data(mutation.json.utf8), options: .fragmentsAllowed)
        return try set(object, at: components(mutation.path)[...], to: value) as! [String: Any]
    }

    /// A baseline file holding `runs`, as `baseline save` writes one.
    static func baseline(_ runs: [[String: Any]]) throws -> [String: Any] {
        let shape = Baseline.loadShape(of: StoreFixture.base)
        return ["schema_version": 1, "name": "main", "keep": 10, "scenario": "quickstart", "load_shape": shape, "runs": runs]
    }

    static func write(_ object: [String: Any], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    private enum Component { case key(String), index(Int) }

    /// `a.b[3].c` → key a, key b, index 3, key c.
    private static func components(_ path: String) -> [Component] {
        var out: [Component] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                out.append(.key(String(rest[..<bracket])))
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    out.append(.index(Int(rest[rest.index(after: rest.startIndex)..<close])!))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                out.append(.key(String(rest)))
            }
        }
        return out
    }

    private struct MissingPath: Error {}

    private static func set(_ node: Any, at path: ArraySlice<Component>, to value: Any) throws -> Any {
        guard let first = path.first else { return value }
        switch first {
        case .key(let key):
            guard var object = node as? [String: Any] else { throw MissingPath() }
            object[key] = try set(object[key] as Any, at: path.dropFirst(), to: value)
            return object
        case .index(let index):
            guard var array = node as? [Any], array.indices.contains(index) else { throw MissingPath() }
            array[index] = try set(array[index], at: path.dropFirst(), to: value)
            return array
        }
    }
}

extension HostileMutation {
    /// Uncompressed HdrHistogram V2 bytes (the decoder reads this form too), base64, as JSON text.
    static func histogramJSON(digits: UInt32, lowest: UInt64, highest: UInt64, payload: [UInt8]) -> String {
        var bytes: [UInt8] = []
        func append32(_ v: UInt32) { for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) } }
        func append64(_ v: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) } }
        append32(0x1C84_9313 | 0x10)
        append32(UInt32(payload.count))
        append32(0)
        append32(digits)
        append64(lowest)
        append64(highest)
        append64((1.0 as Double).bitPattern)
        return "\"\(Data(bytes + payload).base64EncodedString())\""
    }

    /// ZigZag LEB128 of `value` (HdrHistogram's V2 payload integers).
    static func zigzag(_ value: Int64) -> [UInt8] {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        var out: [UInt8] = []
        for _ in 0 ..< 8 {
            if v < 0x80 { return out + [UInt8(v)] }
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        return out + [UInt8(truncatingIfNeeded: v)]
    }

    /// The table: one absurd value per row, each refused with exit 65 naming the file and the path.
    static let table: [HostileMutation] = {
        let huge = "9223372036854775807"
        var rows: [HostileMutation] = [
            .init("summary.requests", "-5"),
            .init("summary.requests", huge),
            .init("summary.requests", "1e308"),
            .init("summary.errors", "3000", named: "summary.errors"), // more errors than requests
            .init("summary.throughput", "1e308"),
            .init("summary.throughput", "-1e308"),
            .init("summary.error_rate", "1.5"),
            .init("summary.measured_s", "1e300"),
            .init("summary.measured_s", "-1"),
            .init("summary.measured_s", "1e-300"),
            .init("summary.latency.count", huge),
            .init("summary.latency.count", "-1"),
            .init("summary.latency.max", "1e300"),
            .init("summary.latency.percentiles.p95", "-3"),
            .init("summary.latency.percentiles.p95", "1e308"),
            .init("summary.send_lag.percentiles.p99", "1e300"),
            .init("metrics.overall.requests", "-5"),
            .init("metrics.overall.requests", huge),
            .init("metrics.overall.bytes_in", huge),
            .init("metrics.overall.throughput", "1e308"),
            .init("metrics.overall.error_rate", "-0.5"),
            .init("metrics.overall.status_classes.2xx", huge),
            .init("metrics.per_request[0].stats.errors_by_class.timeout", huge),
            .init("metrics.per_request[1].stats.latency.mean", "-1e308"),
            .init("metrics.per_stage[1].stats.service_time.percentiles.p50", "1e308"),
            .init("metrics.per_second[3].t", "2"), // not after the second before it
            .init("metrics.per_second[3].t", huge),
            .init("metrics.per_second[0].t", "-1"),
            .init("metrics.per_second[0].requests", "-5"),
            .init("metrics.per_second[0].in_flight", huge),
            .init("metrics.per_second[0].latency.mean", "1e308"),
            .init("metrics.per_second[9].errors.connect", huge),
            .init("timeline.warmup_s", "1e300"),
            .init("timeline.planned_s", "-1e308"),
            .init("timeline.states[2].at_s", "1e300"),
            .init("timeline.stages[1].end_s", "1e300"),
            .init("timeline.stages[1].end_s", "-4"),
            .init("scenario.load.warmup_seconds", "1e300"),
            .init("scenario.load.start", "-1e308"),
            .init("scenario.load.stages[1].duration_seconds", "1e300"),
            .init("scenario.load.stages[1].target", "1e308"),
            .init("scenario.load.connections", huge),
            .init("scenario.load.max_in_flight", "-1"),
            .init("scenario.load.timeout_seconds", "1e300"),
            .init("scenario.target.latency_seconds", "1e300"),
            .init("scenario.target.error_rate", "7"),
            .init("scenario.requests[0].weight", huge),
            .init("success_criteria[0].measured", "1e308"),
            .init("success_criteria[2].measured", "-1e308"),
            .init("verdict.exit_code", "9999"),
            .init("environment.cores", "-1"),
            .init("started_at", "\"0001-01-01T00:00:00Z\""),
            .init("ended_at", "\"2999-01-01T00:00:00Z\""),
            .init("ended_at", "\"2020-01-01T00:00:00Z\""), // before it started
            .init("histograms[0].count", huge),
            .init("histograms[0].count", "5"), // its data holds 2 000
            .init("histograms[0].data", "\"not base64!\""),
            .init("monitoring[0].samples[1].values.cpu_percent", "1e308"),
            .init("monitoring[0].samples[1].t", "1e300"),
            .init("target_metrics", #"{"http_requests_total": [1, 2, 1e308]}"#, named: "target_metrics.http_requests_total[2]"),
            .init("comparison", #"{"baseline": "main", "baseline_runs": ["a"], "notes": [], "verdicts": [{"metric": "p95 latency", "verdict": "unchanged", "change": 0.01, "lower": -0.02, "upper": 0.03, "tolerance": 1e300, "unit": "relative", "baseline_runs": 1, "candidate_runs": 1, "reasons": [], "gating": true, "line": "x"}]}"#,
                  named: "comparison.verdicts[0].tolerance"),
            .init("issues", #"[{"kind": "latency_spike", "severity": "warning", "summary": "x", "evidence": {"from_s": 1, "to_s": 2, "metric": "p99_latency", "value": 1e300, "unit": "ms"}}]"#,
                  named: "issues[0].evidence.value"),
            .init("issues", #"[{"kind": "error_burst", "severity": "warning", "summary": "x", "evidence": {"from_s": 5, "to_s": 1e300, "metric": "error_rate", "value": 0.5, "unit": "fraction"}}]"#,
                  named: "issues[0].evidence.to_s"),
        ]
        // Histograms whose data decode to absurd things: a range needing millions of counts,
        // a count of Int64.max, a bucket index two billion past the end.
        rows.append(.init("histograms[0].data", histogramJSON(digits: 5, lowest: 1, highest: UInt64(Int64.max), payload: zigzag(1))))
        rows.append(.init("histograms[1].data", histogramJSON(digits: 3, lowest: 1, highest: 3_600_000_000, payload: zigzag(Int64.max)),
                          named: "histograms[1]"))
        rows.append(.init("histograms[2].data", histogramJSON(digits: 3, lowest: 1, highest: 3_600_000_000,
                                                             payload: zigzag(-Int64(Int32.max)) + zigzag(1))))
        return rows
    }()
}
