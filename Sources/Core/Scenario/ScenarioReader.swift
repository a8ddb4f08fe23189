import Foundation
import Yams

/// The state of reading one scenario file: the problems found so far, where each part of the
/// scenario was written (for the validator's problems), and which parts could not be read.
struct ScenarioReader {
    /// Where a part of the scenario was written. `textShift` maps a character offset into a
    /// single-line scalar to a column: 0 for plain scalars, 1 for quoted ones, nil otherwise.
    struct Anchor {
        var location: Problem.Location
        var textShift: Int?
        var text: String?
    }

    let file: String
    let templates: TemplateParser
    /// Every problem found so far, each at its file position.
    var problems: [Problem] = []
    var anchors: [String: Anchor] = [:]
    /// Paths that had a problem: validator problems about them are consequences, not causes.
    var broken: Set<String> = []
    var secrets: Set<String> = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.templates = TemplateParser(environment: environment)
    }

    static let topLevelKeys = ["name", "description", "target", "load", "requests", "faults", "criteria", "regression"]

    /// Reads `text` into a scenario; nil when it is too broken to build one (problems are in `problems`).
    mutating func read(_ text: String) -> Scenario? {
        guard let root = compose(text) else { return nil }
        anchor("", root)
        guard case .mapping = root else {
            report(root, "", "the scenario must be a mapping (`name: …`, `target: …`, `load: …`), got \(describe(root))")
            return nil
        }
        guard let top = fields(root, path: "", allowed: Self.topLevelKeys) else { return nil }

        let name = require(top, "name", in: root, hint: "add `name: my-test`; it names the result files").flatMap { string($0, "name") }
        let description = top["description"].flatMap { string($0, "description") }
        let target = require(top, "target", in: root, hint: "add `target: { url: http://127.0.0.1:8080 }` or `target: { builtin: demo }`")
            .flatMap { readTarget($0) }
        let load = require(top, "load", in: root, hint: "add e.g. `load: { model: open, rate: 100/s, duration: 30s }`")
            .flatMap { readLoad($0) }
        let requests = readRequests(top["requests"])
        let faults = top["faults"].map { node in droppingIndices("faults") { $0.readFaults(node) } } ?? []
        let criteria = top["criteria"].map { node in droppingIndices("criteria") { $0.readCriteria(node) } } ?? []
        let regression = top["regression"].map { node in droppingIndices("regression") { $0.readRegression(node) } } ?? RegressionRule.defaults

        let scenario = Scenario(
            name: name ?? "", description: description,
            target: target ?? TargetSpec(endpoint: .builtin(DemoTargetOptions())),
            load: load ?? LoadSpec(model: .open, stages: []),
            requests: requests, faults: faults, criteria: criteria, regression: regression,
            secrets: secrets)
        if name == nil { broken.insert("name") }
        if target == nil { broken.insert("target") }
        if load == nil { broken.insert("load") }

        for problem in ScenarioValidator.check(scenario) where !isConsequence(problem) {
            problems.append(problem.moved(to: location(for: problem.location.path ?? "", offset: problem.location.offset)))
        }
        return problems.isEmpty ? scenario : nil
    }

    /// The YAML tree of `text`, composed only once `YAMLGuard` has found it cheap to compose and
    /// to walk; nil (with a problem) when it is too large, malformed or empty.
    mutating func compose(_ text: String) -> Node? {
        let start = Problem.Location.file(file, line: 1, column: 1)
        let bytes = text.utf8.count
        guard bytes <= ScenarioBounds.maxFileBytes else {
            report(at: start, path: "", "the file is \(ScenarioBounds.describe(bytes)) bytes; a scenario file must be at most 1 MiB (\(ScenarioBounds.describe(ScenarioBounds.maxFileBytes)) bytes)")
            return nil
        }
        if let problem = YAMLGuard.scan(text) {
            report(problem.inFile(file), path: "")
            return nil
        }
        let neutral = YAMLGuard.neutralized(text)
        do {
            // The parser holds the anchors the guard reads, so it lives until the check is done.
            let parser = try Parser(yaml: neutral ?? text)
            guard let node = try parser.singleRoot() else {
                report(at: start, path: "", "the scenario is empty", hint: "start with `name:`, `target:` and `load:`; see examples/quickstart.yaml")
                return nil
            }
            try YAMLGuard.check(node)
            if neutral == nil { return node }
        } catch let problem as Problem {
            report(problem.inFile(file), path: "")
            return nil
        } catch {
            reportComposeError(error, text: text)
            // The neutralized text spells aliases with U+E000: show them as written.
            for i in problems.indices {
                problems[i].message = problems[i].message.replacingOccurrences(of: "\u{E000}", with: "*")
                problems[i].hint = problems[i].hint?.replacingOccurrences(of: "\u{E000}", with: "*")
            }
            return nil
        }
        do {
            // Aliases are in the text: compose it again, now known to expand to a bounded tree.
            guard let node = try Yams.compose(yaml: text) else {
                report(at: start, path: "", "the scenario is empty")
                return nil
            }
            return node
        } catch {
            reportComposeError(error, text: text)
            return nil
        }
    }

    mutating func reportComposeError(_ error: any Error, text: String) {
        if let error = error as? YamlError {
            reportYAML(error, text: text)
        } else {
            report(at: .file(file, line: 1, column: 1), path: "", "invalid YAML: \(error)")
        }
    }

    /// Reads a list whose unreadable entries are left out, so later entries shift down: the file's
    /// indices in the broken paths mean nothing to the validator, which only learns that `section`
    /// lost entries (`section.dropped`).
    mutating func droppingIndices<T>(_ section: String, _ read: (inout ScenarioReader) -> T) -> T {
        let before = broken
        let result = read(&self)
        for path in broken.subtracting(before) where path.hasPrefix(section + "[") {
            broken.remove(path)
            broken.insert(section + ".dropped")
        }
        return result
    }

    // MARK: Problems and locations

    func location(_ node: Node) -> Problem.Location {
        let mark = node.mark
        return .file(file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The column of a character offset into a scalar's text, when the scalar is on one line.
    func location(_ node: Node, offset: Int) -> Problem.Location {
        let location = location(node)
        if let shift = Self.textShift(node), let text = node.scalar?.string, !text.prefix(offset).contains("\n") {
            return location.shifted(by: shift + offset)
        }
        return location
    }

    static func textShift(_ node: Node) -> Int? {
        guard let scalar = node.scalar else { return nil }
        switch scalar.style {
        case .plain, .any: return 0
        case .singleQuoted, .doubleQuoted: return 1
        case .literal, .folded: return nil
        }
    }

    /// Records where `path` was written, for problems found later.
    mutating func anchor(_ path: String, _ node: Node) {
        anchors[path] = Anchor(location: location(node), textShift: Self.textShift(node), text: node.scalar?.string)
    }

    mutating func report(_ node: Node, _ path: String, _ message: String, hint: String? = nil) {
        report(at: location(node), path: path, message, hint: hint)
    }

    mutating func report(at location: Problem.Location, path: String, _ message: String, hint: String? = nil) {
        report(Problem(location, message, hint: hint), path: path)
    }

    /// Reports a problem a parser found in the text of `node` (a scalar): its offset, plus
    /// `base`, becomes the file position it points at.
    mutating func report(_ problem: Problem, in node: Node, offset base: Int = 0, path: String) {
        report(problem.moved(to: location(node, offset: base + (problem.location.offset ?? 0))), path: path)
    }

    /// Records `problem` (already at its file position); `path` could not be read.
    mutating func report(_ problem: Problem, path: String) {
        problems.append(problem)
        broken.insert(path)
    }

    /// The location of a validator problem: the closest recorded ancestor of its path.
    func location(for path: String, offset: Int?) -> Problem.Location {
        var current = path
        while true {
            if let anchor = anchors[current] {
                if let offset, let shift = anchor.textShift, current == path,
                   !(anchor.text?.prefix(offset).contains("\n") ?? true) {
                    return anchor.location.shifted(by: shift + offset)
                }
                return anchor.location
            }
            if current.isEmpty { return .file(file, line: 1, column: 1) }
            current = Self.parent(of: current)
        }
    }

    static func parent(of path: String) -> String {
        guard let i = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return "" }
        return String(path[..<i])
    }

    static func related(_ a: String, _ b: String) -> Bool {
        func under(_ x: String, _ y: String) -> Bool {
            y.isEmpty || x == y || x.hasPrefix(y + ".") || x.hasPrefix(y + "[")
        }
        return under(a, b) || under(b, a)
    }

    func isConsequence(_ problem: Problem) -> Bool {
        let path = problem.location.path ?? ""
        return broken.contains { b in Self.related(path, b) || problem.dependsOn.contains { Self.related($0, b) } }
    }

    mutating func reportYAML(_ error: YamlError, text: String) {
        func at(_ mark: Mark) -> Problem.Location { .file(file, line: max(mark.line, 1), column: max(mark.column, 1)) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            report(at: at(mark), path: "", "invalid YAML: \(problem)", hint: context.map { $0.text })
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; point at the repetition when it is found on a later line.
            let (firstLine, column) = (max(context.mark.line, 1), max(context.mark.column, 1))
            let key = duplicates.first ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let repeated = lines.indices.dropFirst(firstLine).first { i in
                let line = lines[i].unicodeScalars
                let indent = line.prefix { $0 == " " }.count
                let rest = String(String.UnicodeScalarView(line.dropFirst(indent)))
                return indent + 1 == column && (rest.hasPrefix("\(key):") || rest.hasPrefix("\"\(key)\":"))
            }
            let location = Problem.Location.file(file, line: repeated.map { $0 + 1 } ?? firstLine, column: column)
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            report(at: location, path: "", "duplicate key \(keys)",
                   hint: repeated != nil ? "it is already at line \(firstLine); a key may appear only once in a mapping" : "a key may appear only once in a mapping")
        case .reader(let problem, let offset, _, _):
            var (line, column) = (1, 1)
            if let offset {
                let prefix = text.unicodeScalars.prefix(offset)
                line = prefix.filter { $0 == "\n" }.count + 1
                column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
            }
            report(at: .file(file, line: line, column: column), path: "", "invalid YAML: \(problem)")
        default:
            report(at: .file(file, line: 1, column: 1), path: "", "invalid YAML: \(error)")
        }
    }

    // MARK: Structure

    /// A mapping's entries, in order.
    struct Fields {
        var node: Node
        var entries: [(key: String, keyNode: Node, value: Node)]
        subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }
        func keyNode(_ key: String) -> Node? { entries.first { $0.key == key }?.keyNode }
    }

    /// Reads a mapping, reporting anything that is not one and every key not in `allowed` (nil: any key).
    mutating func fields(_ node: Node, path: String, allowed: [String]?) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping for `\(path)`, got \(describe(node))",
                   hint: allowed.map { "with keys like \($0.prefix(3).map { "`\($0)`" }.joined(separator: ", "))" })
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string, keyNode.null == nil else {
                report(keyNode, path, "expected a key name, got \(describe(keyNode))")
                continue
            }
            let childPath = Self.join(path, key)
            if let allowed, !allowed.contains(key) {
                let hint = Suggest.hint(for: key, in: allowed) ?? "\(path.isEmpty ? "top-level keys" : "keys of `\(path)`") are \(allowed.map { "`\($0)`" }.joined(separator: ", "))"
                report(keyNode, childPath, "unknown key `\(key)`", hint: hint)
                continue
            }
            anchor(childPath, value)
            entries.append((key, keyNode, value))
        }
        return Fields(node: node, entries: entries)
    }

    /// The value of a required key, or a "missing" problem at the mapping.
    mutating func require(_ fields: Fields, _ key: String, in node: Node, path: String = "", hint: String? = nil) -> Node? {
        if let value = fields[key] { return value }
        report(node, Self.join(path, key), "missing `\(key)`\(path.isEmpty ? "" : " in `\(path)`")", hint: hint)
        return nil
    }

    /// The items of a list, or a problem.
    mutating func items(_ node: Node, path: String, of what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list of \(what) for `\(path)`, got \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if node.null != nil { return "nothing" }
            return "`\(scalar.string)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    // MARK: Scalars

    /// A scalar's text, or a problem naming what was expected.
    mutating func scalarText(_ node: Node, _ path: String, expected: String, hint: String? = nil) -> String? {
        guard case .scalar(let scalar) = node, node.null == nil else {
            report(node, path, "expected \(expected), got \(describe(node))", hint: hint)
            return nil
        }
        return scalar.string
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        scalarText(node, path, expected: "a string")
    }

    /// A duration of at most `limit` (one of `ScenarioBounds`'); too long is reported here, with the text as written.
    mutating func duration(_ node: Node, _ path: String, atMost limit: Duration) -> Duration? {
        guard let text = scalarText(node, path, expected: "a duration like `30s`") else { return nil }
        if let seconds = Units.parseDurationSeconds(text) {
            if seconds > limit.seconds {
                report(node, path, "`\(Self.field(path))` must be at most \(ScenarioBounds.describe(limit)), got `\(text)`")
                return nil
            }
            if let d = Units.duration(seconds: seconds) { return d }
        }
        let trimmed = text.trimmingSpaces
        if trimmed.hasPrefix("-"), Units.parseDurationSeconds(String(trimmed.dropFirst())) != nil {
            report(node, path, "durations cannot be negative, got `\(text)`")
        } else if Double(trimmed) != nil {
            report(node, path, "expected a duration like `30s`, got `\(text)`", hint: "add a unit: `\(trimmed)s` or `\(trimmed)ms`")
        } else {
            report(node, path, "expected a duration like `30s`, got `\(text)`", hint: "units are ms, s, m and h")
        }
        return nil
    }

    /// An integer; one too large for `Int` is reported as beyond `limit` (its bound in `ScenarioBounds`).
    mutating func int(_ node: Node, _ path: String, atMost limit: Int) -> Int? {
        guard let text = scalarText(node, path, expected: "an integer") else { return nil }
        let trimmed = text.trimmingSpaces
        if let i = Int(trimmed) { return i }
        let digits = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            report(node, path, trimmed.hasPrefix("-") ? "`\(Self.field(path))` must not be negative, got `\(text)`"
                                                     : "`\(Self.field(path))` must be at most \(ScenarioBounds.describe(limit)), got `\(text)`")
        } else {
            report(node, path, "expected an integer, got `\(text)`")
        }
        return nil
    }

    /// The last part of a path, as the file names it: `timeout` for `load.timeout`, `status` for `requests[0].expect.status[1]`.
    static func field(_ path: String) -> String {
        var last = path[(path.lastIndex(of: ".").map { path.index(after: $0) } ?? path.startIndex)...]
        if let bracket = last.firstIndex(of: "[") { last = last[..<bracket] }
        return String(last)
    }

    mutating func bool(_ node: Node, _ path: String) -> Bool? {
        guard let text = scalarText(node, path, expected: "`true` or `false`") else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default:
            report(node, path, "expected `true` or `false`, got `\(text)`")
            return nil
        }
    }

    /// `1%` as 0.01.
    mutating func percent(_ node: Node, _ path: String) -> Double? {
        guard let text = scalarText(node, path, expected: "a percentage like `1%`") else { return nil }
        if let p = Units.parsePercent(text) { return p }
        if let n = Double(text.trimmingSpaces), n.isFinite {
            report(node, path, "expected a percentage like `1%`, got `\(text)`", hint: "write `\(Units.formatNumber(n <= 1 ? n * 100 : n))%`")
        } else {
            report(node, path, "expected a percentage like `1%`, got `\(text)`")
        }
        return nil
    }

    /// Parses a template in a scalar, reporting its problems at their columns.
    mutating func template(_ node: Node, _ path: String, allowRandom: Bool = true, context: String = "this field") -> Template? {
        guard let text = scalarText(node, path, expected: "a string") else { return nil }
        return template(text, node: node, offset: 0, path: path, allowRandom: allowRandom, context: context)
    }

    mutating func template(_ text: String, node: Node, offset: Int, path: String, allowRandom: Bool = true, context: String = "this field") -> Template? {
        let output = templates.parse(text, allowRandom: allowRandom, context: context)
        for problem in output.problems {
            report(problem, in: node, offset: offset, path: path)
        }
        secrets.formUnion(output.secrets)
        return output.problems.isEmpty ? output.template : nil
    }
}

extension Template {
    /// The text when the template has no random parts.
    var constantText: String? {
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let s): out += s
            case .environment(_, let value, _): out += value
            case .randomInt, .randomUUID: return nil
            }
        }
        return out
    }
}
