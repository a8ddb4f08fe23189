/// Escaping for GitHub Actions workflow commands (`::error title=…::message`), as GitHub documents
/// it: `%`, CR and LF become `%25`, `%0D` and `%0A` in the message, and in a property value also
/// `:` and `,` become `%3A` and `%2C`. The runner reads one command per line, so after escaping
/// no value can end the command or start another.
///
/// Other control characters (an escape sequence, say) cannot end the line but would reach the
/// log as they are; they are shown as ``TerminalText`` escapes (`\e`, `\u{7F}`).
public enum WorkflowCommand {
    /// `text` escaped for the message part of a workflow command.
    public static func escapeData(_ text: String) -> String {
        escape(text, property: false)
    }

    /// `text` escaped for a property value (`title=…`) of a workflow command.
    public static func escapeProperty(_ text: String) -> String {
        escape(text, property: true)
    }

    private static func escape(_ text: String, property: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out.append(contentsOf: "%25".unicodeScalars)
            case "\r": out.append(contentsOf: "%0D".unicodeScalars)
            case "\n": out.append(contentsOf: "%0A".unicodeScalars)
            case ":" where property: out.append(contentsOf: "%3A".unicodeScalars)
            case "," where property: out.append(contentsOf: "%2C".unicodeScalars)
            case _ where TerminalText.needsEscape(scalar): out.append(contentsOf: TerminalText.escape(scalar).unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
