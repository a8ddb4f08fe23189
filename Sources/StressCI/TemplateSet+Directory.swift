import Core
import Foundation
import Reports

extension TemplateSet {
    /// `report.html.mustache` and `report.md.mustache` from `directory` (`--templates DIR`); a file
    /// that is not there falls back to the built-in one. A directory that does not exist is exit 66,
    /// a template that cannot be read or does not parse (or switches escaping off) exit 65.
    public static func load(directory: String) throws(StressError) -> TemplateSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StressError(.notFound, "the templates directory `\(directory)` does not exist", hint: "give a directory holding report.html.mustache and/or report.md.mustache")
        }
        let htmlPath = (directory as NSString).appendingPathComponent("report.html.mustache")
        let mdPath = (directory as NSString).appendingPathComponent("report.md.mustache")
        return try custom(html: try read(htmlPath).map { ($0, htmlPath) }, markdown: try read(mdPath).map { ($0, mdPath) })
    }

    private static func read(_ path: String) throws(StressError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StressError(.invalidInput, "cannot read the template `\(path)`: \(error.localizedDescription)")
        }
    }
}
