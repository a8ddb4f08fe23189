import Core
import Foundation
import Results

extension TestResultsStore {
    /// Appends `run` to baseline `name` (creating it), keeping its last `keep` runs.
    ///
    /// A baseline recorded for another scenario or load shape is refused (exit 65) unless
    /// `force`, which replaces its history with `run` alone.
    @discardableResult
    public func saveBaseline(_ name: String, run: ResultDocument, keep: Int = Baseline.defaultKeep, force: Bool = false) throws(StressError) -> Baseline {
        try StoreName.check(name, as: "baseline name")
        guard keep >= 1, keep <= Baseline.maximumKeep else {
            throw StressError(.usage, "a baseline keeps 1 to \(Baseline.maximumKeep) runs, got \(keep)")
        }
        try prepare()
        return try lock.withLock { () throws(StressError) -> Baseline in
            let path = baselinePath(name)
            var baseline = Baseline(name: name, keep: keep, run: run)
            if !force, FileManager.default.fileExists(atPath: path) {
                var existing = try readBaseline(at: path)
                try existing.requireComparable(with: run)
                existing.name = name
                existing.keep = keep
                existing.append(run)
                baseline = existing
            }
            try writeBaseline(baseline, to: path)
            return baseline
        }
    }

    /// Whether a baseline `name` exists (its name is checked first).
    public func hasBaseline(_ name: String) throws(StressError) -> Bool {
        try StoreName.check(name, as: "baseline name")
        return FileManager.default.fileExists(atPath: baselinePath(name))
    }

    /// The baseline `name`.
    public func loadBaseline(_ name: String) throws(StressError) -> Baseline {
        try StoreName.check(name, as: "baseline name")
        let path = baselinePath(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StressError(.notFound, "no baseline `\(name)` in `\(root)`",
                              hint: "`stress-ci baseline list` shows them; `run --save-baseline \(name)` records one")
        }
        return try readBaseline(at: path)
    }

    /// Every stored baseline, by name.
    public func listBaselines() throws(StressError) -> [BaselineListing] {
        var listings: [BaselineListing] = []
        for name in try storedNames(in: baselinesDirectory) {
            let path = baselinePath(name)
            guard FileManager.default.fileExists(atPath: path) else { continue } // deleted meanwhile
            var listing = BaselineListing(try readBaseline(at: path))
            listing.name = name
            listings.append(listing)
        }
        return listings
    }

    /// Removes the baseline `name`.
    public func deleteBaseline(_ name: String) throws(StressError) {
        try StoreName.check(name, as: "baseline name")
        let path = baselinePath(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StressError(.notFound, "no baseline `\(name)` in `\(root)`", hint: "`stress-ci baseline list` shows them")
        }
        try lock.withLock { () throws(StressError) in
            guard unlink(path) == 0 || errno == ENOENT else {
                throw StressError(.cannotWrite, "cannot delete `\(path)`: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The baseline file at `path`, decoded and checked (65 naming it when it is not one).
    func readBaseline(at path: String) throws(StressError) -> Baseline {
        let data = try ResultFile.contents(of: path, what: "baseline")
        let baseline: Baseline
        do {
            baseline = try ResultDocument.makeDecoder().decode(Baseline.self, from: data)
        } catch {
            throw StressError(.invalidInput, "`\(path)` is not a stress-ci baseline: \(ResultFile.describe(error, in: data))",
                              hint: "delete it with `stress-ci baseline delete`, or replace it with --force")
        }
        try baseline.check(file: path)
        return baseline
    }
}
