import Core

/// The one check on names that become file names in the store (run ids, baseline names), so a
/// name can never leave its folder or hide as a dot file beside the lock and temporary files.
public enum StoreName {
    static let maxLength = 100

    /// Throws `.usage` unless `name` is a plain file name; `what` is `run id` or `baseline name`.
    public static func check(_ name: String, as what: String) throws(StressError) {
        let problem: String? =
            if name.isEmpty { "is empty" }
            else if name == "." || name == ".." { "is `\(name)`" }
            else if name.hasPrefix(".") { "starts with `.`" }
            else if name.contains(where: { $0 == "/" || $0 == "\\" }) { "contains a path separator" }
            else if name.unicodeScalars.contains(where: { $0.value == 0 }) { "contains a NUL character" }
            else if name.count > maxLength { "is longer than \(maxLength) characters" }
            else { nil }
        if let problem {
            throw StressError(.usage, "the \(what) `\(printable(name))` \(problem)",
                              hint: "use letters, digits, `-`, `_` and `.`, not first, at most \(maxLength) characters")
        }
    }

    private static func printable(_ name: String) -> String {
        let shown = String(name.unicodeScalars.map { $0.value == 0 ? "\\0" : String($0) }.joined().prefix(maxLength + 20))
        return shown
    }
}
