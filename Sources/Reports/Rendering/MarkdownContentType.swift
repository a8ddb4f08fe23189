import Mustache

/// Mustache's `{{value}}` escaping for Markdown, per Unicode scalar: text from the scenario, the
/// command line or the target cannot open a table cell, a link, an emphasis or an HTML tag, and
/// cannot end a line (so a table row stays one row).
///
/// Registered under the name `MARKDOWN`; ``TemplateSet`` makes every Markdown template render with it.
struct MarkdownContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { Self.escape(text) }

    /// `| \ ` * _ [ ] # ~` get a backslash, `< > &` become character references, and every line
    /// break (CR, LF, NEL, U+2028, U+2029) and other control character becomes a space.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "|", "\\", "`", "*", "_", "[", "]", "#", "~":
                out.append("\\")
                out.append(scalar)
            case _ where UnicodeControl.isControl(scalar) || UnicodeControl.isLineBreak(scalar): out.append(" ")
            case _ where UnicodeControl.isNonCharacter(scalar): out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
