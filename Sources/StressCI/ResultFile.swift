import Core
import Foundation
import Reports

/// Reading a result file back (`report`, and later `compare` and baselines).
public enum ResultFile {
    /// Decodes `path`; a missing file is exit 66, anything that is not a stress-ci result exit 65.
    public static func read(_ path: String) throws(StressError) -> ResultDocument {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StressError(.notFound, "result file `\(path)` does not exist")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw StressError(.notFound, "cannot read `\(path)`: \(error.localizedDescription)")
        }
        if let version = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["schema_version"] as? Int,
            version != ResultDocument.currentSchemaVersion {
            throw StressError(.invalidInput, "`\(path)` has schema_version \(version); this stress-ci reads \(ResultDocument.currentSchemaVersion)",
                              hint: "re-run it, or use the stress-ci version that wrote it")
        }
        do {
            return try ResultDocument.makeDecoder().decode(ResultDocument.self, from: data)
        } catch {
            throw StressError(.invalidInput, "`\(path)` is not a stress-ci result: \(describe(error))")
        }
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
