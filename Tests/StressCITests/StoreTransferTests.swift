import Foundation
import Testing
@testable import StressCI
import Core
import Store

/// `exportBaseline` and `importBaseline`: the merge, the refusals and the round trip, in the library.
@Suite struct StoreTransferTests {
    /// An export of baseline `name` holding `runs` (id and minutes after the fixture's start).
    func export(_ runs: [(String, Double)], name: String = "main", keep: Int = 10, scenario: String? = nil) -> BaselineExport {
        let documents = runs.map { StoreFixture.result($0.0, minutes: $0.1, scenario: scenario) }
        var baseline = Baseline(name: name, keep: keep, run: documents[0])
        baseline.runs = documents
        return BaselineExport(baseline: baseline, exportedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func theFileMakesTheRoundTripExactly() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        for (i, id) in ["a", "b", "c"].enumerated() { try store.saveBaseline("main", run: StoreFixture.result(id, minutes: Double(i)), keep: 5) }
        var exported = try store.exportBaseline("main")
        exported.exportedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let data = try exported.encoded()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["format", "format_version", "exported_by", "exported_at", "name", "keep", "scenario", "load_shape", "runs"])
        let decoded = try BaselineExport.decode(data, file: "main.json")
        #expect(decoded == exported)
        #expect(decoded.baseline == (try store.loadBaseline("main")))

        let other = TestResultsStore(root: dir.appending("other"))
        let outcome = try other.importBaseline(decoded)
        #expect(outcome.action == .created)
        #expect(outcome.added == 3)
        #expect(try other.loadBaseline("main") == (try store.loadBaseline("main")))
    }

    @Test func aBaselineOfTheSameLoadKeepsBothHistoriesNewestKeep() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result("a", minutes: 0))
        try store.saveBaseline("main", run: StoreFixture.result("c", minutes: 2))
        // Out of order in the file; c is held by both.
        let outcome = try store.importBaseline(export([("d", 3), ("b", 1), ("c", 2)], keep: 3))
        #expect(outcome.action == .merged)
        #expect(outcome.added == 2)
        let merged = try store.loadBaseline("main")
        #expect(merged.runs.map(\.testId) == ["b", "c", "d"])
        #expect(merged.keep == 3)
        #expect(outcome.baseline == merged)
        // Again: nothing new.
        let again = try store.importBaseline(export([("d", 3), ("b", 1), ("c", 2)], keep: 3))
        #expect(again.added == 0)
        #expect(try store.loadBaseline("main").runs.map(\.testId) == ["b", "c", "d"])
    }

    @Test func aFileWithMoreRunsThanItKeepsIsTrimmedToTheNewest() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let outcome = try store.importBaseline(export([("c", 2), ("a", 0), ("b", 1)], keep: 2), as: "pr-base")
        #expect(outcome.action == .created)
        #expect(outcome.baseline.name == "pr-base")
        #expect(try store.loadBaseline("pr-base").runs.map(\.testId) == ["b", "c"])
        #expect(try store.hasBaseline("main") == false)
    }

    @Test func anotherScenarioIsRefusedAndTheFileKeptUnlessForced() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveBaseline("main", run: StoreFixture.result("a"))
        let path = dir.appending("baselines/main.json")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let checkout = export([("x", 1)], scenario: "checkout")
        let refused = #expect(throws: StressError.self) { try store.importBaseline(checkout) }
        #expect(refused?.kind == .invalidInput)
        #expect(refused?.message.contains("was recorded for scenario quickstart") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let forced = try store.importBaseline(checkout, force: true)
        #expect(forced.action == .replaced)
        #expect(try store.loadBaseline("main").scenario == "checkout")
        #expect(try store.loadBaseline("main").runs.map(\.testId) == ["x"])
    }

    @Test func aCorruptStoredBaselineIsRefusedUnlessForced() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.prepare()
        let path = dir.appending("baselines/main.json")
        try Data(#"{"schema_version": 1, "name": "main", "runs": ["#.utf8).write(to: URL(fileURLWithPath: path))
        let refused = #expect(throws: StressError.self) { try store.importBaseline(export([("a", 0)])) }
        #expect(refused?.kind == .invalidInput)
        #expect(refused?.message.contains(path) == true)
        #expect(try store.importBaseline(export([("a", 0)]), force: true).action == .replaced)
        #expect(try store.loadBaseline("main").runs.map(\.testId) == ["a"])
    }

    @Test func exportingAnUnknownBaselineIsNotFound() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let error = #expect(throws: StressError.self) { try store.exportBaseline("main") }
        #expect(error?.kind == .notFound)
    }
}
