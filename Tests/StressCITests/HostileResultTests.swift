import Foundation
import Testing
@testable import StressCI
import Core
import Reports
import Results
@testable import Store

/// Corrupt or absurd numbers in a stored result or baseline are refused (exit 65) naming the file
/// and the JSON path, wherever the result is read: a result file, a stored run, `list`, a baseline.
@Suite struct HostileResultTests {
    /// The refusal `body` throws, or nil if it throws nothing (a different error is recorded).
    private func refusal(_ body: () throws -> Void) -> StressError? {
        do {
            try body()
            return nil
        } catch let error as StressError {
            return error
        } catch {
            Issue.record("not a StressError: \(error)")
            return nil
        }
    }

    private func expectRefused(_ error: StressError?, file: String, naming path: String, _ mutation: HostileMutation,
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("\(mutation) was accepted", sourceLocation: sourceLocation)
            return
        }
        #expect(error.kind == .invalidInput, "\(mutation): \(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains("`\(file)`"), "\(mutation): \(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains(path), "\(mutation): \(error.message)", sourceLocation: sourceLocation)
    }

    @Test func theUntouchedFixturePassesEveryReader() throws {
        let dir = try TemporaryDirectory()
        let file = dir.appending("result.json")
        try HostileResult.write(try HostileResult.fixture(), to: file)
        #expect(try ResultFile.read(file).testId == StoreFixture.base.testId)
        let store = TestResultsStore(root: dir.appending("store"))
        try HostileResult.write(try HostileResult.fixture(), to: store.runPath("20261127_222219_quickstart"))
        try HostileResult.write(try HostileResult.baseline([try HostileResult.fixture()]), to: store.baselinePath("main"))
        #expect(try store.listTestResults().map(\.id) == ["20261127_222219_quickstart"])
        #expect(try store.loadBaseline("main").runs.count == 1)
    }

    @Test(arguments: HostileMutation.table)
    func aResultFileWithAnAbsurdValueIsRefused(_ mutation: HostileMutation) throws {
        let dir = try TemporaryDirectory()
        let file = dir.appending("hostile.json")
        try HostileResult.write(try HostileResult.mutated(mutation), to: file)
        expectRefused(refusal { _ = try ResultFile.read(file) }, file: file, naming: mutation.named, mutation)
    }

    @Test(arguments: HostileMutation.table)
    func aStoredRunWithAnAbsurdValueIsRefusedByEveryReader(_ mutation: HostileMutation) throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        let id = "20261127_222219_quickstart"
        let file = store.runPath(id)
        try HostileResult.write(try HostileResult.mutated(mutation, testId: id), to: file)
        expectRefused(refusal { _ = try store.loadTestResults(id) }, file: file, naming: mutation.named, mutation)
        expectRefused(refusal { _ = try store.listTestResults() }, file: file, naming: mutation.named, mutation)
        expectRefused(refusal { _ = try store.compareTestRuns([id, id]) }, file: file, naming: mutation.named, mutation)
        expectRefused(refusal { _ = try store.trend(metric: ResultMetric(parsing: "p95(latency)"), scenario: "quickstart") },
                      file: file, naming: mutation.named, mutation)
    }

    @Test(arguments: HostileMutation.table)
    func aBaselineWithAnAbsurdValueIsRefused(_ mutation: HostileMutation) throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        let file = store.baselinePath("main")
        // The absurd run second, so the message must say which run.
        try HostileResult.write(try HostileResult.baseline([try HostileResult.fixture(), try HostileResult.mutated(mutation)]), to: file)
        expectRefused(refusal { _ = try store.loadBaseline("main") }, file: file, naming: "runs[1].\(mutation.named)", mutation)
        expectRefused(refusal { _ = try store.listBaselines() }, file: file, naming: "runs[1].\(mutation.named)", mutation)
        expectRefused(refusal { _ = try store.saveBaseline("main", run: StoreFixture.base) }, file: file,
                      naming: "runs[1].\(mutation.named)", mutation)
    }

    @Test func baselinesWithoutRunsOrWithAbsurdKeepsAreRefused() throws {
        let dir = try TemporaryDirectory()
        let store = TestResultsStore(root: dir.appending("store"))
        let file = store.baselinePath("main")
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("`runs` has 0 entries", { $0["runs"] = [] as [Any] }),
            ("`keep` is 9223372036854775807", { $0["keep"] = Int.max }),
            ("`keep` is 0", { $0["keep"] = 0 }),
        ]
        for (message, mutate) in cases {
            var baseline = try HostileResult.baseline([try HostileResult.fixture()])
            mutate(&baseline)
            try HostileResult.write(baseline, to: file)
            let error = refusal { _ = try store.loadBaseline("main") }
            #expect(error?.kind == .invalidInput, "\(message)")
            #expect(error?.message.contains(file) == true && error?.message.contains(message) == true, "\(String(describing: error))")
        }
        let tooMany = refusal { _ = try store.saveBaseline("other", run: StoreFixture.base, keep: Baseline.maximumKeep + 1) }
        #expect(tooMany?.kind == .usage)
    }

    @Test func aFileLargerThanTheLimitIsRefusedBeforeItIsRead() throws {
        let dir = try TemporaryDirectory()
        let file = dir.appending("huge.json")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("{".utf8)))
        // Sparse: no disk space, and reading it whole would take the allocation the limit prevents.
        #expect(truncate(file, off_t(ResultDocument.Limits.fileBytes) + 1) == 0)
        let start = ContinuousClock.now
        let error = refusal { _ = try ResultFile.read(file) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("`\(file)` is larger than 512 MiB") == true, "\(String(describing: error))")
        let store = TestResultsStore(root: dir.appending("store"))
        try FileManager.default.createDirectory(atPath: store.baselinesDirectory, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: file, toPath: store.baselinePath("main"))
        #expect(refusal { _ = try store.loadBaseline("main") }?.kind == .invalidInput)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func deeplyNestedJSONIsRefusedNotACrash() throws {
        let dir = try TemporaryDirectory()
        let file = dir.appending("deep.json")
        try Data((String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)).utf8).write(to: URL(fileURLWithPath: file))
        #expect(refusal { _ = try ResultFile.read(file) }?.kind == .invalidInput)
    }
}
