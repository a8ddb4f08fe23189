import Core
import Foundation
import Results

/// What `importBaseline` did to the store's baseline of that name.
public struct BaselineImport: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// The store had no baseline of that name.
        case created
        /// The store's baseline (same scenario and load shape) and the file's runs, merged.
        case merged
        /// The store's baseline of another scenario or load shape, replaced (`force`).
        case replaced
    }

    public var action: Action
    /// The baseline as written to the store.
    public var baseline: Baseline
    /// How many of the file's runs the store's baseline did not hold before (after trimming to `keep`).
    public var added: Int
}

extension TestResultsStore {
    /// The baseline `name` as a portable file's contents (README, *Baselines in CI*): 66 when the
    /// store has no such baseline, 65 when it is corrupt.
    public func exportBaseline(_ name: String) throws(StressError) -> BaselineExport {
        BaselineExport(baseline: try loadBaseline(name))
    }

    /// Writes an exported baseline into the store, as `name` (default: its own name).
    ///
    /// A store without a baseline of that name gets the file's. One of the same scenario and load
    /// shape keeps both histories: runs merged by test id (the file's copy of a run both hold),
    /// ordered by start time, the newest `keep` (the file's) kept. One of another scenario or
    /// load shape is refused (exit 65) unless `force`, which replaces it. `export` must already be
    /// checked (`BaselineExport.read` and `decode` do that); a bad `name` is exit 64. Holds the
    /// store's lock for the whole read-modify-write; on any error the store is left as it was.
    @discardableResult
    public func importBaseline(_ export: BaselineExport, as name: String? = nil, force: Bool = false) throws(StressError) -> BaselineImport {
        let name = name ?? export.baseline.name
        try StoreName.check(name, as: "baseline name")
        var imported = export.baseline
        imported.name = name
        try prepare()
        return try lock.withLock { () throws(StressError) -> BaselineImport in
            let path = baselinePath(name)
            var action = BaselineImport.Action.created
            var held: [ResultDocument] = []
            if FileManager.default.fileExists(atPath: path) {
                action = .replaced
                let existing: Baseline?
                do throws(StressError) {
                    existing = try readBaseline(at: path)
                } catch {
                    // --force replaces a baseline the store cannot read back, as `baseline save --force` does.
                    guard force else { throw error }
                    existing = nil
                }
                if let existing, existing.scenario == imported.scenario, existing.loadShape == imported.loadShape {
                    action = .merged
                    held = existing.runs
                } else if let existing, !force {
                    throw StressError(.invalidInput, "baseline \(name) in `\(root)` was recorded for scenario \(existing.scenario) (\(existing.loadShape)); the file's is for \(imported.scenario) (\(imported.loadShape))",
                                      hint: "use --force to replace it, or --name to import it under another name")
                }
            }
            var baseline = imported
            baseline.runs = held
            baseline.merge(imported.runs)
            let before = Set(held.map(\.testId))
            let added = baseline.runs.filter { !before.contains($0.testId) }.count
            try writeBaseline(baseline, to: path)
            return BaselineImport(action: action, baseline: baseline, added: added)
        }
    }

    /// Writes `baseline` to `path` (atomically), unless it is larger than stress-ci reads back (73).
    func writeBaseline(_ baseline: Baseline, to path: String) throws(StressError) {
        let data = try encode(baseline, for: path)
        // A file stress-ci would refuse to read back is not written.
        guard data.count <= ResultDocument.Limits.fileBytes else {
            throw StressError(.cannotWrite, "baseline \(baseline.name) would be \(data.count >> 20) MiB, more than the \(ResultDocument.Limits.fileBytes >> 20) MiB stress-ci reads back",
                              hint: "keep fewer runs (--keep), or use a new baseline name")
        }
        try ArtifactWriter.write(data, to: path)
    }
}

extension Baseline {
    /// Adds `others` to the runs by test id (a run held twice keeps `others`' copy), orders them
    /// by start time (ties in their earlier order, `others` after), and keeps the newest `keep`.
    mutating func merge(_ others: [ResultDocument]) {
        let incoming = Set(others.map(\.testId))
        let all = runs.filter { !incoming.contains($0.testId) } + others
        let ordered = all.enumerated().sorted { ($0.element.startedAt, $0.offset) < ($1.element.startedAt, $1.offset) }.map(\.element)
        runs = Array(ordered.suffix(keep))
    }
}
