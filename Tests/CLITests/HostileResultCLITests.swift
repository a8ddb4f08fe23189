import Foundation
import Testing

/// Every command that reads a stored result or baseline answers a corrupt or hostile one with exit
/// 65 naming the file and the value's JSON path: never a trap (132/133/134), a hang, or a huge
/// allocation. The library tests (`HostileResultTests`) go through the whole table of values;
/// these check the commands end to end.
@Suite struct HostileResultCLITests {
    static let runID = "20261127_222219_quickstart"

    /// The real result with `mutate` applied to its JSON.
    static func result(_ mutate: (inout [String: Any]) -> Void = { _ in }) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: CLIProcess.fixture("schema/quickstart-result.json")))
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        mutate(&object)
        return object
    }

    static func write(_ object: Any, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: url)
    }

    /// `metrics.per_second[3].t` set to Int.max (a second far beyond any run).
    static func farSecond(_ r: inout [String: Any]) {
        var metrics = r["metrics"] as! [String: Any]
        var seconds = metrics["per_second"] as! [[String: Any]]
        seconds[3]["t"] = Int.max
        metrics["per_second"] = seconds
        r["metrics"] = metrics
    }

    /// `summary.latency.percentiles.p95` set to 1e308.
    static func hugePercentile(_ r: inout [String: Any]) {
        var summary = r["summary"] as! [String: Any]
        var latency = summary["latency"] as! [String: Any]
        var percentiles = latency["percentiles"] as! [String: Any]
        percentiles["p95"] = 1e308
        latency["percentiles"] = percentiles
        summary["latency"] = latency
        r["summary"] = summary
    }

    /// `histograms[0].data`: a histogram whose header asks for a range of millions of counts.
    static func hugeHistogram(_ r: inout [String: Any]) {
        var bytes: [UInt8] = []
        func append(_ v: UInt64, _ width: Int) { for i in (0..<width).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) } }
        append(0x1C84_9323, 4) // uncompressed V2 cookie
        append(1, 4) // payload length
        append(0, 4)
        append(5, 4) // significant digits
        append(1, 8) // lowest
        append(UInt64(Int64.max), 8) // highest
        append((1.0 as Double).bitPattern, 8)
        bytes.append(2) // one count of 1
        var histograms = r["histograms"] as! [[String: Any]]
        histograms[0]["data"] = Data(bytes).base64EncodedString()
        r["histograms"] = histograms
    }

    static func expect65(_ outcome: CLIProcess.Outcome, naming file: String, _ path: String, _ what: String,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(outcome.status == 65, "\(what): exit \(outcome.status), stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(file), "\(what): \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(path), "\(what): \(outcome.stderr)", sourceLocation: sourceLocation)
    }

    @Test func reportAndCompareRefuseAHostileResultFile() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hostile = dir.appendingPathComponent("hostile.json")
        let good = dir.appendingPathComponent("good.json")
        try Self.write(try Self.result(Self.hugePercentile), to: hostile)
        try Self.write(try Self.result(), to: good)
        let store = dir.appendingPathComponent("store").path
        let out = dir.appendingPathComponent("out").path

        let report = try await CLIProcess.run(["report", hostile.path, "--store", store, "--out", out])
        Self.expect65(report, naming: hostile.path, "summary.latency.percentiles.p95", "report")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.html"))
        let compare = try await CLIProcess.run(["compare", good.path, hostile.path, "--store", store])
        Self.expect65(compare, naming: hostile.path, "summary.latency.percentiles.p95", "compare")
        let overlay = try await CLIProcess.run(["report", good.path, "--baseline", hostile.path, "--store", store, "--out", out])
        Self.expect65(overlay, naming: hostile.path, "summary.latency.percentiles.p95", "report --baseline")
    }

    @Test func storeCommandsRefuseAHostileStoredRun() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store")
        let file = store.appendingPathComponent("runs/\(Self.runID).json")
        try Self.write(try Self.result(Self.farSecond), to: file)
        let path = "metrics.per_second[3].t"

        for (what, arguments) in [
            ("list", ["list"]),
            ("trend", ["trend", "--metric", "p95(latency)"]),
            ("report", ["report", Self.runID, "--out", dir.appendingPathComponent("out").path]),
            ("compare", ["compare", Self.runID, Self.runID]),
            ("baseline save", ["baseline", "save", "main", Self.runID]),
        ] {
            let outcome = try await CLIProcess.run(arguments + ["--store", store.path])
            Self.expect65(outcome, naming: file.path, path, what)
        }
        #expect(!FileManager.default.fileExists(atPath: store.appendingPathComponent("baselines/main.json").path))
    }

    @Test func baselineCommandsAndRunRefuseAHostileBaseline() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store")
        let file = store.appendingPathComponent("baselines/main.json")
        let baseline: [String: Any] = [
            "schema_version": 1, "name": "main", "keep": 10, "scenario": "quickstart",
            "load_shape": "open 2 stages: 0s→200/s, 12s→200/s", "runs": [try Self.result(), try Self.result(Self.hugeHistogram)],
        ]
        try Self.write(baseline, to: file)
        let path = "runs[1].histograms[0].data"

        for (what, arguments) in [
            ("baseline show", ["baseline", "show", "main"]),
            ("baseline list", ["baseline", "list"]),
            ("trend --baseline", ["trend", "--baseline", "main"]),
        ] {
            let outcome = try await CLIProcess.run(arguments + ["--store", store.path])
            Self.expect65(outcome, naming: file.path, path, what)
        }
    }

    @Test func runRefusesAHostileBaselineFile() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("tiny.yaml")
        try Data("""
            name: quickstart
            target: { builtin: demo, latency: 1ms }
            load: { model: open, rate: 50/s, duration: 2s, connections: 2 }
            requests:
              - { name: product, method: GET, path: /products/1 }
            """.utf8).write(to: scenario)
        let hostile = dir.appendingPathComponent("baseline.json")
        try Self.write(try Self.result(Self.farSecond), to: hostile)
        let outcome = try await CLIProcess.run(["run", scenario.path, "--baseline", hostile.path, "--progress", "none",
                                                "--store", dir.appendingPathComponent("store").path,
                                                "--out", dir.appendingPathComponent("out").path])
        Self.expect65(outcome, naming: hostile.path, "metrics.per_second[3].t", "run --baseline FILE")
    }
}
