/// Classes of Unicode scalars the escapers treat specially. Every escaper in this module works on
/// `Unicode.Scalar`s, never on `Character`s: a grapheme cluster can glue a combining mark or a
/// Prepend code point to a `<`, a `|` or a line break and hide it from a `Character` comparison.
enum UnicodeControl {
    /// C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }

    /// U+FFFE and U+FFFF: not characters, and not allowed in XML 1.0.
    static func isNonCharacter(_ s: Unicode.Scalar) -> Bool {
        s.value == 0xFFFE || s.value == 0xFFFF
    }

    /// Scalars that end a line somewhere (a terminal, a Markdown renderer, an editor): LF, VT, FF,
    /// CR, NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029).
    static func isLineBreak(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they can
    /// make a terminal line display in another order than it reads.
    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
    }
}
