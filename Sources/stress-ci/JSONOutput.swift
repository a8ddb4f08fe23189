import Foundation
import StressCI

/// Machine-readable output: the result file's encoder (ISO 8601 dates, sorted keys).
enum JSONOutput {
    static func encode(_ value: some Encodable) throws(StressError) -> String {
        do {
            return String(decoding: try ResultDocument.makeEncoder().encode(value), as: UTF8.self) + "\n"
        } catch {
            throw StressError(.internalError, "cannot encode the output: \(error)", hint: "this is a bug; please report it")
        }
    }
}
