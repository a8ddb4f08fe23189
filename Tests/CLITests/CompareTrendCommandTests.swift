import Foundation
import StressCI
import Testing
import Reports
import Results
import Store

/// `stress-ci compare` and `stress-ci trend` on stores written from a real result, without load.
@Suite struct CompareTrendCommandTests {
    /// The quickstart result as run `index` of `scenario`, `index` minutes later, with the given p95.
    static func result(_ index: Int, p95: Double, scenario: String = "quickstart") throws -> ResultDocument {
        var r = try ResultFile.read(CLIProcess.fixture("schema/quickstart-result.json"))
        r.testId = "20261128_" + String(format: "%06d", index) + "_\(scenario)"
        r.scenario.name = scenario
        r.startedAt = r.startedAt.addingTimeInterval(Double(index) * 60)
        r.endedAt = r.endedAt.addingTimeInterval(Double(index) * 60)
        r.summary.latency.percentiles["p95"] = p95
        return r
    }

    /// A store in a fresh folder holding runs with these p95 latencies, oldest first.
    static func store(_ p95s: [Double], in dir: URL) throws -> (path: String, ids: [String]) {
        let path = dir.appendingPathComponent("store").path
        let store = TestResultsStore(root: path)
        let ids = try p95s.enumerated().map { i, v in try store.saveTestResults(result(i, p95: v)) }
        return (path, ids)
    }

    // MARK: compare

    @Test func compareTwoRunsPrintsOneTable() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, ids) = try Self.store([10, 12.5], in: dir)
        let r = try await CLIProcess.run(["compare", ids[0], ids[1], "--store", store])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("metric") == true)
        #expect(lines.first?.contains(ids[0]) == true && lines.first?.contains(ids[1]) == true)
        let p95 = try #require(lines.first { $0.hasPrefix("p95(latency) ") })
        #expect(p95.contains("10ms") && p95.contains("12.5ms (+25.0%)"))
        #expect(lines.contains { $0.hasPrefix("requests ") && $0.contains("2000 (±0.0%)") })
        #expect(lines.contains { $0.hasPrefix("p95(latency{request=checkout}) ") })
        #expect(lines.count == 10)  // header + 9 metrics
    }

    @Test func compareTakesBaselinesAndFilesAndSpeaksMarkdownAndJSON() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, ids) = try Self.store([10, 11], in: dir)
        _ = try TestResultsStore(root: store).saveBaseline("main", run: try TestResultsStore(root: store).loadTestResults(ids[1]))
        let file = dir.appendingPathComponent("result.json")
        try ResultDocument.makeEncoder().encode(try Self.result(7, p95: 8, scenario: "other")).write(to: file)

        let md = try await CLIProcess.run(["compare", "main", ids[0], file.path, "--store", store, "--format", "markdown"])
        #expect(md.status == 0, "stderr: \(md.stderr)")
        #expect(md.stdout.hasPrefix("| metric | main (newest: \(ids[1])) | \(ids[0]) | \(file.path) (20261128_000007_other) |\n|---|---:|---:|---:|\n"))
        #expect(md.stdout.contains("| p95(latency) | 11ms | 10ms (-9.1%) | 8ms (-27.3%) |"))
        #expect(md.stdout.contains("note: \(file.path) (20261128_000007_other) is other"))

        let json = try await CLIProcess.run(["compare", ids[0], "main", "--store", store, "--format", "json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.map { $0["source"] as? String } == ["run", "baseline"])
        #expect(runs.map { $0["test_id"] as? String } == [ids[0], ids[1]])
        let rows = try #require(object["rows"] as? [[String: Any]])
        let p95 = try #require(rows.first { $0["metric"] as? String == "p95(latency)" })
        #expect(p95["values"] as? [Double] == [10, 11])
        #expect(p95["unit"] as? String == "ms")
        let change = try #require((p95["changes"] as? [Double])?.last)
        #expect(abs(change - 0.1) < 1e-9)
    }

    @Test func compareAgainstABaselineJudgesEachRunOnItsHistory() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, ids) = try Self.store([10, 10.2, 9.9, 20, 10.1], in: dir)
        let s = TestResultsStore(root: store)
        for id in ids.prefix(3) { _ = try s.saveBaseline("main", run: try s.loadTestResults(id)) }

        let r = try await CLIProcess.run(["compare", "main", ids[3], ids[4], "--store", store])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        func block(_ id: String) -> [String] {
            let lines = r.stdout.components(separatedBy: "\n")
            guard let start = lines.firstIndex(of: "\(id) against baseline main (3 runs):") else { return [] }
            return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
        }
        let slower = try #require(block(ids[3]).first { $0.hasPrefix("  p95 latency ") })
        #expect(slower.hasPrefix("  p95 latency +") && slower.hasSuffix("(99% CI, 1 vs 3 runs, tolerance 10%) → regression"), "\(slower)")
        let same = try #require(block(ids[4]).first { $0.hasPrefix("  p95 latency ") })
        #expect(!same.hasSuffix("→ regression"), "\(same)")

        let json = try await CLIProcess.run(["compare", "main", ids[3], "--store", store, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let verdicts = try #require(object["verdicts"] as? [[String: Any]])
        #expect(verdicts.map { $0["run"] as? String } == [ids[3]])
        let judged = try #require((verdicts.first?["comparison"] as? [String: Any])?["verdicts"] as? [[String: Any]])
        #expect(judged.first { $0["metric"] as? String == "p95 latency" }?["verdict"] as? String == "regression")

        // Runs against runs: deltas only.
        let plain = try await CLIProcess.run(["compare", ids[0], ids[3], "--store", store])
        #expect(!plain.stdout.contains("against baseline"))
    }

    @Test func compareErrorsExitAsDocumented() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, ids) = try Self.store([10], in: dir)

        let one = try await CLIProcess.run(["compare", ids[0], "--store", store])
        #expect(one.status == 64)
        #expect(one.stderr.contains("at least two runs"))

        let missing = try await CLIProcess.run(["compare", ids[0], "20261128_999999_quickstart", "--store", store])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no stored run or baseline `20261128_999999_quickstart`"))

        let noFile = try await CLIProcess.run(["compare", ids[0], dir.appendingPathComponent("gone.json").path, "--store", store])
        #expect(noFile.status == 66)
        #expect(noFile.stderr.contains("gone.json"))

        let corrupt = dir.appendingPathComponent("corrupt.json")
        try Data(#"{"schema_version": 1, "test_id": "x""#.utf8).write(to: corrupt)
        let broken = try await CLIProcess.run(["compare", ids[0], corrupt.path, "--store", store])
        #expect(broken.status == 65)
        #expect(broken.stderr.contains(corrupt.path))

        let badFormat = try await CLIProcess.run(["compare", ids[0], ids[0], "--store", store, "--format", "yaml"])
        #expect(badFormat.status == 64)
    }

    // MARK: trend

    @Test func trendShowsTheHistoryAndTheStep() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wobble = [0.0, 0.01, -0.01, 0.015, -0.005, 0.008, -0.012, 0.004, 0.009, -0.007, 0.012, -0.01]
        let (store, ids) = try Self.store(wobble.enumerated().map { i, w in (i < 6 ? 10.0 : 13.0) * (1 + w) }, in: dir)
        let r = try await CLIProcess.run(["trend", "--metric", "p95(latency)", "--last", "20", "--store", store])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "p95(latency) over scenario quickstart, 12 runs, oldest first")
        #expect(lines.dropFirst().prefix(12).map { $0.split(separator: " ").first.map(String.init) } == ids)
        #expect(lines[1].contains("2026-11-27T22:22:19Z  10ms"))
        #expect(lines[7].hasPrefix("  \(ids[6])") && lines[7].contains("← +"))
        #expect(lines.contains("change points (E-Divisive, p < 0.05, changes below 5% pruned):"))
        let change = try #require(lines.last)
        #expect(change.hasPrefix("  at \(ids[6]) (2026-11-27T22:28:19Z): "))
        #expect(change.contains("→"))

        let fewer = try await CLIProcess.run(["trend", "--last", "4", "--store", store])
        #expect(fewer.status == 0)
        #expect(fewer.stdout.contains("4 runs, oldest first"))
        #expect(fewer.stdout.contains("change points: too few runs (4); E-Divisive needs at least 6"))

        let json = try await CLIProcess.run(["trend", "--metric", "p95(latency)", "--format", "json", "--store", store])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["metric"] as? String == "p95(latency)")
        #expect((object["points"] as? [[String: Any]])?.map { $0["run_id"] as? String } == ids)
        let points = try #require(object["change_points"] as? [[String: Any]])
        #expect(points.count == 1)
        #expect(points.first?["run_id"] as? String == ids[6])
        #expect(points.first?["index"] as? Int == 6)
    }

    @Test func trendOfAFlatBaselineHasNoChangePoints() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, ids) = try Self.store([10, 10.1, 9.9, 10.05, 9.95, 10.1, 9.9, 10], in: dir)
        let opened = TestResultsStore(root: store)
        for id in ids { try opened.saveBaseline("main", run: try opened.loadTestResults(id)) }
        let r = try await CLIProcess.run(["trend", "--baseline", "main", "--metric", "throughput", "--store", store])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.hasPrefix("throughput over baseline main, 8 runs, oldest first\n"))
        #expect(r.stdout.contains("  200/s\n"))
        #expect(r.stdout.hasSuffix("change points: none (E-Divisive, p < 0.05, changes below 5% pruned)\n"))
    }

    @Test func trendErrorsExitAsDocumented() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty").path
        let none = try await CLIProcess.run(["trend", "--store", empty])
        #expect(none.status == 66)
        #expect(none.stderr.contains("there are no runs in `\(empty)`"))

        let (store, _) = try Self.store([10, 11], in: dir)
        let misspelt = try await CLIProcess.run(["trend", "--metric", "p95(latncy)", "--store", store])
        #expect(misspelt.status == 64)
        #expect(misspelt.stderr.contains("did you mean `latency`?"))

        let unknown = try await CLIProcess.run(["trend", "--metric", "thruput", "--store", store])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("`thruput` is not a metric"))

        let scenario = try await CLIProcess.run(["trend", "--scenario", "checkout", "--store", store])
        #expect(scenario.status == 66)
        #expect(scenario.stderr.contains("no stored run of scenario `checkout`"))

        let baseline = try await CLIProcess.run(["trend", "--baseline", "main", "--store", store])
        #expect(baseline.status == 66)
        #expect(baseline.stderr.contains("no baseline `main`"))

        let both = try await CLIProcess.run(["trend", "--baseline", "main", "--scenario", "quickstart", "--store", store])
        #expect(both.status == 64)
        let zero = try await CLIProcess.run(["trend", "--last", "0", "--store", store])
        #expect(zero.status == 64)

        let runs = URL(fileURLWithPath: store).appendingPathComponent("runs")
        let corrupt = runs.appendingPathComponent("20261128_000005_quickstart.json")
        try Data("{".utf8).write(to: corrupt)
        let broken = try await CLIProcess.run(["trend", "--store", store])
        #expect(broken.status == 65)
        #expect(broken.stderr.contains("20261128_000005_quickstart.json"))
    }
}
