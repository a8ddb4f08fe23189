import Testing
@testable import Core

@Suite struct CriterionParserTests {
    private func parse(_ text: String) throws(Problem) -> CriterionExpression { try CriterionParser.parse(text) }

    @Test func parsesAPercentileOfLatency() throws {
        let e = try parse("p95(latency) < 250ms")
        #expect(e.selector == MetricSelector(aggregate: .percentile(95), metric: .latency))
        #expect(e.comparison == .lessThan)
        #expect(e.threshold == .duration(.milliseconds(250)))
        #expect(e.during == nil)
        #expect(e.sustained == nil)
    }

    @Test func parsesFiltersWindowsAndFractionalPercentiles() throws {
        let e = try parse("p99.9(service_time{request=checkout}) <= 1s during peak for 10s")
        #expect(e.selector.aggregate == .percentile(99.9))
        #expect(e.selector.metric == .serviceTime)
        #expect(e.selector.filter.request == "checkout")
        #expect(e.comparison == .lessOrEqual)
        #expect(e.during == "peak")
        #expect(e.sustained == .seconds(10))
        // Windows in either order.
        let reversed = try parse("p99.9(service_time{request=checkout}) <= 1s for 10s during peak")
        #expect(reversed == e)
    }

    @Test(arguments: [
        ("avg(latency) > 1ms", MetricSelector.Aggregate.avg, MetricSelector.Metric.latency),
        ("min(latency) >= 1ms", .min, .latency),
        ("max(latency) < 2s", .max, .latency),
        ("recovery_time < 5s", .value, .recoveryTime),
        ("max(recovery_time) < 5s", .max, .recoveryTime),
        ("avg(recovery_time) < 2s", .avg, .recoveryTime),
        ("prom:process_resident_memory_bytes < 500000000", .value, .prom("process_resident_memory_bytes")),
        ("max(prom:go_goroutines) < 1000", .max, .prom("go_goroutines")),
        ("value(prom:up) >= 1", .value, .prom("up")),
        ("dropped < 1", .value, .dropped),
    ])
    func parsesFunctionsAndMetrics(text: String, aggregate: MetricSelector.Aggregate, metric: MetricSelector.Metric) throws {
        let e = try parse(text)
        #expect(e.selector.aggregate == aggregate)
        #expect(e.selector.metric == metric)
    }

    @Test func parsesThresholdsInTheMetricsUnits() throws {
        #expect(try parse("throughput >= 1900/s during peak").threshold == .rate(Rate(perSecond: 1900)))
        #expect(try parse("throughput >= 100").threshold == .rate(Rate(perSecond: 100)))
        #expect(try parse("throughput > 6000/m").threshold.value == 100)
        #expect(try parse("error_rate < 1%").threshold == .fraction(0.01))
        #expect(try parse("error_rate < 0.05").threshold == .fraction(0.05))
        #expect(try parse("errors < 10").threshold == .number(10))
        #expect(try parse("prom:temperature > -5").threshold == .number(-5))
    }

    @Test func parsesStatusFilters() throws {
        #expect(try parse("errors{status=5xx} < 10").selector.filter.status == .statusClass(5))
        let both = try parse("errors{status=503, request=checkout} <= 0").selector.filter
        #expect(both.status == .exact(503))
        #expect(both.request == "checkout")
        #expect(try parse("error_rate{status=4XX} < 2%").selector.filter.status == .statusClass(4))
        #expect(try parse("throughput{status=2xx} > 1/s").selector.filter.status == .statusClass(2))
    }

    @Test func acceptsSpacesAndQuotedRequestNames() throws {
        let e = try parse("  p95 ( latency ) <250ms  ")
        #expect(e.selector.aggregate == .percentile(95))
        #expect(e.threshold == .duration(.milliseconds(250)))
        #expect(try parse(#"p95(latency{request="GET /"}) < 1s"#).selector.filter.request == "GET /")
    }

    @Test(arguments: [
        "p95(latency) < 250ms", "p99(latency{request=checkout}) < 800ms", "error_rate < 1%",
        "throughput >= 1900/s during peak", "p95(latency) < 400ms for 10s", "errors{status=5xx} < 10",
        "max(prom:go_goroutines) < 1000", "recovery_time < 5s", "p99.9(service_time) <= 1.5s",
    ])
    func descriptionRoundTrips(text: String) throws {
        let e = try parse(text)
        #expect(try parse(e.description) == e)
    }

    struct BadCase: Sendable, CustomStringConvertible {
        var text: String
        var offset: Int
        var message: String
        var hint: String?
        var description: String { text }
    }

    static let badCases: [BadCase] = [
        .init(text: "", offset: 0, message: "empty criterion"),
        .init(text: "p95(latncy) < 250ms", offset: 4, message: "unknown metric `latncy`", hint: "did you mean `latency`?"),
        .init(text: "thruput > 1/s", offset: 0, message: "unknown metric `thruput`"),
        .init(text: "latency < 250ms", offset: 0, message: "`latency` needs a function", hint: "p95(latency)"),
        .init(text: "p95(throughput) > 1/s", offset: 0, message: "`throughput` takes no function"),
        .init(text: "p95(latency) < 250", offset: 15, message: "`250` needs a unit", hint: "250ms"),
        .init(text: "p95(latency) < fast", offset: 15, message: "expected a duration like `250ms`, got `fast`"),
        .init(text: "p95(latency) < -5ms", offset: 15, message: "negative"),
        .init(text: "throughput > fast", offset: 13, message: "expected a rate like `100/s`"),
        .init(text: "throughput > -5/s", offset: 13, message: "negative"),
        .init(text: "error_rate < 5", offset: 13, message: "not a fraction between 0 and 1", hint: "1%"),
        .init(text: "error_rate < 150%", offset: 13, message: "not a percentage between 0% and 100%"),
        .init(text: "errors < 1%", offset: 9, message: "is a count, not a share", hint: "error_rate"),
        .init(text: "prom:up > many", offset: 10, message: "expected a number"),
        .init(text: "p95(latency) == 250ms", offset: 13, message: "unsupported operator `==`", hint: "<, <=, > or >="),
        .init(text: "p95(latency) = 250ms", offset: 13, message: "unsupported operator `=`"),
        .init(text: "p95(latency) ~ 250ms", offset: 13, message: "expected a comparison"),
        .init(text: "p95(latency)", offset: 12, message: "missing comparison"),
        .init(text: "p95(latency) <", offset: 14, message: "missing threshold"),
        .init(text: "p95(latency) < 250ms for 0s", offset: 25, message: "above 0"),
        .init(text: "p95(latency) < 250ms for soon", offset: 25, message: "expected a duration like `10s` after `for`"),
        .init(text: "p95(latency) < 250ms for", offset: 24, message: "`for` needs a duration"),
        .init(text: "p95(latency) < 250ms durin peak", offset: 21, message: "unexpected `durin`", hint: "did you mean `during`?"),
        .init(text: "p95(latency) < 250ms during", offset: 27, message: "`during` needs a stage name"),
        .init(text: "p95(latency) < 250ms during a during b", offset: 30, message: "`during` appears twice"),
        .init(text: "p95(latency) < 250ms and error_rate < 1%", offset: 21, message: "unexpected `and`", hint: "its own criterion"),
        .init(text: "p95(latency) < 250ms )", offset: 21, message: "unexpected `)`"),
        .init(text: "p100(latency) < 1s", offset: 0, message: "percentile `p100` is out of range", hint: "max"),
        .init(text: "p0(latency) < 1s", offset: 0, message: "out of range"),
        .init(text: "pXX(latency) < 1s", offset: 0, message: "unknown function `pXX`"),
        .init(text: "mean(latency) < 1s", offset: 0, message: "unknown function `mean`"),
        .init(text: "p95(latency < 1s", offset: 12, message: "expected `)`, got `<`"),
        .init(text: "p95(latency", offset: 11, message: "missing `)`"),
        .init(text: "p95() < 1s", offset: 4, message: "needs a metric"),
        .init(text: "p95 latency < 1s", offset: 0, message: "`p95` is a function and needs parentheses"),
        .init(text: "< 1s", offset: 0, message: "expected a metric"),
        .init(text: "p95(latency{status=5xx}) < 1s", offset: 12, message: "`status` does not apply to `latency`"),
        .init(text: "recovery_time{request=a} < 1s", offset: 14, message: "`request` does not apply to `recovery_time`"),
        .init(text: "prom:up{request=a} > 0", offset: 8, message: "`request` does not apply"),
        .init(text: "p95(latency{req=a}) < 1s", offset: 12, message: "unknown label `req`", hint: "did you mean `request`?"),
        .init(text: "p95(latency{request}) < 1s", offset: 19, message: "expected `=` after `request`"),
        .init(text: "p95(latency{request=}) < 1s", offset: 20, message: "`request=` needs a value"),
        .init(text: "errors{status=600} < 1", offset: 14, message: "`600` is not a status"),
        .init(text: "errors{status=5xx", offset: 17, message: "missing `}`"),
        .init(text: "errors{status=5xx,status=4xx} < 1", offset: 18, message: "label `status` appears twice"),
        .init(text: "errors{request=\"a} < 1", offset: 15, message: "unterminated quoted value"),
        .init(text: "p95(recovery_time) < 1s", offset: 0, message: "takes `max`, `avg` or no function"),
        .init(text: "min(recovery_time) < 1s", offset: 0, message: "takes `max`, `avg` or no function"),
        .init(text: "p95(prom:x) < 1", offset: 0, message: "percentiles do not apply"),
        .init(text: "value(latency) < 1s", offset: 0, message: "`value` does not apply to `latency`"),
        .init(text: "prom: < 1", offset: 5, message: "`prom:` needs a metric name"),
        .init(text: "prom:9lives < 1", offset: 5, message: "is not a Prometheus metric name"),
    ]

    @Test(arguments: badCases)
    func reportsWhereAndWhy(bad: BadCase) {
        do {
            let e = try parse(bad.text)
            Issue.record("parsed `\(bad.text)` as `\(e)`")
        } catch {
            #expect(error.location == .offset(bad.offset), "\(error)")
            #expect(error.message.contains(bad.message), "\(error)")
            if let hint = bad.hint { #expect(error.hint?.contains(hint) == true, "\(error)") }
        }
    }

    @Test func parsesSelectorsAlone() throws {
        #expect(try CriterionParser.parseSelector("p95(latency)") == MetricSelector(aggregate: .percentile(95), metric: .latency))
        #expect(try CriterionParser.parseSelector(" throughput ") == MetricSelector(aggregate: .value, metric: .throughput))
        #expect(try CriterionParser.parseSelector("error_rate{request=checkout}").filter.request == "checkout")
        #expect(throws: Problem.self) { try CriterionParser.parseSelector("") }
        do {
            _ = try CriterionParser.parseSelector("p95(latency) < 1s")
            Issue.record("a selector with a comparison parsed")
        } catch {
            #expect(error.location == .offset(13))
            #expect(error.message == "unexpected `<` after `p95(latency)`")
        }
        #expect(throws: Problem.self) { try CriterionParser.parseSelector("p95(throughput)") }
    }

    /// Random text and mutations of valid criteria: the parser answers (value or error), never
    /// crashes, and error offsets stay inside the text.
    @Test func neverCrashesOnRandomInput() {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("p95(latency){}=,<>!%/sm.:0123456789 _-\"xé\u{301}\n\tduringforthroughputerror_rateprom")
        let valid = Self.badCases.map(\.text) + ["p95(latency) < 250ms during peak for 10s", "errors{status=5xx,request=\"a b\"} < 10"]
        var parsed = 0
        for i in 0..<3000 {
            let text: String
            if i % 2 == 0 {
                text = String((0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? " " })
            } else {
                var chars = Array(valid.randomElement(using: &rng) ?? "")
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let at = Int.random(in: 0...chars.count, using: &rng)
                    if Bool.random(using: &rng), at < chars.count { chars.remove(at: at) } else { chars.insert(alphabet.randomElement(using: &rng) ?? " ", at: at) }
                }
                text = String(chars)
            }
            do {
                _ = try CriterionParser.parse(text)
                parsed += 1
            } catch {
                let offset = error.location.offset ?? -1
                #expect(offset >= 0 && offset <= text.count, "offset \(offset) outside `\(text)`")
                #expect(!error.message.isEmpty)
            }
            _ = try? CriterionParser.parseSelector(text)
        }
        #expect(parsed > 0)
    }
}
