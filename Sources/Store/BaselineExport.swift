import Core
import Foundation
import Results

/// A baseline as one portable file (README, *Baselines in CI*): what `stress-ci baseline export`
/// writes and `baseline import` reads into another store, so a CI job that starts with an empty
/// disk can judge its run against the main branch's earlier runs.
///
/// The file is self-describing JSON: `format` (always `stress-ci-baseline`), `format_version`,
/// `exported_by` and `exported_at`, then the baseline itself — `name`, `keep`, `scenario`,
/// `load_shape` and `runs`, each run a whole result document, oldest first.
public struct BaselineExport: Sendable, Equatable {
    /// The value of `format` that marks the file.
    public static let format = "stress-ci-baseline"
    /// Bump on any breaking change to the file.
    public static let currentFormatVersion = 1
    /// What `label` is for a file read from standard input (`-`).
    public static let standardInputLabel = "<stdin>"

    /// The exported baseline, runs oldest first.
    public var baseline: Baseline
    /// The stress-ci version that wrote the file (informative; import does not check it).
    public var exportedBy: String?
    /// When the file was written (informative).
    public var exportedAt: Date?

    public init(baseline: Baseline, exportedBy: String? = stressCIVersion, exportedAt: Date? = Date()) {
        self.baseline = baseline
        self.exportedBy = exportedBy
        self.exportedAt = exportedAt
    }

    /// The file's bytes; 73 when they would be larger than import reads back.
    public func encoded() throws(StressError) -> Data {
        let data: Data
        do {
            data = try ResultDocument.makeEncoder().encode(self)
        } catch {
            throw StressError(.internalError, "cannot encode baseline \(baseline.name): \(error)", hint: "please report this")
        }
        guard data.count <= ResultDocument.Limits.fileBytes else {
            throw StressError(.cannotWrite, "the export of baseline \(baseline.name) would be \(data.count >> 20) MiB, more than the \(ResultDocument.Limits.fileBytes >> 20) MiB stress-ci imports",
                              hint: "keep fewer runs in it (`baseline save --keep`)")
        }
        return data
    }

    /// Writes the file to `path` atomically (a temporary file beside it, then a rename), or to
    /// standard output when `path` is `-`; 73 naming it when it cannot.
    public func write(to path: String) throws(StressError) {
        let data = try encoded()
        guard path == "-" else {
            try ArtifactWriter.write(data, to: path)
            return
        }
        let failure: Int32? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let n = Foundation.write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return n < 0 ? errno : EIO }
                offset += n
            }
            return nil
        }
        if let failure {
            throw StressError(.cannotWrite, "cannot write baseline \(baseline.name) to standard output: \(String(cString: strerror(failure)))")
        }
    }

    // MARK: Reading

    /// Reads and checks the export at `path` (`-`: standard input). A missing file is exit 66;
    /// anything else wrong with it is 65 naming the file and the JSON path of what is wrong.
    public static func read(_ path: String) throws(StressError) -> BaselineExport {
        if path == "-" {
            return try decode(standardInput(), file: standardInputLabel)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw StressError(.notFound, "baseline export `\(path)` does not exist",
                              hint: "`stress-ci baseline export NAME FILE` writes one")
        }
        return try decode(ResultFile.contents(of: path, what: "baseline export"), file: path)
    }

    /// Decodes `data` and checks it as the store checks what it reads back (README, *Stored
    /// results*): the format marker and version, then every field, every run's numbers, the
    /// baseline's name, and that all runs share the baseline's scenario and load shape.
    /// `file` names the source in messages.
    public static func decode(_ data: Data, file: String) throws(StressError) -> BaselineExport {
        try checkHeader(data, file: file)
        let export: BaselineExport
        do {
            export = try ResultDocument.makeDecoder().decode(BaselineExport.self, from: data)
        } catch {
            throw notAnExport(file, ResultFile.describe(error, in: data))
        }
        try export.check(file: file)
        return export
    }

    /// Throws unless the file is JSON with this format's marker and version; says what the file
    /// is instead when it can (not JSON, cut short, another kind of file, another version).
    static func checkHeader(_ data: Data, file: String) throws(StressError) {
        let header: Header
        do {
            header = try ResultDocument.makeDecoder().decode(Header.self, from: data)
        } catch {
            let why = if data.isEmpty { "it is empty" }
                else if case .dataCorrupted? = error as? DecodingError { "it is not valid JSON (cut short, or not JSON at all)" }
                else { "it is not a JSON object" }
            throw notAnExport(file, why)
        }
        guard let format = header.format else {
            let looksStored = header.schemaVersion != nil && header.runs
            throw notAnExport(file, "`format` is missing or not a string"
                              + (looksStored ? " (it looks like a store's baselines/NAME.json: export that with `stress-ci baseline export`)" : ""))
        }
        guard format == BaselineExport.format else {
            throw notAnExport(file, "`format` is \"\(printable(format))\", not \"\(BaselineExport.format)\"")
        }
        guard let version = header.formatVersion else {
            throw notAnExport(file, "`format_version` is missing or not a whole number")
        }
        guard version == currentFormatVersion else {
            throw StressError(.invalidInput, "`\(file)`: `format_version` is \(version); this stress-ci reads \(currentFormatVersion)",
                              hint: "export it with the stress-ci version that imports it")
        }
    }

    /// Throws at the first thing wrong: `keep` and the number of runs (1…`Baseline.maximumKeep`),
    /// the name, every run's numbers (`ResultDocument.check(file:at:)`), runs of another scenario
    /// or load shape, the same run twice.
    func check(file: String) throws(StressError) {
        let b = baseline
        do {
            try StoreName.check(b.name, as: "baseline name")
        } catch {
            throw Self.invalid(file, "`name`: \(error.message)")
        }
        guard (1...Baseline.maximumKeep).contains(b.keep) else {
            throw Self.invalid(file, "`keep` is \(b.keep); a baseline keeps 1 to \(Baseline.maximumKeep) runs")
        }
        guard (1...Baseline.maximumKeep).contains(b.runs.count) else {
            throw Self.invalid(file, "`runs` has \(b.runs.count) entries; a baseline holds 1 to \(Baseline.maximumKeep) runs")
        }
        var seen: [String: Int] = [:]
        for (i, run) in b.runs.enumerated() {
            try run.check(file: file, at: "runs[\(i)].")
            if let first = seen[run.testId] {
                throw Self.invalid(file, "`runs[\(i)].test_id` is \(Self.printable(run.testId)), the same run as `runs[\(first)]`")
            }
            seen[run.testId] = i
            if run.scenario.name != b.scenario {
                throw Self.invalid(file, "`runs[\(i)].scenario.name` is \(Self.printable(run.scenario.name)); the baseline is for scenario \(Self.printable(b.scenario))")
            }
            let shape = Baseline.loadShape(of: run)
            if shape != b.loadShape {
                throw Self.invalid(file, "`runs[\(i)].scenario.load` is \(shape); the baseline's `load_shape` is \(Self.printable(b.loadShape))")
            }
        }
    }

    private static let hint = "the file is corrupt, cut short or was not written by `stress-ci baseline export`; export it again"

    /// 65: `file` is something else than an export, `why`.
    private static func notAnExport(_ file: String, _ why: String) -> StressError {
        StressError(.invalidInput, "`\(file)` is not a stress-ci baseline export: \(why)", hint: hint)
    }

    /// 65: `problem` (a JSON path and what is wrong with its value) in `file`.
    private static func invalid(_ file: String, _ problem: String) -> StressError {
        StressError(.invalidInput, "`\(file)`: \(problem)", hint: hint)
    }

    /// A value from the file, cut short and without control characters, to quote in a message.
    private static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 120 ? String(cleaned.prefix(120)) + "…" : cleaned
    }

    /// Standard input, refusing more than `ResultDocument.Limits.fileBytes` (exit 65) as files are.
    private static func standardInput() throws(StressError) -> Data {
        let limit = ResultDocument.Limits.fileBytes
        var data = Data()
        do {
            while data.count <= limit, let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                data.append(chunk)
            }
        } catch {
            throw StressError(.notFound, "cannot read standard input: \(error.localizedDescription)")
        }
        guard data.count <= limit else {
            throw StressError(.invalidInput, "standard input holds more than \(limit >> 20) MiB, more than a stress-ci baseline export file may be",
                              hint: "it is not a file `stress-ci baseline export` wrote")
        }
        return data
    }

    /// The fields read before the whole file, to tell another kind of file from a broken export.
    private struct Header: Decodable {
        var format: String?
        var formatVersion: Int?
        var schemaVersion: Int?
        var runs: Bool

        enum CodingKeys: String, CodingKey {
            case format, runs
            case formatVersion = "format_version"
            case schemaVersion = "schema_version"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            format = try? c.decodeIfPresent(String.self, forKey: .format)
            formatVersion = try? c.decodeIfPresent(Int.self, forKey: .formatVersion)
            schemaVersion = try? c.decodeIfPresent(Int.self, forKey: .schemaVersion)
            runs = c.contains(.runs)
        }
    }
}

extension BaselineExport: Codable {
    enum CodingKeys: String, CodingKey {
        case format, name, keep, scenario, runs
        case formatVersion = "format_version"
        case exportedBy = "exported_by"
        case exportedAt = "exported_at"
        case loadShape = "load_shape"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // The marker and version are checked before decoding (`checkHeader`), with better words.
        _ = try c.decode(String.self, forKey: .format)
        _ = try c.decode(Int.self, forKey: .formatVersion)
        exportedBy = try c.decodeIfPresent(String.self, forKey: .exportedBy)
        exportedAt = try c.decodeIfPresent(Date.self, forKey: .exportedAt)
        baseline = Baseline(name: try c.decode(String.self, forKey: .name), keep: try c.decode(Int.self, forKey: .keep),
                            scenario: try c.decode(String.self, forKey: .scenario), loadShape: try c.decode(String.self, forKey: .loadShape),
                            runs: try c.decode([ResultDocument].self, forKey: .runs))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(BaselineExport.format, forKey: .format)
        try c.encode(BaselineExport.currentFormatVersion, forKey: .formatVersion)
        try c.encodeIfPresent(exportedBy, forKey: .exportedBy)
        try c.encodeIfPresent(exportedAt, forKey: .exportedAt)
        try c.encode(baseline.name, forKey: .name)
        try c.encode(baseline.keep, forKey: .keep)
        try c.encode(baseline.scenario, forKey: .scenario)
        try c.encode(baseline.loadShape, forKey: .loadShape)
        try c.encode(baseline.runs, forKey: .runs)
    }
}
