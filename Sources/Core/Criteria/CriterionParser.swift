/// Parses success criteria (`p95(latency{request=checkout}) < 800ms during peak for 10s`) and
/// the metric selectors of regression rules.
///
/// The grammar (whitespace is allowed between any two tokens):
///
/// ```
/// criterion  := selector op threshold { window }          ; each window kind at most once
/// window     := "during" STAGE | "for" DURATION           ; DURATION > 0
/// selector   := func "(" metric [filter] ")" | metric [filter]
/// func       := "p" NUMBER                                 ; p50, p90, p95, p99, p99.9, any 0 < N < 100
///             | "avg" | "min" | "max" | "value"
/// metric     := "latency" | "service_time" | "throughput" | "error_rate"
///             | "errors" | "dropped" | "recovery_time" | "prom:" PROM_NAME
/// filter     := "{" label { "," label } "}"
/// label      := ("request" | "status" | "fault") "=" VALUE  ; VALUE may be "double-quoted"
///                                                          ; status: 1xx…5xx or a code 100…599
/// op         := "<" | "<=" | ">" | ">="
/// threshold  := DURATION | RATE | PERCENT | NUMBER         ; 250ms, 100/s, 1%, 0.01, 10
/// ```
///
/// Type rules, by metric:
///
/// | metric                   | function                 | threshold                              | filters          |
/// |--------------------------|--------------------------|----------------------------------------|------------------|
/// | latency, service_time    | required: pN, avg, min, max | DURATION                            | request          |
/// | throughput               | none                     | RATE, or NUMBER per second             | request, status  |
/// | error_rate               | none                     | PERCENT, or NUMBER fraction 0…1        | request, status  |
/// | errors, dropped          | none                     | NUMBER (count)                         | request, status* |
/// | recovery_time            | none, max or avg         | DURATION                               | fault            |
/// | prom:NAME                | none, avg, min, max, value | NUMBER                               | none             |
///
/// (*) `status` applies to `errors` but not to `dropped`, which never got a response.
/// Thresholds are never negative, except for `prom:` metrics.
public enum CriterionParser {
    /// Parses one criterion.
    ///
    /// - Throws: a `Problem` at the character offset (`.offset`) where the text leaves the grammar.
    public static func parse(_ text: String) throws(Problem) -> CriterionExpression {
        var scanner = CriterionScanner(text)
        scanner.skipSpaces()
        if scanner.atEnd {
            throw Problem(.offset(0), "empty criterion", hint: "write e.g. `p95(latency) < 250ms`")
        }
        let selector = try parseSelector(&scanner)
        let comparison = try parseOperator(&scanner, after: selector.value)
        let threshold = try parseThreshold(&scanner, for: selector.value, after: comparison)
        var during: String?
        var sustained: Duration?
        while true {
            scanner.skipSpaces()
            if scanner.atEnd { break }
            let start = scanner.position
            let word = scanner.readWord()
            switch word {
            case "during":
                if during != nil { throw Problem(.offset(start), "`during` appears twice", hint: "a criterion has one window") }
                scanner.skipSpaces()
                let name = scanner.readToken()
                guard !name.isEmpty else {
                    throw Problem(.offset(scanner.position), "`during` needs a stage name", hint: "write e.g. `during peak`")
                }
                during = name
            case "for":
                if sustained != nil { throw Problem(.offset(start), "`for` appears twice") }
                scanner.skipSpaces()
                let tokenStart = scanner.position
                let token = scanner.readToken()
                guard !token.isEmpty else {
                    throw Problem(.offset(tokenStart), "`for` needs a duration", hint: "write e.g. `for 10s`")
                }
                guard let seconds = Units.parseDurationSeconds(token) else {
                    throw Problem(.offset(tokenStart), "expected a duration like `10s` after `for`, got `\(token)`")
                }
                guard seconds <= ScenarioBounds.maxRunDuration.seconds, let duration = Units.duration(seconds: seconds) else {
                    throw Problem(.offset(tokenStart), "`for` must be at most \(ScenarioBounds.describe(ScenarioBounds.maxRunDuration)), got `\(token)`")
                }
                guard duration > .zero else {
                    throw Problem(.offset(tokenStart), "`for` needs a duration above 0, got `\(token)`",
                                  hint: "omit `for` to check the whole window at once")
                }
                sustained = duration
            case "":
                let token = scanner.readToken()
                throw Problem(.offset(start), "unexpected `\(token)`", hint: "expected `during STAGE` or `for DURATION`")
            case "and", "or":
                throw Problem(.offset(start), "unexpected `\(word)`", hint: "write each condition as its own criterion")
            default:
                let hint = Suggest.hint(for: word, in: ["during", "for"]) ?? "expected `during STAGE` or `for DURATION`"
                throw Problem(.offset(start), "unexpected `\(word)`", hint: hint)
            }
        }
        return CriterionExpression(selector: selector.value, comparison: comparison, threshold: threshold, during: during, sustained: sustained)
    }

    /// Parses a metric selector alone (`p95(latency)`, `throughput`, `error_rate{request=checkout}`),
    /// as regression rules write it.
    ///
    /// - Throws: a `Problem` at the character offset (`.offset`) where the text leaves the grammar.
    public static func parseSelector(_ text: String) throws(Problem) -> MetricSelector {
        var scanner = CriterionScanner(text)
        scanner.skipSpaces()
        if scanner.atEnd {
            throw Problem(.offset(0), "empty metric", hint: "write e.g. `p95(latency)`")
        }
        let selector = try parseSelector(&scanner)
        scanner.skipSpaces()
        if !scanner.atEnd {
            let start = scanner.position
            let rest = scanner.readToken()
            throw Problem(.offset(start), "unexpected `\(rest)` after `\(selector.value)`",
                          hint: "a regression metric is a selector alone, like `p95(latency)`")
        }
        return selector.value
    }

    /// Where each part of a selector was written, for the type rules' messages.
    struct ParsedSelector {
        var value: MetricSelector
        var functionOffset: Int?
        var metricOffset: Int
    }

    static let metricNames: [(String, MetricSelector.Metric)] = [
        ("latency", .latency), ("service_time", .serviceTime), ("throughput", .throughput),
        ("error_rate", .errorRate), ("errors", .errors), ("dropped", .dropped), ("recovery_time", .recoveryTime),
    ]
    static let functionNames = ["p50", "p90", "p95", "p99", "p99.9", "avg", "min", "max", "value"]

    private static func parseSelector(_ scanner: inout CriterionScanner) throws(Problem) -> ParsedSelector {
        scanner.skipSpaces()
        let start = scanner.position
        let word = scanner.readWord()
        guard !word.isEmpty else {
            let token = scanner.readToken()
            throw Problem(.offset(start), "expected a metric, got `\(token)`",
                          hint: "write e.g. `p95(latency)`, `throughput` or `error_rate`")
        }
        scanner.skipSpaces()
        var aggregate = MetricSelector.Aggregate.value
        var functionOffset: Int?
        let metric: MetricSelector.Metric
        let metricOffset: Int
        var labels: [Label] = []
        if scanner.peek == "(" {
            aggregate = try parseFunction(word, at: start)
            functionOffset = start
            scanner.advance()
            scanner.skipSpaces()
            metricOffset = scanner.position
            let metricWord = scanner.readWord()
            guard !metricWord.isEmpty else {
                throw Problem(.offset(metricOffset), "`\(word)(…)` needs a metric", hint: "write e.g. `\(word)(latency)`")
            }
            metric = try parseMetric(metricWord, at: metricOffset)
            scanner.skipSpaces()
            if scanner.peek == "{" { labels = try parseFilter(&scanner) }
            scanner.skipSpaces()
            guard scanner.peek == ")" else {
                if scanner.atEnd {
                    throw Problem(.offset(scanner.position), "missing `)`", hint: "close `\(word)(` with `)`")
                }
                let token = scanner.readToken()
                throw Problem(.offset(scanner.position - token.count), "expected `)`, got `\(token)`")
            }
            scanner.advance()
        } else {
            if (try? parseFunction(word, at: start)) != nil, metricNames.allSatisfy({ $0.0 != word }) {
                throw Problem(.offset(start), "`\(word)` is a function and needs parentheses", hint: "write e.g. `\(word)(latency)`")
            }
            metricOffset = start
            metric = try parseMetric(word, at: start)
            scanner.skipSpaces()
            if scanner.peek == "{" { labels = try parseFilter(&scanner) }
        }

        var filter = MetricSelector.Filter()
        for label in labels {
            switch label.kind {
            case .request: filter.request = label.value
            case .status(let status): filter.status = status
            case .fault: filter.fault = label.value
            }
        }
        let selector = MetricSelector(aggregate: aggregate, metric: metric, filter: filter)
        try checkTypes(selector, functionOffset: functionOffset, metricOffset: metricOffset, labels: labels)
        return ParsedSelector(value: selector, functionOffset: functionOffset, metricOffset: metricOffset)
    }

    private static func parseFunction(_ word: String, at offset: Int) throws(Problem) -> MetricSelector.Aggregate {
        switch word {
        case "avg": return .avg
        case "min": return .min
        case "max": return .max
        case "value": return .value
        default: break
        }
        if word.hasPrefix("p"), word.count > 1 {
            let digits = word.dropFirst()
            if digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let p = Double(digits) {
                guard p > 0, p < 100 else {
                    throw Problem(.offset(offset), "percentile `\(word)` is out of range",
                                  hint: "use a percentile between 0 and 100, like `p99` or `p99.9`; for the largest value use `max`")
                }
                return .percentile(p)
            }
        }
        let hint = Suggest.hint(for: word, in: functionNames) ?? "functions are p50…p99.9, avg, min, max and value"
        throw Problem(.offset(offset), "unknown function `\(word)`", hint: hint)
    }

    private static func parseMetric(_ word: String, at offset: Int) throws(Problem) -> MetricSelector.Metric {
        if let found = metricNames.first(where: { $0.0 == word }) { return found.1 }
        if word.hasPrefix("prom:") {
            let name = String(word.dropFirst(5))
            guard isPrometheusName(name) else {
                throw Problem(.offset(offset + 5), name.isEmpty ? "`prom:` needs a metric name" : "`\(name)` is not a Prometheus metric name",
                              hint: "write e.g. `prom:process_resident_memory_bytes`")
            }
            return .prom(name)
        }
        let hint = Suggest.hint(for: word, in: metricNames.map(\.0) + ["prom:"])
            ?? "metrics are latency, service_time, throughput, error_rate, errors, dropped, recovery_time and prom:NAME"
        throw Problem(.offset(offset), "unknown metric `\(word)`", hint: hint)
    }

    static func isPrometheusName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    struct Label {
        enum Kind { case request, status(MetricSelector.StatusFilter), fault }
        var kind: Kind
        var value: String
        var offset: Int
    }

    private static func parseFilter(_ scanner: inout CriterionScanner) throws(Problem) -> [Label] {
        scanner.advance()  // {
        var labels: [Label] = []
        var seen: Set<String> = []
        while true {
            scanner.skipSpaces()
            let keyOffset = scanner.position
            let key = scanner.readWord()
            guard !key.isEmpty else {
                if scanner.atEnd { throw Problem(.offset(keyOffset), "missing `}`", hint: "close the filter with `}`") }
                throw Problem(.offset(keyOffset), "expected a label (`request` or `status`)", hint: "write e.g. `{request=checkout}`")
            }
            guard ["request", "status", "fault"].contains(key) else {
                throw Problem(.offset(keyOffset), "unknown label `\(key)`",
                              hint: Suggest.hint(for: key, in: ["request", "status", "fault"]) ?? "labels are `request`, `status` and `fault`")
            }
            guard seen.insert(key).inserted else {
                throw Problem(.offset(keyOffset), "label `\(key)` appears twice")
            }
            scanner.skipSpaces()
            guard scanner.peek == "=" else {
                throw Problem(.offset(scanner.position), "expected `=` after `\(key)`", hint: "write e.g. `{\(key)=\(key == "status" ? "5xx" : "checkout")}`")
            }
            scanner.advance()
            scanner.skipSpaces()
            let valueOffset = scanner.position
            var value = ""
            if scanner.peek == "\"" {
                scanner.advance()
                while let c = scanner.peek, c != "\"" { value.append(c); scanner.advance() }
                guard scanner.peek == "\"" else {
                    throw Problem(.offset(valueOffset), "unterminated quoted value", hint: "close it with `\"`")
                }
                scanner.advance()
            } else {
                while let c = scanner.peek, c != ",", c != "}", c != ")" { value.append(c); scanner.advance() }
                while value.last?.isWhitespace == true { value.removeLast() }
            }
            guard !value.isEmpty else {
                throw Problem(.offset(valueOffset), "`\(key)=` needs a value", hint: key == "status" ? "write e.g. `status=5xx`" : key == "fault" ? "write a fault's name" : "write a request name")
            }
            if key == "status" {
                guard let status = parseStatus(value) else {
                    throw Problem(.offset(valueOffset), "`\(value)` is not a status",
                                  hint: "write a class like `5xx` or a code like `503` (100…599)")
                }
                labels.append(Label(kind: .status(status), value: value, offset: keyOffset))
            } else {
                labels.append(Label(kind: key == "fault" ? .fault : .request, value: value, offset: keyOffset))
            }
            scanner.skipSpaces()
            switch scanner.peek {
            case ",": scanner.advance()
            case "}": scanner.advance(); return labels
            case nil: throw Problem(.offset(scanner.position), "missing `}`", hint: "close the filter with `}`")
            case let c?: throw Problem(.offset(scanner.position), "expected `,` or `}`, got `\(c)`")
            }
        }
    }

    static func parseStatus(_ text: String) -> MetricSelector.StatusFilter? {
        let lower = text.lowercased()
        if lower.count == 3, lower.hasSuffix("xx"), let first = lower.first, let digit = first.wholeNumberValue, first.isASCII, (1...5).contains(digit) {
            return .statusClass(digit)
        }
        if text.count == 3, text.allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(text), (100...599).contains(code) {
            return .exact(code)
        }
        return nil
    }

    private static func name(of metric: MetricSelector.Metric) -> String {
        MetricSelector(aggregate: .value, metric: metric).description
    }

    private static func checkTypes(_ selector: MetricSelector, functionOffset: Int?, metricOffset: Int, labels: [Label]) throws(Problem) {
        let metric = name(of: selector.metric)
        let fOffset = functionOffset ?? metricOffset
        switch selector.metric {
        case .latency, .serviceTime:
            if functionOffset == nil {
                throw Problem(.offset(metricOffset), "`\(metric)` needs a function",
                              hint: "write `p95(\(metric))`, `avg(\(metric))`, `min(\(metric))` or `max(\(metric))`")
            }
            if selector.aggregate == .value {
                throw Problem(.offset(fOffset), "`value` does not apply to `\(metric)`",
                              hint: "write `p95(\(metric))`, `avg(\(metric))`, `min(\(metric))` or `max(\(metric))`")
            }
        case .throughput, .errorRate, .errors, .dropped:
            if functionOffset != nil {
                throw Problem(.offset(fOffset), "`\(metric)` takes no function", hint: "write `\(metric)` alone, e.g. `\(example(selector.metric))`")
            }
        case .recoveryTime:
            switch selector.aggregate {
            case .max, .avg: break
            case .value where functionOffset == nil: break
            default:
                throw Problem(.offset(fOffset), "`recovery_time` takes `max`, `avg` or no function", hint: "write e.g. `recovery_time < 5s` (the longest recovery)")
            }
        case .prom:
            if case .percentile = selector.aggregate {
                throw Problem(.offset(fOffset), "`\(metric)` is a scraped gauge; percentiles do not apply",
                              hint: "use `avg`, `min`, `max`, `value` or no function")
            }
        }
        for label in labels {
            switch label.kind {
            case .status:
                switch selector.metric {
                case .errors, .errorRate, .throughput: break
                default:
                    throw Problem(.offset(label.offset), "`status` does not apply to `\(metric)`",
                                  hint: "`{status=…}` applies to `errors`, `error_rate` and `throughput`")
                }
            case .fault:
                guard selector.metric == .recoveryTime else {
                    throw Problem(.offset(label.offset), "`fault` does not apply to `\(metric)`",
                                  hint: "`{fault=…}` picks one fault for `recovery_time`; use `during STAGE` to judge a stage")
                }
            case .request:
                switch selector.metric {
                case .recoveryTime, .prom:
                    throw Problem(.offset(label.offset), "`request` does not apply to `\(metric)`",
                                  hint: "`\(metric)` is measured for the whole target, not per request")
                default: break
                }
            }
        }
    }

    private static func example(_ metric: MetricSelector.Metric) -> String {
        switch metric {
        case .throughput: "throughput >= 100/s"
        case .errorRate: "error_rate < 1%"
        case .errors: "errors < 10"
        case .dropped: "dropped < 1"
        default: "\(name(of: metric)) < 1"
        }
    }

    private static func parseOperator(_ scanner: inout CriterionScanner, after selector: MetricSelector) throws(Problem) -> CriterionExpression.Comparison {
        scanner.skipSpaces()
        let start = scanner.position
        switch (scanner.peek, scanner.peek(at: 1)) {
        case ("<", "="): scanner.advance(2); return .lessOrEqual
        case (">", "="): scanner.advance(2); return .greaterOrEqual
        case ("<", _): scanner.advance(); return .lessThan
        case (">", _): scanner.advance(); return .greaterThan
        case (nil, _):
            throw Problem(.offset(start), "missing comparison after `\(selector)`", hint: "write e.g. `\(selector) < …` (operators: <, <=, >, >=)")
        case ("=", _), ("!", _):
            var op = ""
            while let c = scanner.peek, "=!<>".contains(c) { op.append(c); scanner.advance() }
            throw Problem(.offset(start), "unsupported operator `\(op)`", hint: "use <, <=, > or >=")
        default:
            let token = scanner.readToken()
            throw Problem(.offset(start), "expected a comparison (<, <=, >, >=) after `\(selector)`, got `\(token)`")
        }
    }

    /// A threshold of the metric's type, within its bound (`ScenarioBounds`).
    private static func parseThreshold(_ scanner: inout CriterionScanner, for selector: MetricSelector, after comparison: CriterionExpression.Comparison) throws(Problem) -> CriterionExpression.Threshold {
        scanner.skipSpaces()
        let start = scanner.position
        let token = scanner.readToken()
        scanner.position = start
        let threshold = try parseThresholdValue(&scanner, for: selector, after: comparison)
        if let problem = CriterionExpression.boundProblem(threshold, metric: selector.metric) {
            throw Problem(.offset(start), "threshold `\(token)` is out of range", hint: problem)
        }
        return threshold
    }

    private static func parseThresholdValue(_ scanner: inout CriterionScanner, for selector: MetricSelector, after comparison: CriterionExpression.Comparison) throws(Problem) -> CriterionExpression.Threshold {
        let start = scanner.position
        let token = scanner.readToken()
        let metric = name(of: selector.metric)
        func fail(_ message: String, _ hint: String? = nil) -> Problem {
            Problem(.offset(start), message, hint: hint)
        }
        // Decimal numbers only (no `inf`, `nan` or hex); one too large for a Double is +infinity, beyond every bound.
        let number = token.allSatisfy({ "0123456789.eE+-".contains($0) }) ? Double(token).flatMap { $0.isNaN ? nil : $0 } : nil
        let looksNegative = token.hasPrefix("-")
        if token.isEmpty {
            throw fail("missing threshold after `\(comparison.rawValue)`", "write e.g. `\(example(for: selector.metric))`")
        }
        switch selector.metric {
        case .latency, .serviceTime, .recoveryTime:
            if looksNegative { throw fail("threshold `\(token)` is negative", "`\(metric)` is never negative") }
            if let seconds = Units.parseDurationSeconds(token) {
                guard seconds <= ScenarioBounds.maxRunDuration.seconds, let d = Units.duration(seconds: seconds) else {
                    throw fail("threshold `\(token)` is out of range", "a duration threshold must be at most \(ScenarioBounds.describe(ScenarioBounds.maxRunDuration))")
                }
                return .duration(d)
            }
            if number != nil { throw fail("`\(token)` needs a unit", "write a duration like `\(token)ms` or `\(token)s`") }
            throw fail("expected a duration like `250ms`, got `\(token)`")
        case .throughput:
            if let r = Units.parseRate(token) {
                if r.perSecond < 0 { throw fail("threshold `\(token)` is negative", "throughput is never negative") }
                return .rate(r)
            }
            if let n = number {
                if n < 0 { throw fail("threshold `\(token)` is negative", "throughput is never negative") }
                return .rate(Rate(perSecond: n))
            }
            throw fail("expected a rate like `100/s`, got `\(token)`")
        case .errorRate:
            if let p = Units.parsePercent(token) {
                guard p >= 0, p <= 1 else { throw fail("`\(token)` is not a percentage between 0% and 100%") }
                return .fraction(p)
            }
            if let n = number {
                guard n >= 0, n <= 1 else { throw fail("`\(token)` is not a fraction between 0 and 1", "write a percentage like `1%`") }
                return .fraction(n)
            }
            throw fail("expected a percentage like `1%`, got `\(token)`")
        case .errors, .dropped:
            if let n = number {
                guard n >= 0 else { throw fail("threshold `\(token)` is negative", "`\(metric)` is a count of requests") }
                return .number(n)
            }
            if Units.parsePercent(token) != nil {
                throw fail("`\(metric)` is a count, not a share", "write a count like `10`, or use `error_rate < \(token)`")
            }
            throw fail("expected a count like `10`, got `\(token)`")
        case .prom:
            if let n = number { return .number(n) }
            throw fail("expected a number, got `\(token)`", "`\(metric)` is compared as scraped, without units")
        }
    }

    private static func example(for metric: MetricSelector.Metric) -> String {
        switch metric {
        case .latency, .serviceTime, .recoveryTime: "250ms"
        case .throughput: "100/s"
        case .errorRate: "1%"
        case .errors, .dropped: "10"
        case .prom: "1000"
        }
    }
}
