/// Turns `/products/${random.int(1,5000)}?key=${API_KEY:-dev}` into a `Template`.
///
/// ```
/// text      := { LITERAL | "${" part "}" }        ; a `$` not followed by `{` is literal
/// part      := NAME [ ":-" DEFAULT ]              ; NAME = [A-Za-z_][A-Za-z0-9_]*, read from the environment
///            | "random.int(" INT "," INT ")"      ; a ≤ b, uniform, inclusive
///            | "random.uuid"
/// ```
///
/// Environment references are resolved here, once; the values that came from the environment are
/// returned as secrets so they can be redacted wherever text is echoed.
public struct TemplateParser: Sendable {
    /// A parsed template, the problems found, each at a character offset into the text (the
    /// template is partial when there are any), and the environment values it used.
    public struct Output: Sendable {
        public var template: Template
        public var problems: [Problem]
        public var secrets: Set<String>
    }

    /// Where `${NAME}` is resolved.
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Parses `text`. With `allowRandom: false` (target URL, start command) only environment
    /// references are allowed; `context` names the field in that error message.
    public func parse(_ text: String, allowRandom: Bool = true, context: String = "this field") -> Output {
        let chars = Array(text)
        var segments: [Template.Segment] = []
        var problems: [Problem] = []
        var secrets: Set<String> = []
        var literal = ""
        var i = 0
        while i < chars.count {
            guard chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "{" else {
                literal.append(chars[i])
                i += 1
                continue
            }
            let start = i
            guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                problems.append(Problem(.offset(start), "unterminated `${`", hint: "close it with `}`"))
                break
            }
            if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
            let body = String(chars[(i + 2)..<close])
            i = close + 1
            let inner = body.trimmingSpaces
            if inner.hasPrefix("random.") || inner == "random" {
                if !allowRandom {
                    problems.append(Problem(.offset(start), "`${\(body)}` is not allowed in \(context)",
                                            hint: "random values go in request paths, headers and bodies; here only `${NAME}` works"))
                    continue
                }
                switch parseRandom(inner) {
                case .success(let segment): segments.append(segment)
                case .failure(let problem): problems.append(problem.moved(to: .offset(start)))
                }
                continue
            }
            let name: String
            let fallback: String?
            if let range = body.range(of: ":-") {
                name = String(body[..<range.lowerBound])
                fallback = String(body[range.upperBound...])
            } else {
                name = body
                fallback = nil
            }
            guard Self.isVariableName(name) else {
                let hint = name.contains("(") || name.contains(".")
                    ? Suggest.hint(for: String(name.prefix { $0 != "(" }), in: ["random.int", "random.uuid"]) ?? "the functions are `random.int(a,b)` and `random.uuid`"
                    : "write `${NAME}`, `${NAME:-default}`, `${random.int(a,b)}` or `${random.uuid}`"
                let what = name.contains("(") || name.contains(".") ? "unknown template function `\(body)`" : "invalid template `${\(body)}`"
                problems.append(Problem(.offset(start), what, hint: hint))
                continue
            }
            if let value = environment[name] {
                segments.append(.environment(name: name, value: value, fromEnvironment: true))
                if !value.isEmpty { secrets.insert(value) }
            } else if let fallback {
                segments.append(.environment(name: name, value: fallback, fromEnvironment: false))
            } else {
                problems.append(Problem(.offset(start), "environment variable `\(name)` is not set",
                                        hint: "set it or give a default: ${\(name):-value}"))
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        return Output(template: Template(segments: segments), problems: problems, secrets: secrets)
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    private func parseRandom(_ inner: String) -> Result<Template.Segment, Problem> {
        let compact = inner.filter { !$0.isWhitespace }
        if compact == "random.uuid" { return .success(.randomUUID) }
        if compact.hasPrefix("random.int(") && compact.hasSuffix(")") {
            let args = compact.dropFirst("random.int(".count).dropLast().split(separator: ",", omittingEmptySubsequences: false)
            func isInteger(_ s: Substring) -> Bool {
                let digits = s.hasPrefix("-") || s.hasPrefix("+") ? s.dropFirst() : s
                return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
            }
            guard args.count == 2, isInteger(args[0]), isInteger(args[1]) else {
                return .failure(Problem(.offset(0), "`${\(inner)}` needs two integers", hint: "write e.g. `${random.int(1,5000)}`"))
            }
            let limit = ScenarioBounds.maxTemplateInteger
            guard let a = Int(args[0]), let b = Int(args[1]), a.magnitude <= limit.magnitude, b.magnitude <= limit.magnitude else {
                return .failure(Problem(.offset(0), "`${\(inner)}` is out of range",
                                        hint: "both bounds must be within ±\(ScenarioBounds.describe(limit)) (2^53 - 1)"))
            }
            guard a <= b else {
                return .failure(Problem(.offset(0), "`${\(inner)}` has its bounds reversed", hint: "write `${random.int(\(b),\(a))}`"))
            }
            return .success(.randomInt(a...b))
        }
        let function = String(compact.prefix { $0 != "(" })
        let hint = Suggest.hint(for: function, in: ["random.int", "random.uuid"]) ?? "the functions are `random.int(a,b)` and `random.uuid`"
        return .failure(Problem(.offset(0), "unknown template function `\(function)`", hint: hint))
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
