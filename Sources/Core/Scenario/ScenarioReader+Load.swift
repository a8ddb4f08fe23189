import Yams

extension ScenarioReader {
    static let loadKeys = ["model", "warmup", "start", "stages", "rate", "users", "duration",
                           "max_in_flight", "connections", "think", "timeout", "keepalive"]

    /// `load:` — the model, the stages (or the constant shorthand), and the connection knobs.
    ///
    /// Without `model`, `users:` means closed and anything else open. The shorthand
    /// `rate: R, duration: D` (or `users: N`) becomes a 0s jump to R and a constant stage named
    /// `constant` lasting warmup + D, so D is the measured part.
    mutating func readLoad(_ node: Node) -> LoadSpec? {
        guard let f = fields(node, path: "load", allowed: Self.loadKeys) else { return nil }
        var model: LoadModel = f["users"] != nil ? .closed : .open
        if let n = f["model"] {
            if let text = string(n, "load.model") {
                if let m = LoadModel(rawValue: text) {
                    model = m
                } else {
                    report(n, "load.model", "unknown model `\(text)`",
                           hint: Suggest.hint(for: text, in: LoadModel.allCases.map(\.rawValue)) ?? "the models are `open` (arrival rate) and `closed` (virtual users)")
                    // Read the levels the way they are written, so one typo does not cascade.
                    if case .sequence(let stages)? = f["stages"], let first = stages.first?.mapping?["target"]?.scalar?.string,
                       Int(first.trimmingSpaces) != nil {
                        model = .closed
                    }
                }
            }
        }

        var spec = LoadSpec(model: model, stages: [])
        if let n = f["warmup"], let d = duration(n, "load.warmup", atMost: ScenarioBounds.maxRunDuration) { spec.warmup = d }
        if let n = f["start"], let v = level(n, "load.start", model: model) { spec.start = v }
        if let n = f["max_in_flight"], let v = int(n, "load.max_in_flight", atMost: ScenarioBounds.maxConnections) { spec.maxInFlight = v }
        if let n = f["connections"], let v = int(n, "load.connections", atMost: ScenarioBounds.maxConnections) { spec.connections = v }
        if let n = f["think"], let d = duration(n, "load.think", atMost: ScenarioBounds.maxShortDuration) { spec.think = d }
        if let n = f["timeout"], let d = duration(n, "load.timeout", atMost: ScenarioBounds.maxShortDuration) { spec.timeout = d }
        if let n = f["keepalive"], let b = bool(n, "load.keepalive") { spec.keepalive = b }

        let shorthandKeys = ["rate", "users", "duration"].filter { f[$0] != nil }
        if let stagesNode = f["stages"] {
            for key in shorthandKeys {
                report(f.keyNode(key) ?? node, "load.\(key)", "`\(key)` cannot be combined with `stages`",
                       hint: "use `stages`, or `\(model == .open ? "rate" : "users")` and `duration` for constant load")
            }
            spec.stages = readStages(stagesNode, model: model)
        } else if !shorthandKeys.isEmpty {
            guard let stages = readShorthand(f, model: model, warmup: spec.warmup) else { return nil }
            spec.stages = stages
        } else {
            report(node, "load", "the load needs `stages`, or `\(model == .open ? "rate" : "users")` and `duration`",
                   hint: model == .open ? "write e.g. `rate: 100/s, duration: 30s`" : "write e.g. `users: 16, duration: 30s`")
            return nil
        }
        return spec
    }

    private mutating func readShorthand(_ f: Fields, model: LoadModel, warmup: Duration) -> [Stage]? {
        let levelKey = model == .open ? "rate" : "users"
        let otherKey = model == .open ? "users" : "rate"
        if let keyNode = f.keyNode(otherKey) {
            report(keyNode, "load.\(otherKey)", "`\(otherKey)` is for the \(model == .open ? "closed" : "open") model",
                   hint: "with `model: \(model.rawValue)`, write `\(levelKey):`\(model == .open ? " (an arrival rate like `500/s`)" : " (a number of users)")")
            return nil
        }
        guard let levelNode = f[levelKey] else {
            report(f.node, "load.\(levelKey)", "constant load needs `\(levelKey)`", hint: model == .open ? "write e.g. `rate: 100/s`" : "write e.g. `users: 16`")
            return nil
        }
        guard let durationNode = f["duration"] else {
            report(f.node, "load.duration", "constant load needs `duration`", hint: "write e.g. `duration: 60s`")
            return nil
        }
        anchor("load.stages", durationNode)
        let level = level(levelNode, "load.\(levelKey)", model: model)
        let length = duration(durationNode, "load.duration", atMost: ScenarioBounds.maxRunDuration)
        if let length, length <= .zero {
            report(durationNode, "load.duration", "`duration` must be above 0", hint: "it is the measured part of the run, after the warmup")
            return nil
        }
        guard let level, let length else { return nil }
        anchor("load.stages[0].target", levelNode)
        anchor("load.stages[1].target", levelNode)
        return [Stage(name: "jump", duration: .zero, target: level), Stage(name: "constant", duration: warmup + length, target: level)]
    }

    private mutating func readStages(_ node: Node, model: LoadModel) -> [Stage] {
        guard let items = items(node, path: "load.stages", of: "stages") else { return [] }
        var stages: [Stage] = []
        for (i, item) in items.enumerated() {
            let path = "load.stages[\(i)]"
            anchor(path, item)
            // A stage that cannot be read still takes its place, so names and indices stay right.
            var stage = Stage(name: "stage-\(i + 1)", duration: .zero, target: 0)
            guard let f = fields(item, path: path, allowed: ["name", "duration", "target"]) else {
                stages.append(stage)
                continue
            }
            if let n = f["name"], let name = string(n, "\(path).name") { stage.name = name }
            if let n = require(f, "duration", in: item, path: path, hint: "write e.g. `{ duration: 30s, target: \(model == .open ? "100/s" : "16") }`"),
               let d = duration(n, "\(path).duration", atMost: ScenarioBounds.maxRunDuration) {
                stage.duration = d
            }
            if let n = require(f, "target", in: item, path: path, hint: model == .open ? "the arrival rate at the stage's end, e.g. `100/s`" : "the number of users at the stage's end, e.g. `16`"),
               let v = level(n, "\(path).target", model: model) {
                stage.target = v
            }
            stages.append(stage)
        }
        return stages
    }

    /// A load level: an arrival rate (open model) or a user count (closed model).
    private mutating func level(_ node: Node, _ path: String, model: LoadModel) -> Double? {
        switch model {
        case .open:
            guard let text = scalarText(node, path, expected: "a rate like `500/s`") else { return nil }
            if let rate = Units.parseRate(text) {
                guard rate.perSecond <= ScenarioBounds.maxRatePerSecond else {
                    report(node, path, "`\(Self.field(path))` must be at most \(ScenarioBounds.describe(ScenarioBounds.maxRatePerSecond))/s, got `\(text)`")
                    return nil
                }
                return rate.perSecond
            }
            if let n = Double(text.trimmingSpaces), n.isFinite {
                report(node, path, "expected a rate like `500/s`, got `\(text)`", hint: "the open model's level is an arrival rate; write `\(text.trimmingSpaces)/s`")
            } else {
                report(node, path, "expected a rate like `500/s`, got `\(text)`", hint: "rates are per second (`/s`), minute (`/m`) or hour (`/h`)")
            }
            return nil
        case .closed:
            guard let text = scalarText(node, path, expected: "a user count like `64`") else { return nil }
            let trimmed = text.trimmingSpaces
            if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard let n = Int(trimmed), n <= ScenarioBounds.maxUsers else {
                    report(node, path, "`\(Self.field(path))` must be at most \(ScenarioBounds.describe(ScenarioBounds.maxUsers)) users, got `\(text)`")
                    return nil
                }
                return Double(n)
            }
            if let n = Int(trimmed) { return Double(n) }
            if Units.parseRate(text) != nil {
                report(node, path, "expected a user count like `64`, got `\(text)`", hint: "the closed model's level is a number of virtual users; for a rate use `model: open`")
            } else {
                report(node, path, "expected a whole number of users like `64`, got `\(text)`")
            }
            return nil
        }
    }
}
