import Yams

extension ScenarioReader {
    static let requestKeys = ["name", "weight", "method", "path", "headers", "body", "expect"]

    /// `requests:` — the mix. Absent, it is one `GET /` named `root`.
    mutating func readRequests(_ node: Node?) -> [RequestSpec] {
        guard let node else { return [RequestSpec(name: "root", path: Template(literal: "/"))] }
        guard let items = items(node, path: "requests", of: "requests") else { return [] }
        var requests: [RequestSpec] = []
        for (i, item) in items.enumerated() {
            // A request that cannot be read still takes its place, so names and indices stay right.
            requests.append(readRequest(item, path: "requests[\(i)]") ?? RequestSpec(name: "", path: Template(literal: "/")))
        }
        return requests
    }

    private mutating func readRequest(_ node: Node, path: String) -> RequestSpec? {
        anchor(path, node)
        guard let f = fields(node, path: path, allowed: Self.requestKeys) else { return nil }
        var request = RequestSpec(name: "", path: Template(literal: "/"))
        if let n = f["method"], let method = string(n, "\(path).method") { request.method = method.uppercased() }
        var pathText = "/"
        if let n = require(f, "path", in: node, path: path, hint: "write e.g. `path: /products`") {
            if let text = scalarText(n, "\(path).path", expected: "a path like `/products`") {
                pathText = text
                if let t = template(text, node: n, offset: 0, path: "\(path).path") { request.path = t }
            }
        }
        if let n = f["name"] {
            request.name = string(n, "\(path).name") ?? ""
        } else {
            request.name = "\(request.method) \(pathText)"
        }
        if let n = f["weight"], let w = int(n, "\(path).weight", atMost: ScenarioBounds.maxWeight) { request.weight = w }
        if let n = f["headers"] { request.headers = readHeaders(n, path: "\(path).headers") }
        if let n = f["body"] { request.body = readBody(n, path: "\(path).body") }
        if let n = f["expect"], let e = readExpect(n, path: "\(path).expect") { request.expect = e }
        // A JSON body written as YAML is sent as JSON.
        if let n = f["body"], n.scalar == nil, !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            request.headers.append(.init(name: "content-type", value: Template(literal: "application/json")))
        }
        return request
    }

    private mutating func readHeaders(_ node: Node, path: String) -> [RequestSpec.Header] {
        guard let f = fields(node, path: path, allowed: nil) else { return [] }
        var headers: [RequestSpec.Header] = []
        for entry in f.entries {
            if let value = template(entry.value, "\(path).\(entry.key)") {
                headers.append(.init(name: entry.key, value: value))
            }
        }
        return headers
    }

    /// A string, or a mapping or list sent as compact JSON.
    private mutating func readBody(_ node: Node, path: String) -> Template? {
        switch node {
        case .scalar:
            return template(node, path)
        case .mapping, .sequence:
            var json = ""
            Self.writeJSON(node, to: &json)
            return template(json, node: node, offset: 0, path: path)
        case .alias:
            report(node, path, "expected a body (a string, a mapping or a list), got \(describe(node))")
            return nil
        }
    }

    /// Compact JSON of a YAML value. A string that is exactly `${random.int(a,b)}` is written
    /// unquoted (even if quoted in YAML), so `qty: "${random.int(1,5)}"` sends a number.
    static func writeJSON(_ node: Node, to out: inout String) {
        switch node {
        case .mapping(let mapping):
            out += "{"
            for (i, (key, value)) in mapping.enumerated() {
                if i > 0 { out += "," }
                writeJSONString(key.scalar?.string ?? "", to: &out)
                out += ":"
                writeJSON(value, to: &out)
            }
            out += "}"
        case .sequence(let sequence):
            out += "["
            for (i, item) in sequence.enumerated() {
                if i > 0 { out += "," }
                writeJSON(item, to: &out)
            }
            out += "]"
        case .scalar(let scalar):
            let text = scalar.string
            if scalar.style == .plain {
                if node.null != nil { out += "null"; return }
                if let b = node.bool { out += b ? "true" : "false"; return }
                if let i = node.int { out += String(i); return }
                if let d = node.float, d.isFinite { out += "\(d)"; return }
            }
            if text.hasPrefix("${random.int("), text.hasSuffix(")}"), !text.dropFirst(2).contains("$") { out += text; return }
            writeJSONString(text, to: &out)
        case .alias:
            out += "null"
        }
    }

    static func writeJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += "\\u" + String(c.value, radix: 16).leftPadded(to: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private mutating func readExpect(_ node: Node, path: String) -> Expectation? {
        guard let f = fields(node, path: path, allowed: ["status", "body_contains"]) else { return nil }
        var expect = Expectation()
        if let n = f["status"] {
            switch n {
            case .sequence(let sequence):
                var statuses: [Int] = []
                for (i, item) in sequence.enumerated() {
                    if let s = int(item, "\(path).status[\(i)]", atMost: 599) { statuses.append(s) }
                }
                expect.status = statuses
            default:
                if let s = int(n, "\(path).status", atMost: 599) { expect.status = [s] }
            }
        }
        if let n = f["body_contains"] { expect.bodyContains = string(n, "\(path).body_contains") }
        return expect
    }
}
