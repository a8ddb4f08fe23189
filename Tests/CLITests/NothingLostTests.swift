import Foundation
import Testing

/// A run that finished is never lost: whatever fails after the load, every artifact it can write is
/// written, the run is stored where the store works, and the exit code says what failed. Whatever
/// can be known about the baseline is checked before the load.
@Suite(.serialized)
struct NothingLostTests {
    static func scenario(rate: String = "50/s", duration: String = "2s", extra: String = "") -> String {
        """
        name: nothing-lost
        target: { builtin: demo, latency: 2ms }
        load: { model: open, rate: \(rate), duration: \(duration), connections: 8 }
        requests:
          - { name: product, method: GET, path: /products/1 }
        \(extra)
        criteria:
          - error_rate < 1%
        """
    }

    struct Paths {
        let dir: URL
        var out: URL { dir.appendingPathComponent("out") }
        var store: URL { dir.appendingPathComponent("store") }
        func file(_ name: String) -> URL { out.appendingPathComponent(name) }
        var storedRuns: [String] { (try? FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("runs").path)) ?? [] }
        func write(_ yaml: String) throws -> String {
            let url = dir.appendingPathComponent("s-\(UUID().uuidString.prefix(8)).yaml")
            try yaml.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        func args(_ scenario: String, _ extra: [String] = []) -> [String] {
            ["run", scenario, "--out", out.path, "--store", store.path, "--progress", "none"] + extra
        }
        func resultJSON() throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: Data(contentsOf: file("result.json"))) as? [String: Any])
        }
    }

    static func paths() throws -> Paths { Paths(dir: try temporaryDirectory()) }

    @Test func aSecretOfOneCorruptsNothing() async throws {
        let p = try Self.paths()
        defer { try? FileManager.default.removeItem(at: p.dir) }
        let scenario = try p.write(Self.scenario(extra: """
          - { name: secret, method: GET, path: "/products/2", headers: { x-flag: "${FLAG}", x-quote: "${QUOTE}" } }
        """))
        let r = try await CLIProcess.run(p.args(scenario), environment: ["FLAG": "1", "QUOTE": #"a"b\c<d>&e"#])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let json = try p.resultJSON()
        #expect((json["summary"] as? [String: Any])?["requests"] as? Int ?? 0 > 0, "numbers survive a secret of `1`")
        #expect(try schemaViolations(of: p.file("result.json")) == [])
        let text = try String(contentsOf: p.file("result.json"), encoding: .utf8) + String(contentsOf: p.file("report.html"), encoding: .utf8)
            + String(contentsOf: p.file("junit.xml"), encoding: .utf8) + String(contentsOf: p.file("report.md"), encoding: .utf8)
        for form in [#"a"b\c<d>&e"#, #"a\"b\\c<d>&e"#, "a&quot;b", "c&lt;d&gt;&amp;e", #"c\<d\>\&e"#] {
            #expect(!text.contains(form), "the secret leaked as \(form)")
        }
        #expect(p.storedRuns.count == 1)
        #expect(try String(contentsOf: p.file("junit.xml"), encoding: .utf8).contains("<testsuites"))
    }

    @Test func aBaselineOfAnotherLoadShapeIsNotedNotFatal() async throws {
        let p = try Self.paths()
        defer { try? FileManager.default.removeItem(at: p.dir) }
        let base = try p.write(Self.scenario(rate: "50/s"))
        #expect(try await CLIProcess.run(p.args(base, ["--save-baseline", "main"])).status == 0)

        let changed = try p.write(Self.scenario(rate: "40/s"))
        let r = try await CLIProcess.run(p.args(changed, ["--baseline", "main"]))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("not comparable"))
        let comparison = try #require(try p.resultJSON()["comparison"] as? [String: Any])
        #expect((comparison["verdicts"] as? [Any])?.isEmpty == true)
        #expect((comparison["notes"] as? [String])?.first?.hasPrefix("not comparable") == true)
        #expect(try String(contentsOf: p.file("report.md"), encoding: .utf8).contains("not comparable"))
        #expect(try String(contentsOf: p.file("report.html"), encoding: .utf8).contains("not comparable"))
        #expect(p.storedRuns.count == 2)

        // --require-baseline: 66 before any load (the output has no result of this run).
        try FileManager.default.removeItem(at: p.out)
        let required = try await CLIProcess.run(p.args(changed, ["--baseline", "main", "--require-baseline"]))
        #expect(required.status == 66, "stderr: \(required.stderr)")
        #expect(!FileManager.default.fileExists(atPath: p.file("result.json").path))

        // --save-baseline into it would mix shapes: 65 before the load, with the way out.
        let save = try await CLIProcess.run(p.args(changed, ["--save-baseline", "main"]))
        #expect(save.status == 65, "stderr: \(save.stderr)")
        #expect(save.stderr.contains("--force"))
        #expect(p.storedRuns.count == 2)
    }

    @Test func aMissingRequiredBaselineFailsBeforeTheLoad() async throws {
        let p = try Self.paths()
        defer { try? FileManager.default.removeItem(at: p.dir) }
        let long = try p.write(Self.scenario(duration: "30s"))
        let started = ContinuousClock.now
        let r = try await CLIProcess.run(p.args(long, ["--baseline", "nosuch", "--require-baseline"]))
        #expect(r.status == 66, "stderr: \(r.stderr)")
        #expect(ContinuousClock.now - started < .seconds(10), "66 must come before the 30 s of load")
        #expect(r.stderr.contains("no baseline `nosuch`"))
        #expect(p.storedRuns.isEmpty)
    }

    @Test func anArtifactThatCannotBeWrittenLosesNothingElse() async throws {
        let p = try Self.paths()
        defer { try? FileManager.default.removeItem(at: p.dir) }
        // report.html cannot be written: a directory stands in its place.
        try FileManager.default.createDirectory(at: p.file("report.html"), withIntermediateDirectories: true)
        let r = try await CLIProcess.run(p.args(try p.write(Self.scenario())))
        #expect(r.status == 73, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("report.html"))
        #expect((try p.resultJSON()["verdict"] as? [String: Any])?["exit_code"] as? Int == 73)
        for file in ["report.md", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: p.file(file).path), "\(file) missing")
        }
        #expect(p.storedRuns.count == 1)
    }

    @Test func aStoreThatBreaksDuringTheLoadLosesNoArtifact() async throws {
        let p = try Self.paths()
        defer { try? FileManager.default.removeItem(at: p.dir) }
        let process = try CLIProcess(p.args(try p.write(Self.scenario(duration: "3s")), ["--progress", "plain"]))
        // The store is checked (and its folders made) before the load; then, while the load runs,
        // its runs folder becomes a file.
        #expect(await process.waitForStderr(containing: "[RUNNING]", timeout: .seconds(30)))
        let runs = p.store.appendingPathComponent("runs")
        try FileManager.default.removeItem(at: runs)
        try Data("not a folder".utf8).write(to: runs)
        let r = await process.wait()
        #expect(r.status == 73, "stderr: \(r.stderr)")
        #expect((try p.resultJSON()["verdict"] as? [String: Any])?["exit_code"] as? Int == 73)
        for file in ["report.md", "report.html", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: p.file(file).path), "\(file) missing")
        }
    }
}
