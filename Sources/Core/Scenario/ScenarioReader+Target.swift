import Yams

extension ScenarioReader {
    static let targetKeys = ["url", "builtin", "latency", "jitter", "error_rate", "stall", "start", "ready", "metrics", "insecure"]
    static let demoKeys = ["latency", "jitter", "error_rate", "stall"]

    /// `target:` — a URL or the builtin demo target, plus how the runner starts and waits for it.
    mutating func readTarget(_ node: Node) -> TargetSpec? {
        guard let f = fields(node, path: "target", allowed: Self.targetKeys) else { return nil }
        var endpoint: TargetSpec.Endpoint?
        var redactedURL: String?
        switch (f["url"], f["builtin"]) {
        case (let urlNode?, nil):
            for key in Self.demoKeys {
                if let keyNode = f.keyNode(key) {
                    report(keyNode, "target.\(key)", "`\(key)` is a knob of the builtin target",
                           hint: "remove it, or use `builtin: demo` instead of `url`")
                }
            }
            if let (url, template) = readURL(urlNode) {
                endpoint = .url(url)
                if template.hasEnvironmentValue { redactedURL = template.redacted }
            }
        case (nil, let builtinNode?):
            endpoint = readDemo(builtinNode, f).map { .builtin($0) }
        case (_?, _?):
            report(f.keyNode("builtin") ?? node, "target", "`url` and `builtin` cannot be combined", hint: "choose one")
        case (nil, nil):
            report(node, "target", "the target needs `url` or `builtin: demo`",
                   hint: "write e.g. `target: { url: http://127.0.0.1:8080 }`")
        }

        var start: [String]?
        var redactedStart: [String]?
        if let startNode = f["start"], let parts = readStart(startNode) {
            start = parts.map { $0.constantText ?? "" }
            if parts.contains(where: \.hasEnvironmentValue) { redactedStart = parts.map(\.redacted) }
        }
        var ready: ReadySpec?
        if let readyNode = f["ready"] { ready = readReady(readyNode) }
        let metrics = f["metrics"].flatMap { string($0, "target.metrics") }
        let insecure = f["insecure"].flatMap { bool($0, "target.insecure") } ?? false
        guard let endpoint else { return nil }
        return TargetSpec(endpoint: endpoint, start: start, ready: ready, metrics: metrics, insecure: insecure,
                          redactedURL: redactedURL, redactedStart: redactedStart)
    }

    /// The URL, and its template (to show it with environment values redacted).
    private mutating func readURL(_ node: Node) -> (TargetURL, Template)? {
        guard let text = scalarText(node, "target.url", expected: "a URL like `http://127.0.0.1:8080`") else { return nil }
        guard let parsed = template(text, node: node, offset: 0, path: "target.url", allowRandom: false, context: "`target.url`"),
              let resolved = parsed.constantText
        else { return nil }
        if let range = resolved.range(of: "://") {
            let scheme = resolved[..<range.lowerBound].lowercased()
            if scheme != "http" && scheme != "https" {
                report(node, "target.url", "unknown scheme `\(scheme)`", hint: "use `http://` or `https://`")
                return nil
            }
        }
        guard let url = TargetURL(parsing: resolved) else {
            report(node, "target.url", "`\(text)` is not a URL like `http://127.0.0.1:8080`",
                   hint: resolved.contains("://") ? "check the host and port (1…65535)" : "start it with `http://` or `https://`")
            return nil
        }
        return (url, parsed)
    }

    private mutating func readDemo(_ builtinNode: Node, _ f: Fields) -> DemoTargetOptions? {
        guard let name = string(builtinNode, "target.builtin") else { return nil }
        guard name == "demo" else {
            report(builtinNode, "target.builtin", "unknown builtin target `\(name)`", hint: "the only builtin target is `demo`")
            return nil
        }
        var demo = DemoTargetOptions()
        var ok = true
        if let n = f["latency"] { if let d = duration(n, "target.latency", atMost: ScenarioBounds.maxShortDuration) { demo.latency = d } else { ok = false } }
        if let n = f["jitter"] { if let d = duration(n, "target.jitter", atMost: ScenarioBounds.maxShortDuration) { demo.jitter = d } else { ok = false } }
        if let n = f["error_rate"] { if let p = percent(n, "target.error_rate") { demo.errorRate = p } else { ok = false } }
        if let n = f["stall"] {
            if let stall = fields(n, path: "target.stall", allowed: ["every", "for"]) {
                if let every = require(stall, "every", in: n, path: "target.stall", hint: "write e.g. `stall: { every: 10s, for: 1s }`") {
                    demo.stallEvery = duration(every, "target.stall.every", atMost: ScenarioBounds.maxRunDuration)
                }
                if let length = require(stall, "for", in: n, path: "target.stall", hint: "write e.g. `stall: { every: 10s, for: 1s }`") {
                    demo.stallFor = duration(length, "target.stall.for", atMost: ScenarioBounds.maxShortDuration)
                }
                if demo.stallEvery == nil || demo.stallFor == nil { ok = false }
            } else {
                ok = false
            }
        }
        return ok ? demo : nil
    }

    /// A list of arguments, or one string split on spaces. Only `${NAME}` templates.
    private mutating func readStart(_ node: Node) -> [Template]? {
        var args: [Template] = []
        var ok = true
        switch node {
        case .sequence(let sequence):
            for (i, item) in sequence.enumerated() {
                let path = "target.start[\(i)]"
                guard let text = scalarText(item, path, expected: "a string") else { ok = false; continue }
                if let t = template(text, node: item, offset: 0, path: path, allowRandom: false, context: "`target.start`") {
                    args.append(t)
                } else {
                    ok = false
                }
            }
        default:
            guard let text = scalarText(node, "target.start", expected: "a command (a string, or a list of arguments)") else { return nil }
            var offset = 0
            for part in text.split(separator: " ", omittingEmptySubsequences: false) {
                defer { offset += part.count + 1 }
                guard !part.isEmpty else { continue }
                if let t = template(String(part), node: node, offset: offset, path: "target.start", allowRandom: false, context: "`target.start`") {
                    args.append(t)
                } else {
                    ok = false
                }
            }
        }
        return ok ? args : nil
    }

    private mutating func readReady(_ node: Node) -> ReadySpec? {
        if case .scalar = node {
            return string(node, "target.ready").map { ReadySpec(path: $0) }
        }
        guard let f = fields(node, path: "target.ready", allowed: ["path", "timeout"]) else { return nil }
        var ready = ReadySpec()
        if let n = f["path"] { guard let p = string(n, "target.ready.path") else { return nil }; ready.path = p }
        if let n = f["timeout"] { guard let d = duration(n, "target.ready.timeout", atMost: ScenarioBounds.maxShortDuration) else { return nil }; ready.timeout = d }
        return ready
    }
}
