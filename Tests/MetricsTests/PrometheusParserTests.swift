import Testing
@testable import Metrics

/// The example from the Prometheus documentation's "Exposition formats" page (text format).
private let officialExample = """
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693

"""

private func parse(_ text: String) throws -> [MetricFamily] { try PrometheusParser.parse(text) }

private func parseError(_ text: String) -> PrometheusParseError? {
    do {
        _ = try PrometheusParser.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct PrometheusParserTests {
    @Test func documentationExample() throws {
        let families = try parse(officialExample)
        #expect(families.map(\.name) == [
            "http_requests_total", "msdos_file_access_time_seconds", "metric_without_timestamp_and_labels",
            "something_weird", "http_request_duration_seconds", "rpc_duration_seconds",
        ])
        #expect(families.map(\.type) == [.counter, .untyped, .untyped, .untyped, .histogram, .summary])

        let requests = families[0]
        #expect(requests.help == "The total number of HTTP requests.")
        #expect(requests.samples == [
            .init(name: "http_requests_total", labels: ["method": "post", "code": "200"], value: 1027, timestamp: 1395066363000),
            .init(name: "http_requests_total", labels: ["method": "post", "code": "400"], value: 3, timestamp: 1395066363000),
        ])

        let msdos = families[1].samples[0]
        #expect(msdos.labels["path"] == #"C:\DIR\FILE.TXT"#)
        #expect(msdos.labels["error"] == "Cannot find file:\n\"FILE.TXT\"")
        #expect(msdos.value == 1.458255915e9)
        #expect(msdos.timestamp == nil)
        #expect(families[1].help == nil)

        #expect(families[2].samples == [.init(name: "metric_without_timestamp_and_labels", value: 12.47)])
        #expect(families[3].samples == [.init(name: "something_weird", labels: ["problem": "division by zero"], value: .infinity, timestamp: -3982045)])

        let histogram = families[4]
        #expect(histogram.help == "A histogram of the request duration.")
        #expect(histogram.samples.count == 8)
        #expect(histogram.samples.filter { $0.name == "http_request_duration_seconds_bucket" }.map { $0.labels["le"] } == ["0.05", "0.1", "0.2", "0.5", "1", "+Inf"])
        #expect(histogram.samples[5].value == 144320)
        #expect(histogram.samples[6] == .init(name: "http_request_duration_seconds_sum", value: 53423))
        #expect(histogram.samples[7] == .init(name: "http_request_duration_seconds_count", value: 144320))

        let summary = families[5]
        #expect(summary.help == "A summary of the RPC duration in seconds.")
        #expect(summary.samples.map(\.name) == Array(repeating: "rpc_duration_seconds", count: 5) + ["rpc_duration_seconds_sum", "rpc_duration_seconds_count"])
        #expect(summary.samples.compactMap { $0.labels["quantile"] } == ["0.01", "0.05", "0.5", "0.9", "0.99"])
        #expect(summary.samples[5].value == 1.7560473e+07)
        #expect(summary.samples[6].value == 2693)
    }

    @Test func helpEscapes() throws {
        let families = try parse(#"""
        # HELP a Backslash \\ and\nnewline, other \t kept
        # HELP b
        # HELP c    leading blanks dropped, trailing too   
        a 1
        """#)
        #expect(families.map(\.help) == ["Backslash \\ and\nnewline, other \\t kept", "", "leading blanks dropped, trailing too"])
        #expect(families.map(\.samples.count) == [1, 0, 0])
    }

    @Test func everyTypeAndOtherComments() throws {
        var text = "# a plain comment\n#\n#   \n# HELPER not a help line\n# TYPE_ nor a type\n"
        for type in MetricFamily.MetricType.allCases { text += "# TYPE m_\(type.rawValue) \(type.rawValue)\n" }
        text += "#TYPE tight gauge\n\t# TYPE indented counter\n"
        let families = try parse(text)
        #expect(families.map(\.name) == MetricFamily.MetricType.allCases.map { "m_\($0.rawValue)" } + ["tight", "indented"])
        #expect(families.map(\.type) == MetricFamily.MetricType.allCases + [.gauge, .counter])
    }

    @Test func labelSyntax() throws {
        let families = try parse("""
        a{x="1",} 1
        b{ x = "1" , y="2" , } 2
        c{} 3
        d {x="1"}\t4
        e{x="",y="a,b}=c"} 5
        f{_under="1",colon_free="2"} 6
        g{x="é ü 漢"} 7
        """)
        #expect(families.map { $0.samples[0].labels } == [
            ["x": "1"], ["x": "1", "y": "2"], [:], ["x": "1"], ["x": "", "y": "a,b}=c"],
            ["_under": "1", "colon_free": "2"], ["x": "é ü 漢"],
        ])
        #expect(families.map { $0.samples[0].value } == [1, 2, 3, 4, 5, 6, 7])
        #expect(try parse("a:b:c_total 1")[0].name == "a:b:c_total")
    }

    @Test func values() throws {
        let cases: [(String, Double)] = [
            ("1", 1), ("-1", -1), ("+3", 3), ("1.5", 1.5), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("1E3", 1000),
            ("-1.5e-3", -0.0015), ("2.5E+2", 250), ("+Inf", .infinity), ("-Inf", -.infinity), ("Inf", .infinity),
            ("inf", .infinity), ("0", 0), ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ]
        for (token, expected) in cases {
            #expect(try parse("m \(token)")[0].samples[0].value == expected, "\(token)")
        }
        for token in ["NaN", "nan", "-NaN"] {
            #expect(try parse("m \(token)")[0].samples[0].value.isNaN, "\(token)")
        }
        for token in ["1e", "e3", ".", "+", "0x10", "1_000", "1,5", "one", "1e3.5", "--1", "infinite", "nan(1)"] {
            #expect(parseError("m \(token)") != nil, "\(token)")
        }
        #expect(try parse("m 1 -5")[0].samples[0].timestamp == -5)
        #expect(try parse("m 1 +5")[0].samples[0].timestamp == 5)
        #expect(try parse("m 1 9223372036854775807")[0].samples[0].timestamp == .max)
    }

    @Test func lineEndingsAndBlankLines() throws {
        let text = "\r\n\n# TYPE a counter\r\n   a 1   \r\n\r\n\t\n  b{x=\"y\"} 2 3\r\nc 4"
        let families = try parse(text)
        #expect(families.map(\.name) == ["a", "b", "c"])
        #expect(families[0].type == .counter)
        #expect(families.flatMap(\.samples).map(\.value) == [1, 2, 4])
        #expect(families[1].samples[0].timestamp == 3)
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n  \n").isEmpty)
    }

    @Test func histogramAndSummaryGrouping() throws {
        let families = try parse("""
        # TYPE lat histogram
        lat_bucket{path="/a",le="0.1"} 1
        lat_bucket{path="/a",le="+Inf"} 2
        lat_sum{path="/a"} 0.3
        lat_count{path="/a"} 2
        lat_bucket{path="/b",le="+Inf"} 5
        lat_sum{path="/b"} 1
        lat_count{path="/b"} 5
        # TYPE rpc summary
        rpc{quantile="0.5"} 0.1
        rpc_sum 7
        rpc_count 70
        # no TYPE: suffixes are just names
        plain_count 3
        plain_sum 4
        # a counter's _count is its own family too
        # TYPE jobs counter
        jobs_count 1
        """)
        #expect(families.map(\.name) == ["lat", "rpc", "plain_count", "plain_sum", "jobs", "jobs_count"])
        #expect(families[0].samples.count == 7)
        #expect(families[0].samples.map(\.name).filter { $0 == "lat_count" }.count == 2)
        #expect(families[1].samples.map(\.name) == ["rpc", "rpc_sum", "rpc_count"])
        #expect(families[4].samples.isEmpty)
        #expect(families[5].type == .untyped)
    }

    @Test func samplesMayBeInterleaved() throws {
        let families = try parse("a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n")
        #expect(families.map(\.name) == ["a", "b"])
        #expect(families[0].samples.map(\.value) == [1, 3])
    }

    @Test(arguments: [
        // (text, line, column, part of the message)
        ("m 1 2 3", 1, 7, "after the timestamp"),
        ("m abc", 1, 3, "not a number"),
        ("m", 1, 2, "expected a value"),
        ("m{} ", 1, 4, "expected a value"),
        ("m 1 12.5", 1, 5, "not a timestamp"),
        ("m 1 99999999999999999999", 1, 5, "not a timestamp"),
        ("{a=\"b\"} 1", 1, 1, "expected a metric name"),
        ("1m 1", 1, 1, "expected a metric name"),
        ("m-x 1", 1, 2, "unexpected character `-`"),
        ("m{a=\"x\" b=\"y\"} 1", 1, 9, "expected `,` or `}`"),
        ("m{a=\"x\",,} 1", 1, 9, "expected a label name"),
        ("m{,} 1", 1, 3, "expected a label name"),
        ("m{1a=\"x\"} 1", 1, 3, "expected a label name"),
        ("m{a:b=\"x\"} 1", 1, 4, "expected `=`"),
        ("m{a=x} 1", 1, 5, "expected a quoted value"),
        ("m{a=\"x\\t\"} 1", 1, 7, "invalid escape"),
        ("m{a=\"x} 1", 1, 10, "unterminated label value"),
        ("m{a=\"x\"", 1, 8, "unterminated label set"),
        ("m{a=\"x\",a=\"y\"} 1", 1, 9, "appears twice"),
        ("m{a=\"é\"} x", 1, 10, "not a number"),
        ("# TYPE m bogus", 1, 10, "unknown metric type"),
        ("# TYPE m", 1, 9, "needs a type"),
        ("# TYPE m counter extra", 1, 18, "after the TYPE"),
        ("# TYPE 9m counter", 1, 8, "not a valid metric name"),
        ("# HELP", 1, 7, "needs a metric name"),
        ("# TYPE m gauge\n# TYPE m counter", 2, 8, "second TYPE"),
        ("# HELP m a\n# HELP m b", 2, 8, "second HELP"),
        ("m 1\n# TYPE m counter", 2, 8, "after its samples"),
        ("h_sum 1\n# TYPE h histogram", 2, 8, "after its sample `h_sum`"),
        ("# TYPE h histogram\nh_bucket 1", 2, 1, "no `le` label"),
        ("# TYPE h histogram\nh_bucket{le=\"x\"} 1", 2, 1, "non-numeric `le`"),
        ("# TYPE h histogram\nh 1", 2, 1, "is a histogram"),
        ("# TYPE s summary\ns 1", 2, 1, "no `quantile` label"),
        ("ok 1\r\n\r\n  bad{ 1\r\n", 3, 8, "expected a label name"),
    ])
    func errorsCarryLineAndColumn(text: String, line: Int, column: Int, message: String) {
        guard let error = parseError(text) else {
            Issue.record("no error for \(text.debugDescription)")
            return
        }
        #expect(error.line == line, "\(text.debugDescription): \(error)")
        #expect(error.column == column, "\(text.debugDescription): \(error)")
        #expect(error.message.contains(message), "\(text.debugDescription): \(error)")
        #expect(error.description.hasPrefix("\(line):\(column): "))
    }

    /// Random mutations of valid input, and random garbage: every outcome is families or an
    /// error inside the text, never a crash.
    @Test func fuzz() {
        var random = TestRandom(seed: 0x5EED)
        let alphabet = Array("{}\"=,\\ \t\n\r#+-.eE019azAZ_:éHELPTYPEInfNa".unicodeScalars)
        let seeds = [officialExample, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "a{b=\"c\",} 1 2\n"]
        var parsed = 0
        for iteration in 0..<10_000 {
            var scalars: [Unicode.Scalar]
            if iteration % 10 == 0 {
                scalars = (0..<random.next(below: 80)).map { _ in alphabet[random.next(below: alphabet.count)] }
            } else {
                scalars = Array(seeds[iteration % seeds.count].unicodeScalars)
                for _ in 0...random.next(below: 6) {
                    guard !scalars.isEmpty else { break }
                    let at = random.next(below: scalars.count)
                    switch random.next(below: 5) {
                    case 0: scalars.remove(at: at)
                    case 1: scalars.insert(alphabet[random.next(below: alphabet.count)], at: at)
                    case 2: scalars[at] = alphabet[random.next(below: alphabet.count)]
                    case 3: scalars.removeSubrange(at..<min(scalars.count, at + random.next(below: 20)))
                    default: scalars.insert(contentsOf: scalars[at..<min(scalars.count, at + random.next(below: 20))], at: random.next(below: scalars.count))
                    }
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            do {
                _ = try PrometheusParser.parse(text)
                parsed += 1
            } catch {
                let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                #expect(error.line >= 1 && error.line <= lines, "\(text.debugDescription): \(error)")
                #expect(error.column >= 1, "\(text.debugDescription): \(error)")
            }
        }
        // The mutations are small: a good share of inputs must still parse.
        #expect(parsed > 500)
    }
}

/// SplitMix64, for reproducible fuzzing.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func next(below n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
