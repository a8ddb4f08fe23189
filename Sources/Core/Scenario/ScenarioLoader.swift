import Foundation
import Yams

/// Reads a scenario file (YAML, or JSON which is YAML too; see the README's "Scenario file") into a checked `Scenario`.
///
/// Validation reports every problem it finds, each with its file, line and column, rather than
/// stopping at the first: the structure and types are read here (`ScenarioReader`), the values
/// and cross-references are checked by `ScenarioValidator`, which `ScenarioBuilder` shares.
public struct ScenarioLoader: Sendable {
    /// Where `${NAME}` references are resolved.
    public var environment: [String: String]

    /// `environment`: where `${NAME}` is resolved (default: the process environment).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads the scenario file at `path`.
    ///
    /// - Throws: `.notFound` if the file does not exist or cannot be read, `.invalidInput` with
    ///   every problem, each at its `FILE:LINE:COLUMN`, if its content is not a valid scenario.
    public func load(path: String) throws(StressError) -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StressError(.notFound, "scenario file `\(path)` does not exist")
        }
        guard !isDirectory.boolValue else {
            throw StressError(.notFound, "scenario file `\(path)` is a directory", hint: "give the path of a .yaml or .json file")
        }
        // Read at most one byte past the limit, so neither a huge file nor an endless one (a FIFO,
        // /dev/zero) is read into memory.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StressError(.notFound, "scenario file `\(path)` cannot be read", hint: "check its permissions")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: ScenarioBounds.maxFileBytes + 1) ?? Data()
        } catch {
            throw StressError(.notFound, "scenario file `\(path)` cannot be read: \(error.localizedDescription)", hint: "check its permissions")
        }
        guard data.count <= ScenarioBounds.maxFileBytes else {
            throw StressError(.invalidInput, "1 problem in \(path)", problems: [
                Problem(.file(path, line: 1, column: 1), "the file is larger than 1 MiB (\(ScenarioBounds.describe(ScenarioBounds.maxFileBytes)) bytes), the limit for a scenario file",
                        hint: "a scenario is a few kilobytes; put large bodies in the environment (`${NAME}`) or split the file"),
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StressError(.invalidInput, "1 problem in \(path)",
                              problems: [Problem(.file(path, line: 1, column: 1), "the file is not UTF-8 text")])
        }
        var scenario = try load(text: text, file: path)
        scenario.sourcePath = path
        return scenario
    }

    /// Loads a scenario from `text`; `file` names it in the problems' locations.
    ///
    /// - Throws: `.invalidInput` with every problem, each at its `FILE:LINE:COLUMN`.
    public func load(text: String, file: String) throws(StressError) -> Scenario {
        var reader = ScenarioReader(file: file, environment: environment)
        let scenario = reader.read(text)
        // The shorthand's two stages share their source, so the same problem can be found twice.
        var seen: Set<Problem> = []
        func order(_ found: (offset: Int, element: Problem)) -> (Int, Int, Int) {
            (found.element.location.line ?? 1, found.element.location.column ?? 1, found.offset)
        }
        let problems = reader.problems.filter { seen.insert($0).inserted }.enumerated()
            .sorted { order($0) < order($1) }
            .map(\.element)
        guard problems.isEmpty, let scenario else {
            let count = max(problems.count, 1)
            throw StressError(.invalidInput, "\(count) problem\(count == 1 ? "" : "s") in \(file)", problems: problems)
        }
        return scenario
    }
}
