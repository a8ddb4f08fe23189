/// The scenario-level checks, in one place for `ScenarioLoader` (which attaches file locations)
/// and `ScenarioBuilder` (which reports paths). Types and syntax are the parsers' business; this
/// checks values and cross-references: ranges, unique names, stages named by criteria, requests
/// named by filters, features a criterion needs.
public enum ScenarioValidator {
    /// The methods a request may use.
    public static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Every problem in `scenario`, in scenario order, each located at its path (`.path`, with an
    /// offset into a criterion's text where one is known); empty when it is valid.
    public static func check(_ scenario: Scenario) -> [Problem] {
        var problems: [Problem] = []
        checkName(scenario.name, into: &problems)
        checkTarget(scenario.target, into: &problems)
        checkLoad(scenario.load, into: &problems)
        checkRequests(scenario.requests, into: &problems)
        checkFaults(scenario, into: &problems)
        checkCriteria(scenario, into: &problems)
        checkRegression(scenario, into: &problems)
        checkBounds(scenario, into: &problems)
        return problems
    }

    /// Whether `name` can be used in a file name: letters, digits, `-`, `_`, `.`, not starting with `.`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first != "." else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    static func checkName(_ name: String, into problems: inout [Problem]) {
        if name.isEmpty {
            problems.append(Problem(.path("name"), "the name is empty", hint: "it names the result files; write e.g. `checkout-peak`"))
        } else if !isValidName(name) {
            let suggestion = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-" })
                .drop { $0 == "." }
            problems.append(Problem(.path("name"), "name `\(name)` can only contain letters, digits, `-`, `_` and `.`",
                                    hint: "it names the result files; try `\(suggestion.isEmpty ? "my-test" : String(suggestion))`"))
        }
    }

    static func checkTarget(_ target: TargetSpec, into problems: inout [Problem]) {
        if case .builtin(let demo) = target.endpoint {
            if demo.latency < .zero { problems.append(Problem(.path("target.latency"), "latency must not be negative")) }
            if demo.jitter < .zero { problems.append(Problem(.path("target.jitter"), "jitter must not be negative")) }
            if !(0...1).contains(demo.errorRate) {
                problems.append(Problem(.path("target.error_rate"), "error_rate must be between 0% and 100%, got \(Units.formatNumber(demo.errorRate * 100))%"))
            }
            switch (demo.stallEvery, demo.stallFor) {
            case (nil, nil): break
            case (let every?, let length?):
                if every <= .zero { problems.append(Problem(.path("target.stall.every"), "`every` must be above 0")) }
                if length <= .zero { problems.append(Problem(.path("target.stall.for"), "`for` must be above 0")) }
                else if every > .zero, length >= every {
                    problems.append(Problem(.path("target.stall.for"), "a stall (\(Units.formatDuration(length))) must be shorter than its period (\(Units.formatDuration(every)))"))
                }
            default:
                problems.append(Problem(.path("target.stall"), "`stall` needs both `every` and `for`", hint: "write e.g. `stall: { every: 10s, for: 1s }`"))
            }
        }
        if let start = target.start {
            if start.first.map({ $0.trimmingSpaces.isEmpty }) ?? true {
                problems.append(Problem(.path("target.start"), "the start command is empty", hint: "write e.g. `start: [\"./server\", \"--port\", \"8080\"]`, or remove `start`"))
            }
        }
        if let ready = target.ready {
            if !ready.path.hasPrefix("/") {
                problems.append(Problem(.path("target.ready.path"), "path `\(ready.path)` must start with `/`", hint: "write `/\(ready.path)`"))
            }
            if ready.timeout <= .zero { problems.append(Problem(.path("target.ready.timeout"), "the ready timeout must be above 0")) }
        }
        if let metrics = target.metrics, !metrics.hasPrefix("/") {
            problems.append(Problem(.path("target.metrics"), "path `\(metrics)` must start with `/`", hint: "write `/\(metrics)`"))
        }
    }

    static func checkLoad(_ load: LoadSpec, into problems: inout [Problem]) {
        let unit = load.model == .open ? "/s" : " users"
        if load.start < 0 { problems.append(Problem(.path("load.start"), "the start level must not be negative, got \(Units.formatNumber(load.start))\(unit)")) }
        if load.model == .closed, load.start != load.start.rounded() {
            problems.append(Problem(.path("load.start"), "a user count must be a whole number, got \(Units.formatNumber(load.start))"))
        }
        var seen: [String: Int] = [:]
        for (i, stage) in load.stages.enumerated() {
            let path = "load.stages[\(i)]"
            if stage.duration < .zero { problems.append(Problem(.path("\(path).duration"), "a stage duration must not be negative")) }
            if stage.target < 0 {
                problems.append(Problem(.path("\(path).target"), "a stage target must not be negative, got \(Units.formatNumber(stage.target))\(unit)"))
            } else if load.model == .closed, stage.target != stage.target.rounded() {
                problems.append(Problem(.path("\(path).target"), "a user count must be a whole number, got \(Units.formatNumber(stage.target))"))
            }
            if stage.name.isEmpty {
                problems.append(Problem(.path("\(path).name"), "the stage name is empty", hint: "remove `name` to get `stage-\(i + 1)`"))
            } else if let first = seen[stage.name] {
                problems.append(Problem(.path("\(path).name"), "duplicate stage name `\(stage.name)`", hint: "stage \(first + 1) has it too; names must be unique"))
            } else {
                seen[stage.name] = i
            }
        }
        let total = load.totalDuration
        if load.stages.isEmpty {
            problems.append(Problem(.path("load.stages"), "the load has no stages", hint: "add `stages`, or `rate` and `duration`"))
        } else if total <= .zero {
            problems.append(Problem(.path("load.stages"), "the load lasts 0s", hint: "give a stage a duration above 0"))
        }
        if load.warmup < .zero {
            problems.append(Problem(.path("load.warmup"), "warmup must not be negative"))
        } else if load.warmup > .zero, total > .zero, load.warmup >= total {
            problems.append(Problem(.path("load.warmup"), "warmup (\(Units.formatDuration(load.warmup))) must be shorter than the stages (\(Units.formatDuration(total)))",
                                    hint: "the warmup is the first part of the stages' timeline", dependsOn: ["load.stages"]))
        }
        if load.maxInFlight <= 0 { problems.append(Problem(.path("load.max_in_flight"), "max_in_flight must be above 0, got \(load.maxInFlight)")) }
        if load.connections <= 0 { problems.append(Problem(.path("load.connections"), "connections must be above 0, got \(load.connections)")) }
        if load.think < .zero { problems.append(Problem(.path("load.think"), "think must not be negative")) }
        if load.timeout <= .zero { problems.append(Problem(.path("load.timeout"), "the request timeout must be above 0")) }
    }

    static func checkRequests(_ requests: [RequestSpec], into problems: inout [Problem]) {
        if requests.isEmpty {
            problems.append(Problem(.path("requests"), "there are no requests", hint: "add one, or remove `requests` to send `GET /`"))
        }
        var seen: [String: Int] = [:]
        for (i, request) in requests.enumerated() {
            let path = "requests[\(i)]"
            if request.name.isEmpty {
                problems.append(Problem(.path("\(path).name"), "the request name is empty"))
            } else if let first = seen[request.name] {
                problems.append(Problem(.path("\(path).name"), "duplicate request name `\(request.name)`",
                                        hint: "request \(first + 1) has it too; names must be unique"))
            } else {
                seen[request.name] = i
            }
            if request.weight < 1 {
                problems.append(Problem(.path("\(path).weight"), "weight must be at least 1, got \(request.weight)",
                                        hint: "remove the request to leave it out of the mix"))
            }
            if !methods.contains(request.method) {
                let hint = Suggest.hint(for: request.method, in: methods) ?? "use one of \(methods.joined(separator: ", "))"
                problems.append(Problem(.path("\(path).method"), "unknown method `\(request.method)`", hint: hint))
            }
            if !startsWithSlash(request.path) {
                problems.append(Problem(.path("\(path).path"), "path `\(request.path.redacted)` must start with `/`", hint: "write `/\(request.path.redacted)`"))
            }
            for header in request.headers where !isToken(header.name) {
                problems.append(Problem(.path("\(path).headers"), "`\(header.name)` is not a valid header name",
                                        hint: "header names are letters, digits and `-`"))
            }
            for status in request.expect.status ?? [] where !(100...599).contains(status) {
                problems.append(Problem(.path("\(path).expect.status"), "`\(status)` is not an HTTP status", hint: "statuses are 100…599"))
            }
            if request.expect.status?.isEmpty == true {
                problems.append(Problem(.path("\(path).expect.status"), "the list of expected statuses is empty", hint: "remove `status` to accept any status below 400"))
            }
        }
    }

    static func startsWithSlash(_ template: Template) -> Bool {
        for segment in template.segments {
            switch segment {
            case .literal(let s): if let c = s.first { return c == "/" }
            case .environment(_, let value, _): if let c = value.first { return c == "/" }
            case .randomInt, .randomUUID: return false
            }
        }
        return false
    }

    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }
    }

    static func checkCriteria(_ scenario: Scenario, into problems: inout [Problem]) {
        let stageNames = scenario.load.stages.map(\.name)
        let measured = scenario.load.totalDuration - scenario.load.warmup
        for (i, criterion) in scenario.criteria.enumerated() {
            let path = "criteria[\(i)]"
            let expression = criterion.expression
            let source = criterion.source
            if let stage = expression.during, !stageNames.contains(stage) {
                let hint = Suggest.hint(for: stage, in: stageNames)
                    ?? (stageNames.isEmpty ? nil : "the stages are \(stageNames.map { "`\($0)`" }.joined(separator: ", "))")
                problems.append(Problem(.path(path, offset: offset(of: stage, after: "during", in: source)), "unknown stage `\(stage)`",
                                        hint: hint, dependsOn: stageNamePaths(scenario.load)))
            }
            if let sustained = expression.sustained, measured > .zero, sustained > measured {
                problems.append(Problem(.path(path, offset: offset(of: "for", after: nil, in: source)),
                                        "`for \(Units.formatDuration(sustained))` is longer than the measured run (\(Units.formatDuration(measured)))",
                                        hint: "it could never fail", dependsOn: ["load"]))
            }
            checkSelector(expression.selector, path: path, source: source, scenario: scenario, into: &problems)
            if let after = criterion.after {
                if !criterion.abort {
                    problems.append(Problem(.path("\(path).after"), "`after` only applies with `abort: true`", hint: "add `abort: true`, or remove `after`"))
                }
                if after < .zero { problems.append(Problem(.path("\(path).after"), "`after` must not be negative")) }
            }
        }
    }

    static func checkRegression(_ scenario: Scenario, into problems: inout [Problem]) {
        for (i, rule) in scenario.regression.enumerated() {
            let path = "regression[\(i)]"
            if rule.tolerance < 0 { problems.append(Problem(.path("\(path).tolerance"), "tolerance must not be negative")) }
            if let problem = rule.comparisonProblem {
                problems.append(Problem(.path("\(path).\(problem.part)"), problem.message, hint: problem.hint))
                if problem.part == "metric" { continue }
            }
            checkSelector(rule.metric, path: "\(path).metric", source: nil, scenario: scenario, into: &problems)
        }
    }

    /// Cross-references of a selector: the request it names, the features its metric needs.
    static func checkSelector(_ selector: MetricSelector, path: String, source: String?, scenario: Scenario, into problems: inout [Problem]) {
        let requestNames = scenario.requests.map(\.name)
        if let request = selector.filter.request, !requestNames.contains(request) {
            let hint = Suggest.hint(for: request, in: requestNames) ?? "the requests are \(requestNames.map { "`\($0)`" }.joined(separator: ", "))"
            problems.append(Problem(.path(path, offset: source.flatMap { offset(of: request, after: "request", in: $0) }),
                                    "unknown request `\(request)`", hint: hint,
                                    dependsOn: scenario.requests.isEmpty ? ["requests"] : scenario.requests.indices.map { "requests[\($0)].name" }))
        }
        let faultNames = scenario.faults.enumerated().map { $1.displayName(index: $0) }
        if let fault = selector.filter.fault, !scenario.faults.isEmpty, !faultNames.contains(fault) {
            let hint = Suggest.hint(for: fault, in: faultNames) ?? "the faults are \(faultNames.map { "`\($0)`" }.joined(separator: ", "))"
            problems.append(Problem(.path(path, offset: source.flatMap { offset(of: fault, after: "fault", in: $0) }),
                                    "unknown fault `\(fault)`", hint: hint, dependsOn: scenario.faults.indices.map { "faults[\($0)]" }))
        }
        switch selector.metric {
        case .recoveryTime where scenario.faults.isEmpty:
            problems.append(Problem(.path(path, offset: source.flatMap { offset(of: "recovery_time", after: nil, in: $0) }),
                                    "`recovery_time` needs faults to recover from", hint: "add a `faults` section, or remove this", dependsOn: ["faults"]))
        case .prom where scenario.target.metrics == nil:
            problems.append(Problem(.path(path, offset: source.flatMap { offset(of: "prom:", after: nil, in: $0) }),
                                    "`prom:` metrics need `target.metrics`",
                                    hint: "set `target.metrics` to the path serving Prometheus text, e.g. `/metrics`", dependsOn: ["target"]))
        default: break
        }
    }

    /// What a stage name check depends on: every stage's name (or the stages, when there are none).
    static func stageNamePaths(_ load: LoadSpec) -> [String] {
        load.stages.isEmpty ? ["load.stages"] : load.stages.indices.map { "load.stages[\($0)].name" }
    }

    /// The character offset of `word` in `text`, after the first occurrence of `keyword` if given.
    static func offset(of word: String, after keyword: String?, in text: String) -> Int? {
        let chars = Array(text)
        let needle = Array(word)
        var from = 0
        if let keyword {
            guard let k = find(Array(keyword), in: chars, from: 0) else { return nil }
            from = k + keyword.count
        }
        return find(needle, in: chars, from: from)
    }

    private static func find(_ needle: [Character], in haystack: [Character], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        for i in from...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}

extension RegressionRule {
    /// Why the baseline comparison (README, *Results store and baselines*: the method) cannot judge this rule, and which part of it to fix
    /// (`metric` or `tolerance`); nil when it can. The one place that decides which rules compare:
    /// latency and service-time percentiles or averages, throughput and error rate, overall or
    /// `{request=…}`; relative tolerances, except the error rate's, which is in percentage points.
    public var comparisonProblem: (part: String, message: String, hint: String)? {
        let supported = "regression rules compare percentiles or `avg` of `latency` and `service_time`, `throughput` and `error_rate`"
        switch (metric.metric, metric.aggregate) {
        case (.latency, .percentile), (.latency, .avg), (.serviceTime, .percentile), (.serviceTime, .avg),
             (.throughput, .value), (.errorRate, .value):
            break
        case (.latency, _), (.serviceTime, _):
            return ("metric", "`\(metric)` is one sample per run, too noisy to compare with a baseline", "use a percentile, e.g. `p99(\(MetricSelector(aggregate: .value, metric: metric.metric)))`")
        default:
            return ("metric", "`\(metric)` cannot be compared with a baseline", supported)
        }
        if metric.filter.status != nil {
            return ("metric", "`\(metric)`: `{status=…}` is not compared with a baseline",
                    "compare `error_rate` (all errors), overall or with `{request=…}`")
        }
        if metric.metric == .errorRate, !absolute {
            return ("tolerance", "an error-rate tolerance is a difference in percentage points",
                    "write e.g. `tolerance: 0.5% absolute`")
        }
        if metric.metric != .errorRate, absolute {
            return ("tolerance", "a `\(metric)` tolerance is relative to the baseline", "remove `absolute`, e.g. `tolerance: 10%`")
        }
        return nil
    }
}
