import Core
import Foundation
import Mustache
import ReportTemplates

/// The Mustache templates the Markdown and HTML reports are rendered with: the built-in ones
/// (from `templates/`, compiled into the binary) or a directory's (`--templates DIR`).
public struct TemplateSet: Sendable {
    public var html: MustacheTemplate
    public var markdown: MustacheTemplate

    /// The templates compiled into the binary.
    public static func builtIn() throws(StressError) -> TemplateSet {
        TemplateSet(
            html: try parse(ReportTemplates.html, name: "report.html.mustache (built in)"),
            markdown: try parse(ReportTemplates.markdown, name: "report.md.mustache (built in)"))
    }

    /// `report.html.mustache` and `report.md.mustache` from `directory`; a file that is not there
    /// falls back to the built-in one. A directory that does not exist is exit 66, a template that
    /// does not parse exit 65.
    public static func load(directory: String) throws(StressError) -> TemplateSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StressError(.notFound, "the templates directory `\(directory)` does not exist", hint: "give a directory holding report.html.mustache and/or report.md.mustache")
        }
        var set = try builtIn()
        let htmlPath = (directory as NSString).appendingPathComponent("report.html.mustache")
        let mdPath = (directory as NSString).appendingPathComponent("report.md.mustache")
        if let text = try read(htmlPath) { set.html = try parse(text, name: htmlPath) }
        if let text = try read(mdPath) { set.markdown = try parse(text, name: mdPath) }
        return set
    }

    private static func read(_ path: String) throws(StressError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StressError(.invalidInput, "cannot read the template `\(path)`: \(error.localizedDescription)")
        }
    }

    private static func parse(_ text: String, name: String) throws(StressError) -> MustacheTemplate {
        MarkdownContentType.registerOnce
        do {
            return try MustacheTemplate(string: text)
        } catch {
            throw StressError(.invalidInput, "the template `\(name)` does not parse: \(error)", hint: "check its {{…}} tags")
        }
    }
}

/// Mustache's `{{value}}` escaping for Markdown (`{{% CONTENT_TYPE: MARKDOWN}}`): text from the
/// scenario or the target cannot open a table cell, a link, an emphasis or an HTML tag.
struct MarkdownContentType: MustacheContentType {
    static let registerOnce: Void = MustacheContentTypes.register(MarkdownContentType(), named: "MARKDOWN")

    func escapeText(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|", "\\", "`", "*", "_", "[", "]", "#", "~": out += "\\\(c)"
            case "\n", "\r": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}
