import Yams

/// Keeps hostile YAML from costing more than its size before the scenario is composed into nodes.
///
/// Yams composes an alias as a shared copy of the node it names, which is cheap, but it hashes
/// every mapping key to find duplicates, and anything that walks the tree (the body's JSON, the
/// reader) walks each alias in full: twenty lines of nested aliases (a "billion laughs") stand
/// for billions of nodes. So before the real composition:
///
/// 1. Keys that are lists or mappings (`? …`, `[…]: …`, `{…}: …`) are refused from the text. A
///    scenario's keys are names; nested complex keys would make the duplicate check quadratic.
///    So is a text that could hold more values than the node budget, which bounds the work of
///    composing (hashing a key costs microseconds). The scan ignores quoting, so it can only err
///    towards refusing.
/// 2. The text is composed once with every `*` replaced by U+E000, a private-use character of the
///    same length: no alias remains, so this is linear, and every former alias is a plain scalar
///    starting with U+E000 at the alias's own position. Walking that tree bottom-up with each
///    anchor's expanded size and height remembered (in the order Yams registers anchors) gives
///    the exact size and depth of the real tree without expanding anything. Alias keys are refused.
///
/// Each refusal is a `Problem` at a line and column of the text (`.text`).
///
/// libyaml itself stops nesting at 1,000 levels, which bounds the recursion of Yams' composer.
struct YAMLGuard {
    static let aliasMarker: Unicode.Scalar = "\u{E000}"

    /// What the text alone shows: a list or mapping used as a mapping key, or more than
    /// `maxIndicators` characters that can start a value. Every node but the root is introduced by
    /// one of `,` `:` `-` `?` `[` `{` (a sequence entry by `-` or a flow separator, a mapping pair,
    /// which is two nodes, by `:`, `?` or a flow separator), so a text with at most N of them
    /// composes to at most 2N + 1 nodes before aliases; counting them in scalars and comments too
    /// only errs towards refusing.
    static func scan(_ text: String, maxIndicators: Int = ScenarioBounds.maxYAMLIndicators) -> Problem? {
        let scalars = Array(text.unicodeScalars)
        var line = 1
        var lineStart = 0
        var indicators = 0
        var inTemplate = false
        func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }
        func isBreakOrEnd(_ i: Int) -> Bool { i >= scalars.count || scalars[i] == "\n" || scalars[i] == "\r" }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "," || c == ":" || c == "-" || c == "?" || c == "[" || c == "{" {
                indicators += 1
                if indicators > maxIndicators {
                    return Problem(.text(line: line, column: i - lineStart + 1),
                                   "the file has more than \(ScenarioBounds.describe(maxIndicators)) of `,` `:` `-` `?` `[` `{`, each of which can start a YAML value",
                                   hint: "a scenario needs far fewer; put a large body in the environment and use `${NAME}`")
                }
            }
            if c == "\n" {
                line += 1
                lineStart = i + 1
                inTemplate = false
            } else if c == "$", i + 1 < scalars.count, scalars[i + 1] == "{" {
                // `${NAME}:${PORT}` is a template, not a flow mapping used as a key (which `${…}` cannot be in YAML).
                inTemplate = true
                i += 1
                indicators += 1
            } else if c == "}", inTemplate {
                inTemplate = false
            } else if c == "?", isBreakOrEnd(i + 1) || isBlank(scalars[i + 1]) {
                // An explicit key: `?` where a node can start (line start, after `-`, `?`, `:`, `[`, `{`, `,`, or after an anchor or tag).
                var j = i - 1
                while j >= lineStart, isBlank(scalars[j]) { j -= 1 }
                var starts = j < lineStart || "-?:[{,".unicodeScalars.contains(scalars[j])
                if !starts {
                    var k = j
                    while k > lineStart, !isBlank(scalars[k - 1]) { k -= 1 }
                    starts = scalars[k] == "&" || scalars[k] == "!"
                }
                if starts {
                    return Problem(.text(line: line, column: i - lineStart + 1), "complex mapping keys (`? …`) are not supported",
                                   hint: "every key in a scenario is a name")
                }
            } else if c == "]" || c == "}" {
                var j = i + 1
                while j < scalars.count, isBlank(scalars[j]) { j += 1 }
                if j < scalars.count, scalars[j] == ":" {
                    return Problem(.text(line: line, column: i - lineStart + 1), "a list or mapping cannot be a mapping key",
                                   hint: "every key in a scenario is a name")
                }
            }
            i += 1
        }
        return nil
    }

    /// The text with every `*` replaced by `aliasMarker`, or nil when it has none.
    static func neutralized(_ text: String) -> String? {
        guard text.unicodeScalars.contains("*") else { return nil }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars { out.append(c == "*" ? aliasMarker : c) }
        return String(out)
    }

    /// The expanded size and height of a node.
    struct Extent {
        var size: Int
        var height: Int
    }

    /// Checks the alias-free tree composed from the neutralized text (`parser` must still be alive,
    /// as it holds the anchors). Throws the first problem: an alias used as a key, or a value that
    /// expands past `maxNodes` nodes or `maxDepth` levels.
    static func check(_ root: Node, maxNodes: Int = ScenarioBounds.maxYAMLNodes, maxDepth: Int = ScenarioBounds.maxYAMLDepth) throws(Problem) {
        struct Frame {
            var node: Node
            /// Children in the order Yams composes them: a mapping's key, then its value.
            var count: Int
            var next = 0
            var extent = Extent(size: 1, height: 1)
            func child(_ i: Int) -> Node {
                switch node {
                case .mapping(let mapping): i % 2 == 0 ? mapping[mapping.startIndex + i / 2].key : mapping[mapping.startIndex + i / 2].value
                case .sequence(let sequence): sequence[sequence.startIndex + i]
                case .scalar, .alias: node
                }
            }
        }
        var anchors: [String: Extent] = [:]
        var stack: [Frame] = []

        func at(_ node: Node, _ message: String, hint: String? = nil) -> Problem {
            Problem(.text(line: max(node.mark?.line ?? 1, 1), column: max(node.mark?.column ?? 1, 1)), message, hint: hint)
        }
        func aliasName(_ node: Node) -> String? {
            guard case .scalar(let scalar) = node, scalar.style == .plain, scalar.string.unicodeScalars.first == aliasMarker else { return nil }
            return String(String.UnicodeScalarView(scalar.string.unicodeScalars.dropFirst().prefix { c in
                c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
            }))
        }
        func anchor(of node: Node) -> String? {
            switch node {
            case .scalar(let s): s.anchor?.rawValue
            case .mapping(let m): m.anchor?.rawValue
            case .sequence(let s): s.anchor?.rawValue
            case .alias: nil
            }
        }
        func enter(_ node: Node) throws(Problem) {
            var count = 0
            switch node {
            case .mapping(let mapping):
                for key in mapping.keys {
                    if let name = aliasName(key) {
                        throw at(key, "an alias (`*\(name)`) cannot be a mapping key", hint: "every key in a scenario is a name")
                    }
                    guard case .scalar = key else {
                        throw at(key, "a list or mapping cannot be a mapping key", hint: "every key in a scenario is a name")
                    }
                }
                count = mapping.count * 2
            case .sequence(let sequence):
                count = sequence.count
            case .scalar, .alias:
                break
            }
            if stack.count + 1 > maxDepth {
                throw at(node, "the YAML nests more than \(maxDepth) levels deep")
            }
            stack.append(Frame(node: node, count: count))
        }
        func tooMany(_ node: Node) -> Problem {
            at(node, "this value expands to more than \(ScenarioBounds.describe(maxNodes)) YAML nodes",
               hint: "a scenario needs far fewer; an alias (`*name`) counts in full each time it is used")
        }
        /// Adds a finished child's extent to the node being walked (the top of the stack).
        func addToParent(_ child: Extent, from node: Node) throws(Problem) {
            guard let parent = stack.indices.last else { return }
            if stack.count + child.height > maxDepth {
                throw at(node, "the YAML nests more than \(maxDepth) levels deep (counting through aliases)")
            }
            stack[parent].extent.size += child.size
            stack[parent].extent.height = max(stack[parent].extent.height, child.height + 1)
            if stack[parent].extent.size > maxNodes { throw tooMany(stack[parent].node) }
        }

        try enter(root)
        while var frame = stack.popLast() {
            if frame.next < frame.count {
                let child = frame.child(frame.next)
                frame.next += 1
                stack.append(frame)
                if let name = aliasName(child) {
                    // An alias stands for its anchor's node as registered so far; an unknown one is left to Yams to report.
                    try addToParent(anchors[name] ?? Extent(size: 1, height: 1), from: child)
                } else {
                    try enter(child)
                }
                continue
            }
            // Done with this node: register its anchor (as Yams does, after its children) and add it to its parent.
            if let name = anchor(of: frame.node) { anchors[name] = frame.extent }
            if frame.extent.size > maxNodes { throw tooMany(frame.node) }
            try addToParent(frame.extent, from: frame.node)
        }
    }
}
