import Core
import Foundation
import Results

/// Runs and baselines on disk (README, *Results store and baselines*): `ROOT/runs/ID.json` and `ROOT/baselines/NAME.json`.
///
/// Every write is a temporary file plus a rename, so a reader never sees half a file and needs no
/// lock; every mutation holds an exclusive `flock` on `ROOT/.lock` for its whole
/// read-modify-write, so two runs sharing a store (or one baseline) lose nothing. Names that
/// become file names are checked before anything touches the disk.
public final class TestResultsStore: Sendable {
    /// The store's folder, `.stress-ci` by default.
    public let root: String

    public init(root: String = ".stress-ci") {
        self.root = root
    }

    var runsDirectory: String { (root as NSString).appendingPathComponent("runs") }
    var baselinesDirectory: String { (root as NSString).appendingPathComponent("baselines") }
    var lock: StoreLock { StoreLock(path: (root as NSString).appendingPathComponent(".lock")) }

    func runPath(_ id: String) -> String { (runsDirectory as NSString).appendingPathComponent("\(id).json") }
    func baselinePath(_ name: String) -> String { (baselinesDirectory as NSString).appendingPathComponent("\(name).json") }

    // MARK: Runs

    /// Stores `result` under its `test_id`, made unique with `-2`, `-3`, … when taken, and
    /// returns the id it was stored under (the stored document carries it too).
    @discardableResult
    public func saveTestResults(_ result: ResultDocument) throws(StressError) -> String {
        try StoreName.check(result.testId, as: "run id")
        try prepare()
        return try lock.withLock { () throws(StressError) -> String in
            var document = result
            var id = result.testId
            var suffix = 2
            while FileManager.default.fileExists(atPath: runPath(id)) {
                id = "\(result.testId)-\(suffix)"
                suffix += 1
            }
            try StoreName.check(id, as: "run id")
            document.testId = id
            try ArtifactWriter.write(try encode(document, for: runPath(id)), to: runPath(id))
            return id
        }
    }

    /// The stored run `id`.
    public func loadTestResults(_ id: String) throws(StressError) -> ResultDocument {
        try StoreName.check(id, as: "run id")
        let path = runPath(id)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StressError(.notFound, "no stored run `\(id)` in `\(root)`", hint: "`stress-ci list` shows the stored runs")
        }
        return try ResultFile.read(path)
    }

    /// Stored runs, newest first, at most `limit` of them.
    public func listTestResults(limit: Int? = nil) throws(StressError) -> [RunListing] {
        if let limit, limit < 0 {
            throw StressError(.usage, "the limit must not be negative, got \(limit)")
        }
        var listings: [RunListing] = []
        for name in try storedNames(in: runsDirectory) {
            let path = runPath(name)
            let result: ResultDocument
            do {
                // The whole run is checked, so `list` finds a corrupt run before `report` or a baseline does.
                result = try ResultFile.decode(ResultFile.contents(of: path, what: "result"), path: path).checked(path: path)
            } catch {
                if error.kind == .notFound, !FileManager.default.fileExists(atPath: path) { continue } // removed meanwhile
                throw StressError(error.kind, error.message, hint: error.hint ?? "remove or repair it")
            }
            listings.append(RunListing(id: name, scenario: result.scenario.name, startedAt: result.startedAt,
                                       status: result.status, verdict: result.verdict))
        }
        listings.sort { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
        return limit.map { Array(listings.prefix($0)) } ?? listings
    }

    /// The run `reference` names: a path to a result file (it ends in `.json`, or contains `/`
    /// and exists), else a stored run id, else a baseline name (its newest run). Nothing by that
    /// name is exit 66, a file that is not a result exit 65, a name that cannot be one exit 64.
    public func resolveRun(_ reference: String) throws(StressError) -> StoredRun {
        if reference.hasSuffix(".json") || (reference.contains("/") && FileManager.default.fileExists(atPath: reference)) {
            return StoredRun(reference: reference, source: .file, result: try ResultFile.read(reference))
        }
        try StoreName.check(reference, as: "run id")
        if FileManager.default.fileExists(atPath: runPath(reference)) {
            return StoredRun(reference: reference, source: .run, result: try loadTestResults(reference))
        }
        if try hasBaseline(reference), let newest = try loadBaseline(reference).runs.last {
            return StoredRun(reference: reference, source: .baseline, result: newest)
        }
        let known = try storedNames(in: runsDirectory) + storedNames(in: baselinesDirectory)
        throw StressError(.notFound, "no stored run or baseline `\(reference)` in `\(root)`",
                          hint: Suggest.hint(for: reference, in: known)
                              ?? "`stress-ci list` shows the runs, `stress-ci baseline list` the baselines; a result file's path ends in .json")
    }

    /// The newest stored run's id, or nil when the store holds none.
    public func latestRunID() throws(StressError) -> String? {
        try listTestResults(limit: 1).first?.id
    }

    // MARK: Shared

    /// Creates the store's folders or explains why it cannot.
    public func prepare() throws(StressError) {
        for directory in [runsDirectory, baselinesDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StressError(.cannotWrite, "cannot create the store folder `\(directory)`: \(ArtifactWriter.reason(error))",
                                  hint: "choose another store with --store")
            }
        }
        guard FileManager.default.isWritableFile(atPath: runsDirectory), FileManager.default.isWritableFile(atPath: baselinesDirectory) else {
            throw StressError(.cannotWrite, "the store `\(root)` is not writable", hint: "choose another store with --store")
        }
    }

    /// The names of the `.json` files in `directory`, without the extension; dot files (the lock,
    /// temporary files a crash left behind) are not part of the store. A missing folder is empty.
    func storedNames(in directory: String) throws(StressError) -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StressError(.notFound, "cannot read the store folder `\(directory)`: \(ArtifactWriter.reason(error))")
        }
        return entries.filter { !$0.hasPrefix(".") && $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    func encode(_ value: some Encodable, for path: String) throws(StressError) -> Data {
        do {
            return try ResultDocument.makeEncoder().encode(value)
        } catch {
            throw StressError(.internalError, "cannot encode `\(path)`: \(error)", hint: "please report this")
        }
    }

}
