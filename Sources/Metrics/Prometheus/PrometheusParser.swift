/// Reads the Prometheus text exposition format, version 0.0.4.
///
/// The grammar, line by line (tokens separated by any run of blanks and tabs; leading and
/// trailing blanks, a `\r` before the `\n`, and empty lines are ignored):
///
/// ```
/// line     = "#" "HELP" NAME [TEXT]           ; TEXT escapes: \\  \n
///          | "#" "TYPE" NAME TYPE             ; counter | gauge | histogram | summary | untyped
///          | "#" ANYTHING                     ; any other comment is ignored
///          | NAME [ "{" [labels] "}" ] VALUE [TIMESTAMP]
/// labels   = label { "," label } [","]
/// label    = LABEL_NAME "=" '"' ESCAPED '"'    ; escapes: \\  \"  \n
/// NAME     = [a-zA-Z_:][a-zA-Z0-9_:]*
/// LABEL_NAME = [a-zA-Z_][a-zA-Z0-9_]*
/// VALUE    = a decimal float (exponent allowed) | NaN | +Inf | -Inf | Inf
/// TIMESTAMP = [+-]? digits                    ; milliseconds since the epoch, Int64
/// ```
///
/// Families are returned in order of first mention. A sample without a `# TYPE` forms an
/// `untyped` family of its own name; `NAME_bucket`/`NAME_sum`/`NAME_count` samples join the
/// histogram `NAME`, and `NAME`/`NAME_sum`/`NAME_count` the summary `NAME`. Like Prometheus, the
/// parser rejects a second `HELP` or `TYPE` for a name, a `TYPE` after the name's samples, a
/// histogram bucket without `le` and a summary quantile without `quantile`.
public enum PrometheusParser {
    /// Parses a whole exposition.
    ///
    /// - Throws: `PrometheusParseError` at the first malformed line, with its line and column.
    public static func parse(_ text: String) throws(PrometheusParseError) -> [MetricFamily] {
        let bytes = Array(text.utf8)
        var families = FamilyBuilder()
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var cursor = LineCursor(bytes: bytes, start: lineStart, end: lineEnd, line: lineNumber)
            try parseLine(&cursor, into: &families)
            lineStart = lineEnd + 1
        }
        return families.families
    }

    private static func parseLine(_ cursor: inout LineCursor, into families: inout FamilyBuilder) throws(PrometheusParseError) {
        cursor.skipBlanks()
        guard let first = cursor.peek else { return }
        if first == UInt8(ascii: "#") {
            try parseComment(&cursor, into: &families)
        } else {
            try parseSample(&cursor, into: &families)
        }
    }

    // MARK: - Comments

    private static func parseComment(_ cursor: inout LineCursor, into families: inout FamilyBuilder) throws(PrometheusParseError) {
        cursor.advance()  // #
        cursor.skipBlanks()
        let keyword = cursor.readToken()
        guard keyword == "HELP" || keyword == "TYPE" else { return }
        cursor.skipBlanks()
        let nameColumn = cursor.position
        let name = cursor.readToken()
        guard !name.isEmpty else { throw cursor.error("`# \(keyword)` needs a metric name") }
        guard isMetricName(name) else { throw cursor.error("`\(name)` is not a valid metric name", at: nameColumn) }
        cursor.skipBlanks()
        if keyword == "HELP" {
            let text = cursor.readHelpText()
            try families.setHelp(text, for: name, error: cursor.error("a second HELP line for `\(name)`", at: nameColumn))
            return
        }
        let typeColumn = cursor.position
        let typeName = cursor.readToken()
        guard !typeName.isEmpty else { throw cursor.error("`# TYPE \(name)` needs a type (counter, gauge, histogram, summary or untyped)") }
        guard let type = MetricFamily.MetricType(rawValue: typeName) else {
            throw cursor.error("unknown metric type `\(typeName)` (expected counter, gauge, histogram, summary or untyped)", at: typeColumn)
        }
        cursor.skipBlanks()
        guard cursor.atEnd else { throw cursor.error("unexpected text after the TYPE") }
        if let problem = families.setType(type, for: name) { throw cursor.error(problem, at: nameColumn) }
    }

    // MARK: - Samples

    private static func parseSample(_ cursor: inout LineCursor, into families: inout FamilyBuilder) throws(PrometheusParseError) {
        let nameColumn = cursor.position
        let name = cursor.readName(labelName: false)
        guard !name.isEmpty else { throw cursor.error("expected a metric name") }
        if let c = cursor.peek, c != UInt8(ascii: "{"), !LineCursor.isBlank(c) {
            throw cursor.error("unexpected character \(LineCursor.show(c)) in metric name `\(name)…`")
        }
        cursor.skipBlanks()
        var labels: [String: String] = [:]
        if cursor.peek == UInt8(ascii: "{") {
            cursor.advance()
            labels = try parseLabels(&cursor)
            cursor.skipBlanks()
        }
        guard !cursor.atEnd else { throw cursor.error("expected a value after `\(name)`") }
        let valueColumn = cursor.position
        let valueToken = cursor.readToken()
        guard let value = parseValue(valueToken) else { throw cursor.error("`\(valueToken)` is not a number", at: valueColumn) }
        cursor.skipBlanks()
        var timestamp: Int64?
        if !cursor.atEnd {
            let timestampColumn = cursor.position
            let token = cursor.readToken()
            guard let t = parseTimestamp(token) else {
                throw cursor.error("`\(token)` is not a timestamp (integer milliseconds)", at: timestampColumn)
            }
            timestamp = t
            cursor.skipBlanks()
            guard cursor.atEnd else { throw cursor.error("unexpected text after the timestamp") }
        }
        let sample = MetricFamily.Sample(name: name, labels: labels, value: value, timestamp: timestamp)
        if let problem = families.add(sample) { throw cursor.error(problem, at: nameColumn) }
    }

    /// After `{`: label pairs up to and including `}`.
    private static func parseLabels(_ cursor: inout LineCursor) throws(PrometheusParseError) -> [String: String] {
        var labels: [String: String] = [:]
        while true {
            cursor.skipBlanks()
            if cursor.peek == UInt8(ascii: "}") { cursor.advance(); return labels }
            let nameColumn = cursor.position
            let name = cursor.readName(labelName: true)
            guard !name.isEmpty else {
                if cursor.atEnd { throw cursor.error("unterminated label set: expected `}`") }
                throw cursor.error("expected a label name, found \(LineCursor.show(cursor.peek ?? 0))")
            }
            cursor.skipBlanks()
            guard cursor.peek == UInt8(ascii: "=") else { throw cursor.error("expected `=` after label name `\(name)`") }
            cursor.advance()
            cursor.skipBlanks()
            guard cursor.peek == UInt8(ascii: "\"") else { throw cursor.error("expected a quoted value for label `\(name)`") }
            cursor.advance()
            let value = try cursor.readLabelValue()
            guard labels.updateValue(value, forKey: name) == nil else {
                throw cursor.error("label `\(name)` appears twice", at: nameColumn)
            }
            cursor.skipBlanks()
            switch cursor.peek {
            case UInt8(ascii: ","): cursor.advance()
            case UInt8(ascii: "}"): cursor.advance(); return labels
            case nil: throw cursor.error("unterminated label set: expected `}`")
            case let c?: throw cursor.error("expected `,` or `}` after a label, found \(LineCursor.show(c))")
            }
        }
    }

    // MARK: - Tokens

    static func isMetricName(_ name: String) -> Bool {
        var first = true
        for c in name.utf8 {
            guard LineCursor.isNameByte(c, first: first, labelName: false) else { return false }
            first = false
        }
        return !first
    }

    /// A float as Go's `strconv.ParseFloat` reads it for the text format, minus hex forms.
    static func parseValue(_ token: String) -> Double? {
        switch token.lowercased() {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        // [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
        let bytes = Array(token.utf8)
        var i = 0
        if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
        var mantissaDigits = 0
        while i < bytes.count && LineCursor.isDigit(bytes[i]) { i += 1; mantissaDigits += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count && LineCursor.isDigit(bytes[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            var exponentDigits = 0
            while i < bytes.count && LineCursor.isDigit(bytes[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return nil }
        }
        guard i == bytes.count else { return nil }
        return Double(token)
    }

    static func parseTimestamp(_ token: String) -> Int64? {
        let digits = token.utf8.drop(while: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") })
        guard token.utf8.count - digits.count <= 1, !digits.isEmpty, digits.allSatisfy(LineCursor.isDigit) else { return nil }
        return Int64(token)
    }
}

/// The families read so far, by name, in order of first mention.
private struct FamilyBuilder {
    private(set) var families: [MetricFamily] = []
    private var index: [String: Int] = [:]
    private var typed: Set<String> = []

    private mutating func family(named name: String) -> Int {
        if let i = index[name] { return i }
        families.append(MetricFamily(name: name))
        index[name] = families.count - 1
        return families.count - 1
    }

    /// Sets a family's help; throws `duplicate` when it already has one.
    mutating func setHelp(_ text: String, for name: String, error duplicate: @autoclosure () -> PrometheusParseError) throws(PrometheusParseError) {
        let i = family(named: name)
        guard families[i].help == nil else { throw duplicate() }
        families[i].help = text
    }

    /// Sets a family's type; returns the problem when it cannot.
    mutating func setType(_ type: MetricFamily.MetricType, for name: String) -> String? {
        if typed.contains(name) { return "a second TYPE line for `\(name)`" }
        let i = family(named: name)
        if !families[i].samples.isEmpty { return "the TYPE line for `\(name)` comes after its samples" }
        if type == .histogram || type == .summary {
            for suffix in ["_bucket", "_sum", "_count"] {
                if let j = index[name + suffix], !families[j].samples.isEmpty {
                    return "the TYPE line for `\(name)` comes after its sample `\(name + suffix)`"
                }
            }
        }
        typed.insert(name)
        families[i].type = type
        return nil
    }

    /// Files a sample under its family; returns the problem when it does not fit there.
    mutating func add(_ sample: MetricFamily.Sample) -> String? {
        let i = familyIndex(for: sample.name)
        let family = families[i]
        switch family.type {
        case .histogram:
            if sample.name == family.name {
                return "`\(sample.name)` is a histogram: its samples are `\(family.name)_bucket`, `_sum` and `_count`"
            }
            if sample.name.hasSuffix("_bucket") {
                guard let le = sample.labels["le"] else { return "histogram bucket `\(sample.name)` has no `le` label" }
                guard PrometheusParser.parseValue(le) != nil else { return "histogram bucket `\(sample.name)` has a non-numeric `le` (\"\(le)\")" }
            }
        case .summary:
            if sample.name == family.name {
                guard let q = sample.labels["quantile"] else { return "summary `\(sample.name)` sample has no `quantile` label" }
                guard PrometheusParser.parseValue(q) != nil else { return "summary `\(sample.name)` has a non-numeric `quantile` (\"\(q)\")" }
            }
        case .counter, .gauge, .untyped:
            break
        }
        families[i].samples.append(sample)
        return nil
    }

    /// The suffixes that tie a sample to a histogram or summary family.
    private static let suffixes: [(String, [MetricFamily.MetricType])] = [
        ("_bucket", [.histogram]), ("_sum", [.histogram, .summary]), ("_count", [.histogram, .summary]),
    ]

    private mutating func familyIndex(for sampleName: String) -> Int {
        for (suffix, types) in Self.suffixes where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if let j = index[base], types.contains(families[j].type) { return j }
        }
        return family(named: sampleName)
    }
}

/// A position within one line of the exposition.
private struct LineCursor {
    let bytes: [UInt8]
    let lineStart: Int
    let end: Int
    let line: Int
    private(set) var position: Int

    init(bytes: [UInt8], start: Int, end: Int, line: Int) {
        self.bytes = bytes
        self.lineStart = start
        self.line = line
        self.position = start
        var e = end
        if e > start && bytes[e - 1] == UInt8(ascii: "\r") { e -= 1 }
        while e > start && Self.isBlank(bytes[e - 1]) { e -= 1 }
        self.end = e
    }

    var atEnd: Bool { position >= end }
    var peek: UInt8? { position < end ? bytes[position] : nil }
    mutating func advance() { position += 1 }

    mutating func skipBlanks() {
        while position < end && Self.isBlank(bytes[position]) { position += 1 }
    }

    /// Everything up to the next blank or the end of the line.
    mutating func readToken() -> String {
        let start = position
        while position < end && !Self.isBlank(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// The longest metric (or label) name at the cursor; empty when none starts here.
    mutating func readName(labelName: Bool) -> String {
        let start = position
        while position < end && Self.isNameByte(bytes[position], first: position == start, labelName: labelName) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// The rest of the line as help text: `\\` and `\n` are unescaped; any other backslash is
    /// kept as written (help is documentation, not worth failing a scrape over).
    mutating func readHelpText() -> String {
        var out: [UInt8] = []
        while position < end {
            let c = bytes[position]
            position += 1
            guard c == UInt8(ascii: "\\"), position < end else { out.append(c); continue }
            switch bytes[position] {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); position += 1
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n")); position += 1
            default: out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// After the opening quote: the value up to and including the closing quote.
    mutating func readLabelValue() throws(PrometheusParseError) -> String {
        var out: [UInt8] = []
        while position < end {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                guard position + 1 < end else { break }
                switch bytes[position + 1] {
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case let e: throw error("invalid escape `\\\(Self.printable(e))` in a label value (only \\\\, \\\" and \\n)")
                }
                position += 2
                continue
            }
            out.append(c)
            position += 1
        }
        throw error("unterminated label value: expected a closing `\"`")
    }

    func error(_ message: String, at byteOffset: Int? = nil) -> PrometheusParseError {
        let offset = min(max(byteOffset ?? position, lineStart), max(end, lineStart))
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        return PrometheusParseError(line: line, column: column, message: message)
    }

    static func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func isNameByte(_ c: UInt8, first: Bool, labelName: Bool) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): !first
        case UInt8(ascii: ":"): !labelName
        default: false
        }
    }

    static func printable(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }

    /// A byte for a message: `'x'`, or its code when it is not printable ASCII.
    static func show(_ c: UInt8) -> String { "`\(printable(c))`" }
}
