import Core
import Foundation
import Mustache
import ReportTemplates

/// The Mustache templates the Markdown and HTML reports are rendered with: the built-in ones
/// (from `templates/`, compiled into the binary) or a directory's (`--templates DIR`).
///
/// Every `{{value}}` is escaped per Unicode scalar for the template's kind: HTML templates render
/// with ``ScalarHTMLContentType``, Markdown templates with ``MarkdownContentType``, whatever the
/// template says. A template may name its own kind in a `{{% CONTENT_TYPE: …}}` pragma but no
/// other (`TEXT` would switch escaping off); `{{{value}}}` is the deliberate way to insert a value raw.
public struct TemplateSet: Sendable {
    public var html: MustacheTemplate
    public var markdown: MustacheTemplate

    /// What a template renders, and so how its values are escaped.
    enum Kind: String {
        case html = "HTML"
        case markdown = "MARKDOWN"
    }

    /// The templates compiled into the binary.
    public static func builtIn() throws(StressError) -> TemplateSet {
        TemplateSet(
            html: try parse(ReportTemplates.html, kind: .html, name: "report.html.mustache (built in)"),
            markdown: try parse(ReportTemplates.markdown, kind: .markdown, name: "report.md.mustache (built in)"))
    }

    /// The built-in templates, with either replaced by a text given (`--templates DIR` read by
    /// the caller): `html` and `markdown` with the names that identify them in errors. A template
    /// that does not parse (or switches escaping off) is exit 65.
    public static func custom(html: (text: String, name: String)?, markdown: (text: String, name: String)?) throws(StressError) -> TemplateSet {
        var set = try builtIn()
        if let html { set.html = try parse(html.text, kind: .html, name: html.name) }
        if let markdown { set.markdown = try parse(markdown.text, kind: .markdown, name: markdown.name) }
        return set
    }

    /// `text` parsed as a template of `kind`. A `{{% CONTENT_TYPE: …}}` pragma for `kind` is put in
    /// front of it (on a line of its own, which Mustache drops from the output), so the template's
    /// values are escaped for its kind from its first tag on, whatever delimiters it sets later.
    static func parse(_ text: String, kind: Kind, name: String) throws(StressError) -> MustacheTemplate {
        _ = registerContentTypes
        if let other = contentTypes(in: text).first(where: { $0 != kind.rawValue }) {
            throw StressError(
                .invalidInput, "the template `\(name)` sets CONTENT_TYPE \(other); a \(kind == .html ? "HTML" : "Markdown") template's values are always escaped as \(kind.rawValue)",
                hint: "drop the CONTENT_TYPE pragma; write {{{name}}} for a value that must go out unescaped")
        }
        do {
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: \(kind.rawValue)}}\n" + text)
        } catch let error as MustacheTemplate.ParserError {
            // Line numbers count the pragma put in front; the file's own start one line later.
            let position = "line \(max(1, error.context.lineNumber - 1)), column \(error.context.columnNumber)"
            throw StressError(.invalidInput, "the template `\(name)` does not parse at \(position): \(error.error)", hint: "check its {{…}} tags")
        } catch {
            throw StressError(.invalidInput, "the template `\(name)` does not parse: \(error)", hint: "check its {{…}} tags")
        }
    }

    /// The content types `text` names after a `CONTENT_TYPE` (then `:`): every one Mustache could
    /// read as a pragma, whatever the delimiters, and possibly a few that are plain text.
    static func contentTypes(in text: String) -> [String] {
        let chars = Array(text)
        let key = Array("CONTENT_TYPE")
        let nameChars = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
        var found: [String] = []
        var i = 0
        while i + key.count <= chars.count {
            guard chars[i..<(i + key.count)].elementsEqual(key) else {
                i += 1
                continue
            }
            var j = i + key.count
            while j < chars.count, chars[j].isWhitespace { j += 1 }
            if j < chars.count, chars[j] == ":" {
                j += 1
                while j < chars.count, chars[j].isWhitespace { j += 1 }
                var value = ""
                while j < chars.count, nameChars.contains(chars[j]) {
                    value.append(chars[j])
                    j += 1
                }
                if !value.isEmpty { found.append(value) }
            }
            i += key.count
        }
        return found
    }

    /// Registers the scalar-wise escapers: `HTML` (replacing swift-mustache's own, which escapes per
    /// `Character`) and `MARKDOWN`. Swift runs a global's initializer once, thread-safely.
    private static let registerContentTypes: Void = {
        MustacheContentTypes.register(ScalarHTMLContentType(), named: Kind.html.rawValue)
        MustacheContentTypes.register(MarkdownContentType(), named: Kind.markdown.rawValue)
    }()
}
