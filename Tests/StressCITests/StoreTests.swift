import Foundation
import Testing
@testable import StressCI
import Core
import Store

@Suite struct StoreRunTests {
    @Test func saveAndLoadRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        let run = StoreFixture.result()
        let id = try store.saveTestResults(run)
        #expect(id == run.testId)
        #expect(FileManager.default.fileExists(atPath: dir.appending("store/runs/\(id).json")))
        #expect(FileManager.default.fileExists(atPath: dir.appending("store/.lock")))
        #expect(try store.loadTestResults(id) == run)
    }

    @Test func takenIdsGetASuffix() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let run = StoreFixture.result("20261127_222219_quickstart")
        let ids = try (0..<3).map { _ in try store.saveTestResults(run) }
        #expect(ids == ["20261127_222219_quickstart", "20261127_222219_quickstart-2", "20261127_222219_quickstart-3"])
        #expect(try store.loadTestResults(ids[2]).testId == ids[2])
    }

    @Test func concurrentSavesOfOneIdAllLand() throws {
        let dir = try TemporaryDirectory()
        let errors = Collected<String>()
        let ids = Collected<String>()
        let group = DispatchGroup()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let store = TestResultsStore(root: dir.path)
                for _ in 0..<10 {
                    do { ids.append(try store.saveTestResults(StoreFixture.result())) } catch { errors.append("\(error)") }
                }
            }
        }
        group.wait()
        #expect(errors.all.isEmpty)
        #expect(Set(ids.all).count == 20)
        #expect(try TestResultsStore(root: dir.path).listTestResults().count == 20)
    }

    @Test func listIsNewestFirstWithALimit() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        #expect(try store.listTestResults().isEmpty)
        #expect(try store.latestRunID() == nil)
        try store.saveTestResults(StoreFixture.result("b", minutes: 2))
        try store.saveTestResults(StoreFixture.result("c", minutes: 1, scenario: "other"))
        try store.saveTestResults(StoreFixture.result("a", minutes: 3))
        let all = try store.listTestResults()
        #expect(all.map(\.id) == ["a", "b", "c"])
        #expect(all.map(\.scenario) == ["quickstart", "quickstart", "other"])
        #expect(all[0].status == .completed)
        #expect(all[0].verdict == StoreFixture.base.verdict)
        #expect(try store.listTestResults(limit: 2).map(\.id) == ["a", "b"])
        #expect(try store.latestRunID() == "a")
    }

    @Test func compareLoadsInTheOrderGiven() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        try store.saveTestResults(StoreFixture.result("a", minutes: 1))
        try store.saveTestResults(StoreFixture.result("b", minutes: 2))
        #expect(try store.compareTestRuns(["b", "a"]).map(\.testId) == ["b", "a"])
        let missing = #expect(throws: StressError.self) { try store.compareTestRuns(["a", "zzz"]) }
        #expect(missing?.kind == .notFound)
    }

    @Test func missingAndCorruptRuns() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.path)
        let missing = #expect(throws: StressError.self) { try store.loadTestResults("nope") }
        #expect(missing?.kind == .notFound)

        let id = try store.saveTestResults(StoreFixture.result())
        let path = dir.appending("runs/\(id).json")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let corrupt = #expect(throws: StressError.self) { try store.loadTestResults(id) }
        #expect(corrupt?.kind == .invalidInput)
        #expect(corrupt?.message.contains(path) == true)
        let listing = #expect(throws: StressError.self) { try store.listTestResults() }
        #expect(listing?.kind == .invalidInput)
        #expect(listing?.message.contains(path) == true)
    }

    @Test func unwritableRootIsCannotWrite() throws {
        let dir = try TemporaryDirectory()
        let file = dir.appending("file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let store = TestResultsStore(root: (file as NSString).appendingPathComponent("store"))
        let run = #expect(throws: StressError.self) { try store.saveTestResults(StoreFixture.result()) }
        #expect(run?.kind == .cannotWrite)
        let baseline = #expect(throws: StressError.self) { try store.saveBaseline("main", run: StoreFixture.result()) }
        #expect(baseline?.kind == .cannotWrite)
    }
}
