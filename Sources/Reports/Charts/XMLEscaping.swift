/// `text` made safe as XML character data or as a double- or single-quoted attribute value:
/// `&`, `<`, `>`, `"` and `'` become entities, and control characters XML 1.0 cannot carry
/// (anything below U+0020 but tab, newline and carriage return) become U+FFFD.
///
/// Every string that came from the scenario or the target (stage and request names, run ids)
/// goes through here before it reaches an SVG.
func escapeXML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
            out += "\u{FFFD}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
