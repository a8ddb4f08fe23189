import Foundation
import Testing

/// Runs and baselines in the store, as a pipeline uses them.
@Suite(.serialized)
struct StoreCommandsTests {
    @Test func runsAreStoredAndBaselinesKeepHistory() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        for _ in 0..<2 {
            let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", dir.appendingPathComponent("out").path,
                                              "--store", store, "--save-baseline", "main", "--baseline-keep", "5", "--quiet"])
            #expect(r.status == 0, "stderr: \(r.stderr)")
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: store + "/runs").filter { $0.hasSuffix(".json") }
        #expect(runs.count == 2)
        let list = try await CLIProcess.run(["list", "--store", store])
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").count == 2)
        #expect(list.stdout.contains("_cli-pass"))
        let show = try await CLIProcess.run(["baseline", "show", "main", "--store", store])
        #expect(show.status == 0)
        #expect(show.stdout.contains("scenario cli-pass"))
        #expect(show.stdout.split(separator: "\n").count == 3)  // header + 2 runs
        let baselines = try await CLIProcess.run(["baseline", "list", "--store", store])
        #expect(baselines.stdout.contains("main  2/5 runs"))
        #expect(try await CLIProcess.run(["baseline", "delete", "main", "--store", store]).status == 0)
        #expect(try await CLIProcess.run(["baseline", "show", "main", "--store", store]).status == 66)
    }

    @Test func escapingNamesAreRefusedBeforeTheRun() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--store", store, "--save-baseline", "../escape",
                                          "--out", dir.appendingPathComponent("out").path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("../escape"))
        // Nothing was written anywhere: no store, no artifacts, no escape.json beside the store.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func aTruncatedBaselineIsNamed() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: store.appendingPathComponent("baselines"), withIntermediateDirectories: true)
        let file = store.appendingPathComponent("baselines/main.json")
        try Data(#"{"schema_version": 1, "name": "main", "runs": ["#.utf8).write(to: file)
        let r = try await CLIProcess.run(["baseline", "show", "main", "--store", store.path])
        #expect(r.status == 65)
        #expect(r.stderr.contains("main.json"))
    }

    @Test func twoRunsSavingAtOnceBothLand() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let a = try CLIProcess(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", dir.appendingPathComponent("a").path, "--store", store, "--save-baseline", "main", "--quiet"])
        let b = try CLIProcess(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", dir.appendingPathComponent("b").path, "--store", store, "--save-baseline", "main", "--quiet"])
        let (ra, rb) = (await a.wait(), await b.wait())
        #expect(ra.status == 0 && rb.status == 0, "\(ra.stderr) \(rb.stderr)")
        let show = try await CLIProcess.run(["baseline", "show", "main", "--store", store])
        #expect(show.stdout.split(separator: "\n").count == 3)
        let runs = try FileManager.default.contentsOfDirectory(atPath: store + "/runs").filter { $0.hasSuffix(".json") }
        #expect(runs.count == 2)
        for run in runs {
            #expect(try schemaViolations(of: URL(fileURLWithPath: store + "/runs/" + run)) == [])
        }
    }
}
