import Yams

extension ScenarioReader {
    /// `faults:` (README, *Failure injection*): `kind`, `at`, `for` (optional for `kill`: the
    /// target is started again at once), an optional `name` and `request`, and the kind's
    /// parameters. Entries that cannot be read are left out, so `faults[k]` anchors follow the
    /// scenario's indices.
    mutating func readFaults(_ node: Node) -> [FaultSpec] {
        guard let items = items(node, path: "faults", of: "faults") else { return [] }
        var faults: [FaultSpec] = []
        let kinds = FaultSpec.Kind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
        for (i, item) in items.enumerated() {
            let filePath = "faults[\(i)]"
            guard let f = fields(item, path: filePath, allowed: nil) else { continue }
            var kind: FaultSpec.Kind?
            if let n = require(f, "kind", in: item, path: filePath, hint: "kinds are \(kinds)"),
               let text = string(n, "\(filePath).kind") {
                kind = FaultSpec.Kind(rawValue: text)
                if kind == nil {
                    report(n, "\(filePath).kind", "unknown fault kind `\(text)`",
                           hint: Suggest.hint(for: text, in: FaultSpec.Kind.allCases.map(\.rawValue)) ?? "kinds are \(kinds)")
                }
            }
            let at = require(f, "at", in: item, path: filePath, hint: "when it starts, e.g. `at: 40s`").flatMap { duration($0, "\(filePath).at", atMost: ScenarioBounds.maxRunDuration) }
            var length: Duration?
            if kind == .kill, f["for"] == nil {
                length = .zero
            } else {
                length = require(f, "for", in: item, path: filePath, hint: "how long it lasts, e.g. `for: 10s`").flatMap { duration($0, "\(filePath).for", atMost: ScenarioBounds.maxRunDuration) }
            }
            var name: String?
            var request: String?
            var parameters: [String: String] = [:]
            var ok = true
            for entry in f.entries where !["kind", "at", "for"].contains(entry.key) {
                guard let text = scalarText(entry.value, "\(filePath).\(entry.key)", expected: "a value") else {
                    ok = false
                    continue
                }
                switch entry.key {
                case "name":
                    if ScenarioValidator.isFaultName(text) { name = text } else {
                        report(entry.value, "\(filePath).name", "`\(text)` cannot name a fault",
                               hint: "use 1 to 64 letters, digits, `-`, `_` or `.`")
                        ok = false
                    }
                case "request": request = text
                default: parameters[entry.key] = text
                }
            }
            guard let kind, let at, let length, ok else { continue }
            let path = "faults[\(faults.count)]"
            anchor(path, item)
            for entry in f.entries {
                let known = ["kind", "at", "for", "name", "request"].contains(entry.key) || kind.parameterNames.contains(entry.key)
                anchor("\(path).\(entry.key)", known ? entry.value : entry.keyNode)
            }
            faults.append(FaultSpec(kind: kind, at: at, duration: length, parameters: parameters, name: name, request: request))
        }
        return faults
    }

    /// `criteria:` — strings, or `{ expr, abort, after }`. Syntax errors point at their column.
    mutating func readCriteria(_ node: Node) -> [CriterionSpec] {
        guard let items = items(node, path: "criteria", of: "criteria") else { return [] }
        var criteria: [CriterionSpec] = []
        for (i, item) in items.enumerated() {
            let filePath = "criteria[\(i)]"
            var exprNode = item
            var abort = false
            var after: Duration?
            var afterNode: Node?
            if case .mapping = item {
                guard let f = fields(item, path: filePath, allowed: ["expr", "abort", "after"]) else { continue }
                guard let n = require(f, "expr", in: item, path: filePath, hint: "write e.g. `{ expr: \"error_rate < 5% for 5s\", abort: true }`") else { continue }
                exprNode = n
                if let n = f["abort"] { guard let b = bool(n, "\(filePath).abort") else { continue }; abort = b }
                if let n = f["after"] { guard let d = duration(n, "\(filePath).after", atMost: ScenarioBounds.maxRunDuration) else { continue }; after = d; afterNode = n }
            }
            guard let text = scalarText(exprNode, filePath, expected: "a criterion like `p95(latency) < 250ms`") else { continue }
            let expression: CriterionExpression
            do {
                expression = try CriterionParser.parse(text)
            } catch {
                report(error, in: exprNode, path: filePath)
                continue
            }
            let path = "criteria[\(criteria.count)]"
            anchor(path, exprNode)
            if let afterNode { anchor("\(path).after", afterNode) }
            criteria.append(CriterionSpec(expression: expression, source: text, abort: abort, after: after))
        }
        return criteria
    }

    /// `regression:` — `{ metric: SELECTOR, tolerance: "10%" | "0.5% absolute" }`.
    mutating func readRegression(_ node: Node) -> [RegressionRule] {
        guard let items = items(node, path: "regression", of: "rules") else { return [] }
        var rules: [RegressionRule] = []
        for (i, item) in items.enumerated() {
            let filePath = "regression[\(i)]"
            guard let f = fields(item, path: filePath, allowed: ["metric", "tolerance"]) else { continue }
            var metric: MetricSelector?
            var metricNode: Node?
            if let n = require(f, "metric", in: item, path: filePath, hint: "write e.g. `metric: p95(latency)`"),
               let text = scalarText(n, "\(filePath).metric", expected: "a metric like `p95(latency)`") {
                do {
                    metric = try CriterionParser.parseSelector(text)
                    metricNode = n
                } catch {
                    report(error, in: n, path: "\(filePath).metric")
                }
            }
            var tolerance: (Double, Bool)?
            var toleranceNode: Node?
            if let n = require(f, "tolerance", in: item, path: filePath, hint: "write e.g. `tolerance: 10%` or `tolerance: 0.5% absolute`"),
               let text = scalarText(n, "\(filePath).tolerance", expected: "a tolerance like `10%`") {
                tolerance = Self.parseTolerance(text)
                toleranceNode = n
                if tolerance == nil {
                    report(n, "\(filePath).tolerance", "expected a tolerance like `10%` or `0.5% absolute`, got `\(text)`",
                           hint: "relative to the baseline by default; `absolute` compares percentage points")
                }
            }
            guard let metric, let tolerance else { continue }
            let path = "regression[\(rules.count)]"
            anchor(path, item)
            if let metricNode { anchor("\(path).metric", metricNode) }
            if let toleranceNode { anchor("\(path).tolerance", toleranceNode) }
            rules.append(RegressionRule(metric: metric, tolerance: tolerance.0, absolute: tolerance.1))
        }
        return rules
    }

    /// `10%`, `10% relative`, `0.5% absolute`.
    static func parseTolerance(_ text: String) -> (Double, Bool)? {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard let first = words.first, words.count <= 2, let p = Units.parsePercent(String(first)) else { return nil }
        switch words.dropFirst().first {
        case nil, "relative"?: return (p, false)
        case "absolute"?: return (p, true)
        default: return nil
        }
    }
}
