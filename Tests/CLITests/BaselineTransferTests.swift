import Foundation
import Testing

/// `baseline export` and `baseline import`: a baseline carried from one store to another as one
/// file, as a CI job that starts with an empty disk does (README, *Baselines in CI*).
@Suite(.serialized)
struct BaselineTransferTests {
    @Test func anExportedBaselineJudgesARunInAnEmptyStore() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let main = dir.appendingPathComponent("main-store").path
        let branch = dir.appendingPathComponent("branch-store").path
        let file = dir.appendingPathComponent("baseline-main.json").path
        let out = dir.appendingPathComponent("out").path
        func run(_ store: String, _ extra: [String]) async throws -> CLIProcess.Outcome {
            try await CLIProcess.run(["run", CLIProcess.fixture("cli/regress-20ms.yaml"), "--store", store, "--out", out, "--progress", "none"] + extra)
        }

        // The main branch's pipeline: three runs saved as the baseline, then exported.
        for _ in 0..<3 {
            let save = try await run(main, ["--save-baseline", "main"])
            #expect(save.status == 0, "\(save.stderr)")
        }
        let export = try await CLIProcess.run(["baseline", "export", "main", file, "--store", main])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout == "exported baseline main (3 runs, cli-regress) to \(file)\n")
        let exported = try Self.json(file)
        #expect(Set(exported.keys) == ["format", "format_version", "exported_by", "exported_at", "name", "keep", "scenario", "load_shape", "runs"])
        #expect(exported["format"] as? String == "stress-ci-baseline")
        #expect(exported["format_version"] as? Int == 1)
        #expect(exported["name"] as? String == "main")
        #expect(exported["keep"] as? Int == 10)
        #expect(exported["scenario"] as? String == "cli-regress")
        #expect(exported["load_shape"] as? String == "open 2 stages: 0s→100/s, 3s→100/s")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }.isEmpty) // no temporary file left

        // A branch's job: an empty store, the file imported, the run judged against its 3 runs.
        let imported = try await CLIProcess.run(["baseline", "import", file, "--store", branch])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("baseline main: imported from \(file), 3 new runs; 3 of 10 runs, latest "))
        // Like `baseline save`, import writes the baseline only: its runs live in baselines/main.json.
        let storedRuns = (try? FileManager.default.contentsOfDirectory(atPath: branch + "/runs")) ?? []
        #expect(storedRuns.isEmpty)

        // The runs made the trip exactly: the same documents, ids and numbers.
        let original = try #require(try Self.json(main + "/baselines/main.json")["runs"] as? [[String: Any]])
        let copied = try #require(try Self.json(branch + "/baselines/main.json")["runs"] as? [[String: Any]])
        #expect(NSArray(array: copied).isEqual(to: original))
        #expect(NSArray(array: try #require(exported["runs"] as? [Any])).isEqual(to: original))
        #expect(copied.map { $0["test_id"] as? String } == original.map { $0["test_id"] as? String })
        #expect(copied.map { ($0["summary"] as? [String: Any])?["requests"] as? Int } == original.map { ($0["summary"] as? [String: Any])?["requests"] as? Int })
        let show = try await CLIProcess.run(["baseline", "show", "main", "--store", branch])
        #expect(show.stdout == (try await CLIProcess.run(["baseline", "show", "main", "--store", main])).stdout)

        // Importing the same file again adds nothing.
        let again = try await CLIProcess.run(["baseline", "import", file, "--store", branch])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("baseline main: merged into the stored baseline from \(file), 0 new runs; 3 of 10 runs"))

        let judged = try await run(branch, ["--baseline", "main", "--require-baseline"])
        #expect(judged.status == 0, "stdout: \(judged.stdout)\nstderr: \(judged.stderr)")
        #expect(judged.stdout.contains("compared with baseline main (3 runs)"))
        #expect(judged.stdout.contains("(99% CI, 1 vs 3 runs, tolerance 10%)"))
    }

    @Test func standardOutputAndInputStandForTheFile() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let main = try Self.storeWithFixtureBaseline(in: dir, name: "main-store", runs: 2)
        let other = dir.appendingPathComponent("other-store").path

        let export = try await CLIProcess.run(["baseline", "export", "main", "-", "--store", main])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.isEmpty)
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        #expect(exported["format"] as? String == "stress-ci-baseline")
        #expect((exported["runs"] as? [Any])?.count == 2)
        let file = dir.appendingPathComponent("from-stdout.json").path
        try Data(export.stdout.utf8).write(to: URL(fileURLWithPath: file))

        let imported = try await Self.run(["baseline", "import", "-", "--name", "from-main", "--store", other], input: file)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("baseline from-main: imported from standard input, 2 new runs; 2 of 10 runs"))
        let original = try #require(try Self.json(main + "/baselines/main.json")["runs"] as? [Any])
        let copied = try Self.json(other + "/baselines/from-main.json")
        #expect(copied["name"] as? String == "from-main")
        #expect(NSArray(array: try #require(copied["runs"] as? [Any])).isEqual(to: original))
    }

    @Test func aBaselineOfAnotherScenarioIsReplacedOnlyWithForce() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkout = try Self.storeWithFixtureBaseline(in: dir, name: "checkout-store", runs: 1, scenario: "checkout")
        let store = try Self.storeWithFixtureBaseline(in: dir, name: "store", runs: 2)
        let file = dir.appendingPathComponent("checkout.json").path
        #expect(try await CLIProcess.run(["baseline", "export", "main", file, "--store", checkout]).status == 0)
        let before = try Self.snapshot(store)

        let refused = try await CLIProcess.run(["baseline", "import", file, "--store", store])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("baseline main in `\(store)` was recorded for scenario quickstart"))
        #expect(refused.stderr.contains("the file's is for checkout"))
        #expect(refused.stderr.contains("--force"))
        #expect(try Self.snapshot(store) == before)

        let forced = try await CLIProcess.run(["baseline", "import", file, "--force", "--store", store])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.hasPrefix("baseline main: replaced the stored baseline from \(file), 1 new run; 1 of 10 runs"))
        let replaced = try Self.json(store + "/baselines/main.json")
        #expect(replaced["scenario"] as? String == "checkout")
        #expect((replaced["runs"] as? [Any])?.count == 1)
    }

    @Test func exportNeedsABaselineAndAWritableFile() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Self.storeWithFixtureBaseline(in: dir, name: "store", runs: 1)
        let file = dir.appendingPathComponent("out.json").path

        let unknown = try await CLIProcess.run(["baseline", "export", "mian", file, "--store", store])
        #expect(unknown.status == 66)
        #expect(unknown.stderr.contains("no baseline `mian`"))
        #expect(!FileManager.default.fileExists(atPath: file))

        let unwritable = try await CLIProcess.run(["baseline", "export", "main", dir.appendingPathComponent("no/such/folder.json").path, "--store", store])
        #expect(unwritable.status == 73)
        #expect(unwritable.stderr.contains("no/such/folder.json"))

        let folder = try await CLIProcess.run(["baseline", "export", "main", dir.path, "--store", store])
        #expect(folder.status == 73)

        let missing = try await CLIProcess.run(["baseline", "import", file, "--store", store])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains(file))
    }

    // MARK: Support

    /// Runs stress-ci with standard input read from `input`.
    static func run(_ arguments: [String], input: String) async throws -> CLIProcess.Outcome {
        try await CLIProcess.run(["-c", #"exec "$0" "$@" < "$STRESS_CI_TEST_INPUT""#, CLIProcess.executable.path] + arguments,
                                 environment: ["STRESS_CI_TEST_INPUT": input], executable: URL(fileURLWithPath: "/bin/sh"))
    }

    /// A store in `dir/name` whose baseline `main` holds `runs` copies of the fixture result
    /// (`Tests/Fixtures/schema/quickstart-result.json`), each a minute later, as `baseline save`
    /// writes it; returns the store's path.
    static func storeWithFixtureBaseline(in dir: URL, name: String, runs: Int, scenario: String = "quickstart") throws -> String {
        let store = dir.appendingPathComponent(name)
        let dates = ISO8601DateFormatter()
        var baselineRuns: [[String: Any]] = []
        for i in 0..<runs {
            let run = try HostileResultCLITests.result { r in
                r["test_id"] = "20261127_22\(22 + i)19_\(scenario)"
                for key in ["started_at", "ended_at"] {
                    if let date = (r[key] as? String).flatMap(dates.date(from:)) { r[key] = dates.string(from: date.addingTimeInterval(Double(i) * 60)) }
                }
                var s = r["scenario"] as? [String: Any] ?? [:]
                s["name"] = scenario
                r["scenario"] = s
            }
            baselineRuns.append(run)
        }
        let baseline: [String: Any] = [
            "schema_version": 1, "name": "main", "keep": 10, "scenario": scenario,
            "load_shape": "open 2 stages: 0s→200/s, 12s→200/s", "runs": baselineRuns,
        ]
        try HostileResultCLITests.write(baseline, to: store.appendingPathComponent("baselines/main.json"))
        return store.path
    }

    /// Every file under `store` with its bytes, but the lock (which a writer creates empty): equal
    /// before and after means the store is untouched, with no temporary file left behind.
    static func snapshot(_ store: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: store)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = store + "/" + path
            if path != ".lock", FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return files
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }
}
