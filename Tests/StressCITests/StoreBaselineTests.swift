import Foundation
import Testing
@testable import StressCI
import Core
import Store

@Suite struct StoreBaselineTests {
    @Test func appendingKeepsTheLastN() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        for i in 0..<5 {
            let b = try store.saveBaseline("main", run: StoreFixture.result("run\(i)", minutes: Double(i)), keep: 3)
            #expect(b.runs.count == min(i + 1, 3))
        }
        let b = try store.loadBaseline("main")
        #expect(b.name == "main")
        #expect(b.keep == 3)
        #expect(b.scenario == "quickstart")
        #expect(b.loadShape == "open 2 stages: 0s→200/s, 12s→200/s")
        #expect(b.runs.map(\.testId) == ["run2", "run3", "run4"])
        #expect(b.runs[0] == StoreFixture.result("run2", minutes: 2))
    }

    @Test func theFileHasTheDocumentedShape() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result())
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.appending("baselines/main.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["schema_version", "name", "keep", "scenario", "load_shape", "runs"])
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["keep"] as? Int == 10)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.first?["started_at"] as? String == "2026-11-27T22:22:19Z")
    }

    @Test func savingTheSameRunAgainDoesNotDuplicateIt() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result("a"))
        try store.saveBaseline("main", run: StoreFixture.result("b"))
        #expect(try store.saveBaseline("main", run: StoreFixture.result("a")).runs.map(\.testId) == ["b", "a"])
    }

    @Test(arguments: ["another scenario", "another load"])
    func anotherScenarioOrLoadIsRefusedUnlessForced(change: String) throws {
        let (run, mentions) = change == "another scenario"
            ? (StoreFixture.result("x", scenario: "checkout"), "this run is checkout")
            : (StoreFixture.result("x", stageTargets: [50]), "open 1 stage: 10s→50/s")
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result("a"))
        try store.saveBaseline("main", run: StoreFixture.result("b"))
        let refused = #expect(throws: StressError.self) { try store.saveBaseline("main", run: run) }
        #expect(refused?.kind == .invalidInput)
        #expect(refused?.message.hasPrefix("baseline main was recorded for scenario quickstart (open 2 stages: 0s→200/s, 12s→200/s); ") == true)
        #expect(refused?.message.contains(mentions) == true)
        #expect(refused?.hint == "use --force to replace it, or another baseline name")
        #expect(try store.loadBaseline("main").runs.count == 2)

        let compared = #expect(throws: StressError.self) { try store.loadBaseline("main").requireComparable(with: run) }
        #expect(compared?.message == refused?.message)

        let forced = try store.saveBaseline("main", run: run, force: true)
        #expect(forced.runs.map(\.testId) == ["x"])
        #expect(try store.loadBaseline("main") == forced)
        #expect(forced.scenario == run.scenario.name)
    }

    @Test func listAndDelete() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        #expect(try store.listBaselines().isEmpty)
        try store.saveBaseline("main", run: StoreFixture.result("a"))
        try store.saveBaseline("main", run: StoreFixture.result("b", minutes: 1))
        try store.saveBaseline("release-1.2", run: StoreFixture.result("c", scenario: "other"), keep: 4)
        let listed = try store.listBaselines()
        #expect(listed.map(\.name) == ["main", "release-1.2"])
        #expect(listed[0].runs == 2)
        #expect(listed[0].latestRunID == "b")
        #expect(listed[1].scenario == "other")
        #expect(listed[1].keep == 4)

        try store.deleteBaseline("main")
        #expect(try store.listBaselines().map(\.name) == ["release-1.2"])
        let again = #expect(throws: StressError.self) { try store.deleteBaseline("main") }
        #expect(again?.kind == .notFound)
        let load = #expect(throws: StressError.self) { try store.loadBaseline("main") }
        #expect(load?.kind == .notFound)
    }

    @Test func aTruncatedBaselineNamesTheFile() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result("a"))
        let path = dir.appending("baselines/main.json")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))

        for attempt: () throws -> Void in [{ _ = try store.loadBaseline("main") }, { _ = try store.listBaselines() },
                                            { _ = try store.saveBaseline("main", run: StoreFixture.result("b")) }] {
            let error = #expect(throws: StressError.self) { try attempt() }
            #expect(error?.kind == .invalidInput)
            #expect(error?.message.contains(path) == true)
        }
        // History is not silently dropped; --force replaces it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == data.count / 2)
        #expect(try store.saveBaseline("main", run: StoreFixture.result("b"), force: true).runs.count == 1)
        #expect(try store.loadBaseline("main").runs.map(\.testId) == ["b"])
    }

    @Test func aCrashBeforeTheRenameLeavesNothingHalfWritten() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result("a"))
        try store.saveTestResults(StoreFixture.result("a"))
        // What a process killed between writing its temporary file and renaming it leaves behind.
        let full = try Data(contentsOf: URL(fileURLWithPath: dir.appending("baselines/main.json")))
        try full.prefix(100).write(to: URL(fileURLWithPath: dir.appending("baselines/.main.json.4242.tmp")))
        try full.prefix(100).write(to: URL(fileURLWithPath: dir.appending("runs/.b.json.4242.tmp")))

        #expect(try store.loadBaseline("main").runs.map(\.testId) == ["a"])
        #expect(try store.listBaselines().map(\.name) == ["main"])
        #expect(try store.listTestResults().map(\.id) == ["a"])
        #expect(try store.saveBaseline("main", run: StoreFixture.result("b")).runs.count == 2)
        #expect(try store.loadBaseline("main").runs.map(\.testId) == ["a", "b"])
    }

    /// Two writers appending to one baseline at once, as two CI jobs sharing a store would. Each
    /// store call opens the lock file itself, so flock excludes threads as it does processes.
    @Test func concurrentAppendsAllLand() throws {
        let dir = try TemporaryDirectory()
        let errors = Collected<String>()
        let group = DispatchGroup()
        for writer in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let store = TestResultsStore(root: dir.path)
                for i in 0..<20 {
                    do {
                        try store.saveBaseline("main", run: StoreFixture.result("w\(writer)-\(i)", minutes: Double(i)), keep: 100)
                    } catch {
                        errors.append("\(error)")
                    }
                }
            }
        }
        group.wait()
        #expect(errors.all.isEmpty)
        let baseline = try TestResultsStore(root: dir.path).loadBaseline("main")
        #expect(baseline.runs.count == 40)
        #expect(Set(baseline.runs.map(\.testId)).count == 40)
        for writer in 0..<2 {
            let mine = baseline.runs.map(\.testId).filter { $0.hasPrefix("w\(writer)-") }
            #expect(mine == (0..<20).map { "w\(writer)-\($0)" }) // each writer's appends in its order
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appending("baselines"))
        #expect(leftovers == ["main.json"])
    }
}

@Suite struct StoreNameTests {
    static let bad = ["../escape", "a/b", "a\\b", ".", "..", ".hidden", "a\0b", "", String(repeating: "x", count: 101)]

    @Test(arguments: bad)
    func badNamesAreUsageErrorsAndWriteNothing(name: String) throws {
        let dir = try TemporaryDirectory()
        let root = dir.appending("store")
        let store = TestResultsStore(root: root)
        let attempts: [() throws -> Void] = [
            { _ = try store.saveBaseline(name, run: StoreFixture.result()) },
            { _ = try store.saveBaseline(name, run: StoreFixture.result(), force: true) },
            { _ = try store.saveTestResults(StoreFixture.result(name)) },
            { _ = try store.loadBaseline(name) },
            { try store.deleteBaseline(name) },
            { _ = try store.loadTestResults(name) },
            { _ = try store.compareTestRuns([name]) },
        ]
        for attempt in attempts {
            let error = #expect(throws: StressError.self) { try attempt() }
            #expect(error?.kind == .usage)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test func escapeWritesNothingOutsideAnExistingStore() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        try store.saveBaseline("main", run: StoreFixture.result())
        #expect(throws: StressError.self) { try store.saveBaseline("../escape", run: StoreFixture.result()) }
        #expect(throws: StressError.self) { try store.saveTestResults(StoreFixture.result("../../escape")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["store"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("store")).sorted() == [".lock", "baselines", "runs"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("store/runs")).isEmpty)
    }

    @Test(arguments: ["main", "release-1.2", "20261127_222219_quickstart-2", "a..b", String(repeating: "x", count: 100)])
    func goodNamesPass(name: String) throws {
        try StoreName.check(name, as: "baseline name")
    }
}
