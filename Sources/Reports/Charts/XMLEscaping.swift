/// `text` made safe as XML character data or as a double- or single-quoted attribute value,
/// per Unicode scalar (a combining mark or Prepend code point glued to a `<` cannot hide it):
/// `&`, `<`, `>`, `"` and `'` become entities, and control characters (C0 but tab, newline and
/// carriage return, which XML 1.0 cannot carry; DEL and C1, which it discourages) and the
/// non-characters U+FFFE and U+FFFF become U+FFFD.
///
/// Every string that came from the scenario or the target (stage and request names, run ids)
/// goes through here before it reaches an SVG.
func escapeXML(_ text: String) -> String {
    escapeMarkup(text, apostrophe: "&apos;")
}

/// The escaping XML and HTML share; only the apostrophe's reference differs (`&apos;` for XML,
/// `&#39;` for HTML, which older HTML readers know).
func escapeMarkup(_ text: String, apostrophe: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out.append(contentsOf: "&amp;".unicodeScalars)
        case "<": out.append(contentsOf: "&lt;".unicodeScalars)
        case ">": out.append(contentsOf: "&gt;".unicodeScalars)
        case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
        case "'": out.append(contentsOf: apostrophe.unicodeScalars)
        case "\t", "\n", "\r": out.append(scalar)
        case _ where UnicodeControl.isControl(scalar) || UnicodeControl.isNonCharacter(scalar): out.append("\u{FFFD}")
        default: out.append(scalar)
        }
    }
    return String(out)
}
