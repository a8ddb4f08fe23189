import Core
import Foundation
import Results

/// Reading a result file back (`report`, and later `compare` and baselines).
public enum ResultFile {
    /// Decodes `path` and checks its numbers (`ResultDocument.checked(path:)`); a missing file is
    /// exit 66, anything that is not a stress-ci result, or holds a value out of bounds, exit 65.
    public static func read(_ path: String) throws(StressError) -> ResultDocument {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StressError(.notFound, "result file `\(path)` does not exist")
        }
        return try decode(contents(of: path, what: "result"), path: path).checked(path: path)
    }

    /// Decodes a result, with the JSON path of what is wrong when it is not one.
    static func decode(_ data: Data, path: String) throws(StressError) -> ResultDocument {
        do {
            return try ResultDocument.makeDecoder().decode(ResultDocument.self, from: data)
        } catch {
            // Another version's file may fail anywhere: say which version it is rather than where.
            if let version = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["schema_version"] as? Int,
                version != ResultDocument.currentSchemaVersion {
                throw StressError(.invalidInput, "`\(path)` has schema_version \(version); this stress-ci reads \(ResultDocument.currentSchemaVersion)",
                                  hint: "re-run it, or use the stress-ci version that wrote it")
            }
            throw StressError(.invalidInput, "`\(path)` is not a stress-ci result: \(describe(error, in: data))")
        }
    }

    /// The bytes of `path`, refusing a file larger than `ResultDocument.Limits.fileBytes` before
    /// reading it (exit 65); a file that cannot be read is exit 66.
    static func contents(of path: String, what: String) throws(StressError) -> Data {
        let limit = ResultDocument.Limits.fileBytes
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StressError(.notFound, "cannot read `\(path)`: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        var info = stat()
        if fstat(handle.fileDescriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw StressError(.notFound, "cannot read `\(path)`: it is a folder")
        }
        guard Int64(info.st_size) <= Int64(limit) else { throw tooLarge(path, what: what) }
        let data: Data
        do {
            // One byte more than allowed tells a file at the limit from a larger one, even one still growing.
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw StressError(.notFound, "cannot read `\(path)`: \(error.localizedDescription)")
        }
        guard data.count <= limit else { throw tooLarge(path, what: what) }
        return data
    }

    private static func tooLarge(_ path: String, what: String) -> StressError {
        StressError(.invalidInput, "`\(path)` is larger than \(ResultDocument.Limits.fileBytes >> 20) MiB, more than a stress-ci \(what) file may be",
                    hint: "it is not a result stress-ci wrote, or holds far more runs or seconds than it reads back")
    }

    /// A decoding failure of `data` in a few words, with the JSON path where it happened (also for
    /// a number too large for its field, which the decoder reports without one).
    static func describe(_ error: any Error, in data: Data) -> String {
        if case .dataCorrupted(let context)? = error as? DecodingError, context.codingPath.isEmpty,
            let (path, value) = unrepresentableInteger(in: data) {
            return "`\(path)` is \(value), not a whole number its field can hold"
        }
        return describe(error)
    }

    /// A decoding failure in a few words, with the JSON path where it happened.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return error.localizedDescription }
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing `\(path(context.codingPath + [key]))`"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at `\(path(context.codingPath))`"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at `\(path(context.codingPath))`: \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
