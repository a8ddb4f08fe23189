extension ScenarioValidator {
    /// The upper bounds of `ScenarioBounds` (the lower ones are the other checks'), and the
    /// characters that would let a header value or a path split the request it is sent in.
    static func checkBounds(_ scenario: Scenario, into problems: inout [Problem]) {
        typealias B = ScenarioBounds
        func add(_ path: String, _ message: String, hint: String? = nil) {
            problems.append(Problem(.path(path), message, hint: hint))
        }
        func atMost(_ path: String, _ what: String, _ value: Duration, _ limit: Duration) {
            if value > limit { add(path, "\(what) must be at most \(B.describe(limit)), got \(Units.formatDuration(value))") }
        }

        if scenario.name.count > B.maxNameLength, isValidName(scenario.name) {
            add("name", "the name is \(scenario.name.count) characters long; it must be at most \(B.maxNameLength)",
                hint: "run ids are `YYYYMMDD_HHMMSS_<name>` (and `-N` when two runs share a second), and the store takes ids of at most 100 characters")
        }
        if let description = scenario.description, description.count > B.maxDescriptionLength {
            add("description", "the description is \(description.count) characters long; it must be at most \(B.describe(B.maxDescriptionLength))")
        }

        // Target
        switch scenario.target.endpoint {
        case .builtin(let demo):
            atMost("target.latency", "latency", demo.latency, B.maxShortDuration)
            atMost("target.jitter", "jitter", demo.jitter, B.maxShortDuration)
            if let every = demo.stallEvery { atMost("target.stall.every", "`every`", every, B.maxRunDuration) }
            if let length = demo.stallFor { atMost("target.stall.for", "a stall", length, B.maxShortDuration) }
        case .url(let url):
            if let c = forbidden(in: url.host + url.basePath, allowSpace: false) {
                add("target.url", "the URL contains \(name(of: c))", hint: "it would end up in every request line and `host` header; percent-encode it")
            }
        }
        if let start = scenario.target.start, start.contains(where: { $0.unicodeScalars.contains("\0") }) {
            add("target.start", "the start command contains a NUL character", hint: "a process argument cannot hold one")
        }
        if let ready = scenario.target.ready {
            atMost("target.ready.timeout", "the ready timeout", ready.timeout, B.maxShortDuration)
            checkPath(ready.path, "target.ready.path", into: &problems)
        }
        if let metrics = scenario.target.metrics { checkPath(metrics, "target.metrics", into: &problems) }

        // Load
        let load = scenario.load
        let unit = load.model == .open ? "/s" : " users"
        let maxLevel = load.model == .open ? B.maxRatePerSecond : Double(B.maxUsers)
        atMost("load.warmup", "warmup", load.warmup, B.maxRunDuration)
        if load.start > maxLevel { add("load.start", "the start level must be at most \(B.describe(maxLevel))\(unit), got \(Units.formatNumber(load.start))\(unit)") }
        if load.stages.count > B.maxStages {
            add("load.stages", "the load has \(B.describe(load.stages.count)) stages; at most \(B.describe(B.maxStages))")
        } else {
            for (i, stage) in load.stages.enumerated() {
                let path = "load.stages[\(i)]"
                atMost("\(path).duration", "a stage", stage.duration, B.maxRunDuration)
                if stage.target > maxLevel {
                    add("\(path).target", "a stage target must be at most \(B.describe(maxLevel))\(unit), got \(Units.formatNumber(stage.target))\(unit)")
                }
                if stage.name.count > B.maxPartNameLength { add("\(path).name", "the stage name is \(stage.name.count) characters long; at most \(B.maxPartNameLength)") }
            }
            let total = load.totalDuration
            if total > B.maxRunDuration, load.stages.allSatisfy({ $0.duration <= B.maxRunDuration }) {
                add("load.stages", "the load lasts \(B.describe(total)); a run must be at most \(B.describe(B.maxRunDuration))",
                    hint: "the stages' durations add up, warmup included")
            }
        }
        if load.maxInFlight > B.maxConnections { add("load.max_in_flight", "max_in_flight must be at most \(B.describe(B.maxConnections)), got \(B.describe(load.maxInFlight))") }
        if load.connections > B.maxConnections { add("load.connections", "connections must be at most \(B.describe(B.maxConnections)), got \(B.describe(load.connections))") }
        atMost("load.think", "think", load.think, B.maxShortDuration)
        atMost("load.timeout", "the request timeout", load.timeout, B.maxShortDuration)

        // Requests
        if scenario.requests.count > B.maxRequests {
            add("requests", "there are \(B.describe(scenario.requests.count)) requests; at most \(B.describe(B.maxRequests))")
        } else {
            for (i, request) in scenario.requests.enumerated() { checkRequestBounds(request, path: "requests[\(i)]", into: &problems) }
        }

        // Faults, criteria, regression
        if scenario.faults.count > B.maxFaults { add("faults", "there are \(B.describe(scenario.faults.count)) faults; at most \(B.describe(B.maxFaults))") }
        for (i, fault) in scenario.faults.enumerated().prefix(B.maxFaults) {
            atMost("faults[\(i)].at", "`at`", fault.at, B.maxRunDuration)
            atMost("faults[\(i)].for", "`for`", fault.duration, B.maxRunDuration)
        }
        if scenario.criteria.count > B.maxCriteria { add("criteria", "there are \(B.describe(scenario.criteria.count)) criteria; at most \(B.describe(B.maxCriteria))") }
        for (i, criterion) in scenario.criteria.enumerated().prefix(B.maxCriteria) {
            if let problem = criterion.expression.boundProblem { add("criteria[\(i)]", problem) }
            if let after = criterion.after { atMost("criteria[\(i)].after", "`after`", after, B.maxRunDuration) }
        }
        if scenario.regression.count > B.maxRegressionRules {
            add("regression", "there are \(scenario.regression.count) regression rules; at most \(B.maxRegressionRules)")
        }
        for (i, rule) in scenario.regression.enumerated() where rule.tolerance > B.maxTolerance {
            add("regression[\(i)].tolerance", "a tolerance must be at most \(Units.formatNumber(B.maxTolerance * 100))%, got \(Units.formatNumber(rule.tolerance * 100))%")
        }
    }

    private static func checkRequestBounds(_ request: RequestSpec, path: String, into problems: inout [Problem]) {
        typealias B = ScenarioBounds
        func add(_ path: String, _ message: String, hint: String? = nil) {
            problems.append(Problem(.path(path), message, hint: hint))
        }
        if request.name.count > B.maxPartNameLength { add("\(path).name", "the request name is \(request.name.count) characters long; at most \(B.maxPartNameLength)") }
        if request.weight > B.maxWeight { add("\(path).weight", "weight must be at most \(B.describe(B.maxWeight)), got \(B.describe(request.weight))") }
        if let c = forbidden(in: request.path, allowSpace: false) {
            add("\(path).path", "the path \(c.fromEnvironment.map { "(through `${\($0)}`) " } ?? "")contains \(name(of: c.scalar))",
                hint: "it would split or corrupt the request line; percent-encode it (`%0D`, `%0A`, `%20`)")
        } else if maxBytes(request.path) > B.maxFieldBytes {
            add("\(path).path", "the path is longer than \(B.describe(B.maxFieldBytes)) bytes")
        }
        if request.headers.count > B.maxHeaders {
            add("\(path).headers", "there are \(request.headers.count) headers; at most \(B.maxHeaders)")
        }
        for header in request.headers.prefix(B.maxHeaders) {
            if header.name.count > B.maxHeaderNameLength {
                add("\(path).headers", "header name `\(header.name.prefix(32))…` is \(header.name.count) characters long; at most \(B.maxHeaderNameLength)")
            }
            if let c = forbidden(in: header.value, allowSpace: true) {
                add("\(path).headers.\(header.name)", "the value of header `\(header.name)` \(c.fromEnvironment.map { "(through `${\($0)}`) " } ?? "")contains \(name(of: c.scalar))",
                    hint: "a header value cannot hold line breaks or control characters: they would split the request")
            } else if maxBytes(header.value) > B.maxFieldBytes {
                add("\(path).headers.\(header.name)", "the value of header `\(header.name)` is longer than \(B.describe(B.maxFieldBytes)) bytes")
            }
        }
        if let body = request.body, maxBytes(body) > B.maxBodyBytes {
            add("\(path).body", "the body is longer than \(B.describe(B.maxBodyBytes)) bytes (1 MiB)")
        }
        if let statuses = request.expect.status, statuses.count > B.maxExpectedStatuses {
            add("\(path).expect.status", "there are \(statuses.count) expected statuses; at most \(B.maxExpectedStatuses)")
        }
        if let text = request.expect.bodyContains, text.utf8.count > B.maxFieldBytes {
            add("\(path).expect.body_contains", "`body_contains` is longer than \(B.describe(B.maxFieldBytes)) bytes")
        }
    }

    private static func checkPath(_ text: String, _ path: String, into problems: inout [Problem]) {
        if let c = forbidden(in: text, allowSpace: false) {
            problems.append(Problem(.path(path), "the path contains \(name(of: c))", hint: "it would split or corrupt the request line; percent-encode it"))
        } else if text.utf8.count > ScenarioBounds.maxFieldBytes {
            problems.append(Problem(.path(path), "the path is longer than \(ScenarioBounds.describe(ScenarioBounds.maxFieldBytes)) bytes"))
        }
    }

    /// The first character of `text` that cannot go into a request line or header: any control
    /// character but the tab of a header value (CR and LF would split the request), DEL, and in a
    /// path or URL a space.
    static func forbidden(in text: String, allowSpace: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { c in
            (c.value < 0x20 && !(allowSpace && c == "\t")) || c.value == 0x7F || (!allowSpace && c == " ")
        }
    }

    /// The first forbidden character in the text a template renders, and the variable it came through.
    static func forbidden(in template: Template, allowSpace: Bool) -> (scalar: Unicode.Scalar, fromEnvironment: String?)? {
        for segment in template.segments {
            switch segment {
            case .literal(let s):
                if let c = forbidden(in: s, allowSpace: allowSpace) { return (c, nil) }
            case .environment(let name, let value, _):
                if let c = forbidden(in: value, allowSpace: allowSpace) { return (c, name) }
            case .randomInt, .randomUUID:
                break
            }
        }
        return nil
    }

    /// The most UTF-8 bytes the template can render.
    static func maxBytes(_ template: Template) -> Int {
        template.segments.reduce(0) { total, segment in
            switch segment {
            case .literal(let s): total + s.utf8.count
            case .environment(_, let value, _): total + value.utf8.count
            case .randomInt(let range): total + max(String(range.lowerBound).count, String(range.upperBound).count)
            case .randomUUID: total + 36
            }
        }
    }

    /// `a line feed (LF)`.
    static func name(of c: Unicode.Scalar) -> String {
        switch c {
        case "\r": "a carriage return (CR)"
        case "\n": "a line feed (LF)"
        case "\0": "a NUL character"
        case " ": "a space"
        case "\t": "a tab"
        default: "a control character (U+\(String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)))"
        }
    }
}
