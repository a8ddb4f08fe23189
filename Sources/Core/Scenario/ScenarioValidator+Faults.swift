extension ScenarioValidator {
    /// The faults (README, *Failure injection*): on the run's clock, with parameters their kind
    /// takes, a launched target for process faults (never two at once), and no HTTP-level fault
    /// over https, where the proxy passes TLS through without reading it.
    static func checkFaults(_ scenario: Scenario, into problems: inout [Problem]) {
        let total = scenario.load.totalDuration
        let isHTTPS = scenario.target.isHTTPS
        let requestNames = scenario.requests.map(\.name)
        var names: [String: Int] = [:]
        for (i, fault) in scenario.faults.enumerated() {
            let path = "faults[\(i)]"
            if fault.at < .zero { problems.append(Problem(.path("\(path).at"), "`at` must not be negative")) }
            else if total > .zero, fault.at >= total {
                problems.append(Problem(.path("\(path).at"), "the fault starts at \(Units.formatDuration(fault.at)), after the load ends (\(Units.formatDuration(total)))",
                                                dependsOn: ["load.stages"]))
            } else if total > .zero, fault.at + fault.duration > total {
                problems.append(Problem(.path("\(path).for"), "the fault ends at \(Units.formatDuration(fault.at + fault.duration)), after the load ends (\(Units.formatDuration(total)))",
                                                hint: "shorten `for` to at most \(Units.formatDuration(total - fault.at))", dependsOn: ["load.stages"]))
            }
            if fault.duration < .zero || (fault.duration == .zero && fault.kind != .kill) {
                problems.append(Problem(.path("\(path).for"), "`for` must be above 0"))
            }
            if fault.kind.isProcessFault, scenario.target.start == nil {
                problems.append(Problem(.path("\(path).kind"), "`\(fault.kind.rawValue)` needs a target the runner starts",
                                                hint: "add `target.start` with the command that launches it", dependsOn: ["target"]))
            }
            if isHTTPS, fault.kind == .error {
                problems.append(Problem(.path("\(path).kind"), "`error` faults cannot be injected into an https target",
                                                hint: "the fault proxy passes TLS through without reading it, so it cannot answer for the target; "
                                                    + "`latency`, `reset`, `blackhole` and `bandwidth` work over https", dependsOn: ["target"]))
            }
            if let request = fault.request {
                if fault.kind.isProcessFault {
                    problems.append(Problem(.path("\(path).request"), "`\(fault.kind.rawValue)` acts on the whole target, not on one request",
                                                    hint: "remove `request`"))
                } else if isHTTPS {
                    problems.append(Problem(.path("\(path).request"), "`request` cannot scope a fault on an https target",
                                                    hint: "the fault proxy passes TLS through without reading it, so it cannot tell requests apart", dependsOn: ["target"]))
                } else if !requestNames.contains(request) {
                    let hint = Suggest.hint(for: request, in: requestNames) ?? "the requests are \(requestNames.map { "`\($0)`" }.joined(separator: ", "))"
                    problems.append(Problem(.path("\(path).request"), "unknown request `\(request)`", hint: hint,
                                                    dependsOn: scenario.requests.isEmpty ? ["requests"] : scenario.requests.indices.map { "requests[\($0)].name" }))
                }
            }
            if let name = fault.name {
                if !isFaultName(name) {
                    problems.append(Problem(.path("\(path).name"), "`\(name)` cannot name a fault", hint: "use 1 to 64 letters, digits, `-`, `_` or `.`"))
                } else if let first = names[name] {
                    problems.append(Problem(.path("\(path).name"), "`\(name)` already names faults[\(first)]", hint: "give each fault its own name"))
                } else {
                    names[name] = i
                }
            }
            for (name, value) in fault.parameters.sorted(by: { $0.key < $1.key }) {
                if let problem = FaultSpec.problem(parameter: name, value: value, kind: fault.kind) {
                    problems.append(Problem(.path("\(path).\(name)"), problem.message, hint: problem.hint))
                }
            }
            for name in fault.kind.requiredParameters where fault.parameters[name] == nil {
                problems.append(Problem(.path(path), "a `\(fault.kind.rawValue)` fault needs `\(name)`", hint: "write e.g. `\(name): \(FaultSpec.example(parameter: name))`"))
            }
        }
        // One process, one fault at a time: a kill during a pause (or two pauses) has no clear meaning.
        let process = scenario.faults.enumerated().filter { $0.element.kind.isProcessFault }.sorted { $0.element.at < $1.element.at }
        for (earlier, later) in zip(process, process.dropFirst()) where later.element.at <= earlier.element.at + earlier.element.duration {
            problems.append(Problem(.path("faults[\(later.offset)].at"),
                                            "this `\(later.element.kind.rawValue)` overlaps faults[\(earlier.offset)] (`\(earlier.element.kind.rawValue)` from \(Units.formatDuration(earlier.element.at)) to \(Units.formatDuration(earlier.element.at + earlier.element.duration)))",
                                            hint: "process faults act on one process: start this one after the other ends"))
        }
    }
}

extension ScenarioValidator {
    /// A fault name: 1 to 64 ASCII letters, digits, `-`, `_` or `.` (it appears in `{fault=NAME}`,
    /// artifacts and JUnit names).
    static func isFaultName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

extension FaultSpec.Kind {
    /// The parameters a fault of this kind takes, besides `kind`, `at`, `for`, `name` and `request`.
    public var parameterNames: [String] {
        switch self {
        case .latency: ["delay", "jitter"]
        case .error: ["rate", "status"]
        case .reset: ["rate"]
        case .bandwidth: ["limit"]
        case .blackhole, .kill, .pause: []
        }
    }

    /// The parameters a fault of this kind cannot do without.
    public var requiredParameters: [String] {
        switch self {
        case .latency: ["delay"]
        case .error, .reset: ["rate"]
        case .bandwidth: ["limit"]
        case .blackhole, .kill, .pause: []
        }
    }
}

extension FaultSpec {
    /// `delay` (latency faults).
    public var delay: Duration { parameters["delay"].flatMap(Units.parseDurationSeconds).map { .seconds($0) } ?? .zero }
    /// `jitter` (latency faults; 0 when absent).
    public var jitter: Duration { parameters["jitter"].flatMap(Units.parseDurationSeconds).map { .seconds($0) } ?? .zero }
    /// `rate` as a fraction 0…1 (error and reset faults).
    public var rate: Double { parameters["rate"].flatMap(Units.parsePercent) ?? 0 }
    /// `status` (error faults; 503 when absent).
    public var status: Int { parameters["status"].flatMap { Int($0) } ?? 503 }
    /// `limit` in bytes per second (bandwidth faults).
    public var bytesPerSecond: Int {
        guard let text = parameters["limit"], text.hasSuffix("/s"), let bytes = Units.parseSizeBytes(String(text.dropLast(2))) else { return 0 }
        return Int(min(bytes, ScenarioBounds.maxBandwidthBytesPerSecond))
    }

    /// What is wrong with a parameter's value, or nil.
    static func problem(parameter: String, value: String, kind: Kind) -> (message: String, hint: String?)? {
        guard kind.parameterNames.contains(parameter) else {
            let names = kind.parameterNames
            let hint = Suggest.hint(for: parameter, in: names + ["name", "request"])
                ?? (names.isEmpty ? "`\(kind.rawValue)` faults take only `at`, `for` and `name`" : "they take \(names.map { "`\($0)`" }.joined(separator: ", "))")
            return ("`\(kind.rawValue)` faults take no `\(parameter)`", hint)
        }
        return problem(value: value, of: parameter).map { ($0, nil) }
    }

    private static func problem(value: String, of parameter: String) -> String? {
        switch parameter {
        case "delay", "jitter":
            guard let seconds = Units.parseDurationSeconds(value) else { return "expected a duration like `200ms`, got `\(value)`" }
            return seconds <= ScenarioBounds.maxShortDuration.seconds ? nil
                : "`\(parameter)` must be at most \(ScenarioBounds.describe(ScenarioBounds.maxShortDuration)), got `\(value)`"
        case "rate":
            guard let p = Units.parsePercent(value) else { return "expected a percentage like `10%`, got `\(value)`" }
            return (0...1).contains(p) ? nil : "`\(value)` is not between 0% and 100%"
        case "status":
            guard let s = Int(value), (200...599).contains(s) else { return "expected an HTTP status the proxy can answer with (200…599), got `\(value)`" }
            return nil
        case "limit":
            guard value.hasSuffix("/s"), let bytes = Units.parseSizeBytes(String(value.dropLast(2))), bytes >= 1 else {
                return "expected a bandwidth like `64KiB/s`, got `\(value)`"
            }
            return bytes <= ScenarioBounds.maxBandwidthBytesPerSecond ? nil : "`limit` must be at most 8GiB/s, got `\(value)`"
        default:
            return nil
        }
    }

    static func example(parameter: String) -> String {
        switch parameter {
        case "delay": "200ms"
        case "rate": "10%"
        case "limit": "64KiB/s"
        default: "…"
        }
    }
}
