/// A cursor over the characters of a criterion; offsets are character offsets.
struct CriterionScanner {
    let characters: [Character]
    var position = 0

    init(_ text: String) { characters = Array(text) }

    var atEnd: Bool { position >= characters.count }
    var peek: Character? { peek(at: 0) }
    func peek(at distance: Int) -> Character? {
        let i = position + distance
        return i >= 0 && i < characters.count ? characters[i] : nil
    }
    mutating func advance(_ n: Int = 1) { position = min(position + n, characters.count) }
    mutating func skipSpaces() { while let c = peek, c.isWhitespace { advance() } }

    /// Letters, digits, `_`, `.` and `:` (`p99.9`, `service_time`, `prom:up`).
    mutating func readWord() -> String {
        var word = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "." || c == ":" { word.append(c); advance() }
        return word
    }

    /// Everything up to the next whitespace.
    mutating func readToken() -> String {
        var token = ""
        while let c = peek, !c.isWhitespace { token.append(c); advance() }
        return token
    }
}
