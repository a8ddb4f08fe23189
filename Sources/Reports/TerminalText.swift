/// Text from the scenario, the command line or the target made safe to print on one terminal line.
///
/// A carriage return would let a name rewrite the line it is on, an escape sequence (ESC …) could
/// clear the screen or recolour what follows, a line feed would fake a line of its own, and a
/// bidirectional override could make the line read in another order. Each such scalar is shown
/// instead, as an escape a reader recognizes: `\r`, `\n`, `\t`, `\e`, `\u{7F}`, `\u{202E}`.
public enum TerminalText {
    /// `text` with every control character (C0, DEL, C1), line or paragraph separator and
    /// bidirectional control shown as an escape; everything else unchanged.
    public static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `scalar` is shown as an escape by ``sanitize(_:)``.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        UnicodeControl.isControl(scalar) || UnicodeControl.isLineBreak(scalar) || UnicodeControl.isBidiControl(scalar)
    }

    /// `\r`, `\n`, `\t`, `\e`, or `\u{…}` with the scalar's hexadecimal value.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\r": #"\r"#
        case "\n": #"\n"#
        case "\t": #"\t"#
        case "\u{1B}": #"\e"#
        default: #"\u{"# + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
}
