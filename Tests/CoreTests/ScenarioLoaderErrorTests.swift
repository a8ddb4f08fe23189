import Foundation
import Testing
@testable import Core

/// Every way a scenario can be wrong: each problem is reported, with its line, column and hint.
@Suite struct ScenarioLoaderErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var yaml: String
        var message: String
        var line: Int
        var column: Int
        var hint: String?
        var environment: [String: String] = [:]
        /// How many problems the text has in all (a typo in a required key is also a missing key).
        var count = 1
        var description: String { message }
    }

    /// One problem each. `minimal()` puts name, target and load on lines 1–3; extra text starts on line 4.
    static let cases: [Case] = [
        // Unknown keys, top level and nested, with suggestions.
        .init(yaml: minimal("criterias: []"), message: "unknown key `criterias`", line: 4, column: 1, hint: "did you mean `criteria`?"),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, conections: 3 }"), message: "unknown key `conections`", line: 3, column: 34, hint: "did you mean `connections`?"),
        .init(yaml: minimal("requests:\n  - path: /\n    wieght: 2"), message: "unknown key `wieght`", line: 6, column: 5, hint: "did you mean `weight`?"),
        .init(yaml: minimal("requests:\n  - path: /\n    expect: { stauts: 200 }"), message: "unknown key `stauts`", line: 6, column: 15, hint: "did you mean `status`?"),
        .init(yaml: minimal(load: "load:\n  stages:\n    - { duraton: 1s, target: 1/s }"), message: "unknown key `duraton`", line: 5, column: 9, hint: "did you mean `duration`?", count: 2),
        .init(yaml: "name: t\ntarget: { builtin: demo, latncy: 5ms }\nload: { rate: 1/s, duration: 1s }", message: "unknown key `latncy`", line: 2, column: 26, hint: "did you mean `latency`?"),
        .init(yaml: minimal("criteria:\n  - { expr: \"error_rate < 1%\", abrot: true }"), message: "unknown key `abrot`", line: 5, column: 32, hint: "did you mean `abort`?"),
        .init(yaml: minimal("regression:\n  - { metric: throughput, tolerance: 5%, absolute: true }"), message: "unknown key `absolute`", line: 5, column: 42),
        .init(yaml: minimal("zzz: 1"), message: "unknown key `zzz`", line: 4, column: 1, hint: "top-level keys are"),

        // Wrong types.
        .init(yaml: "name: t\ntarget: demo\nload: { rate: 1/s, duration: 1s }", message: "expected a mapping for `target`, got `demo`", line: 2, column: 9),
        .init(yaml: "name: [a]\ntarget: { builtin: demo }\nload: { rate: 1/s, duration: 1s }", message: "expected a string, got a list", line: 1, column: 7),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, warmup: fast }"), message: "expected a duration like `30s`, got `fast`", line: 3, column: 42),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 5 }"), message: "expected a duration like `30s`, got `5`", line: 3, column: 30, hint: "add a unit: `5s`"),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, timeout: -5s }"), message: "durations cannot be negative", line: 3, column: 43),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, connections: many }"), message: "expected an integer, got `many`", line: 3, column: 47),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, keepalive: maybe }"), message: "expected `true` or `false`, got `maybe`", line: 3, column: 45),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, think: }"), message: "expected a duration like `30s`, got nothing", line: 3, column: 41),
        .init(yaml: minimal("requests: { a: 1 }"), message: "expected a list of requests for `requests`, got a mapping", line: 4, column: 11),
        .init(yaml: minimal("requests:\n  - path: /\n    headers: [a]"), message: "expected a mapping for `requests[0].headers`, got a list", line: 6, column: 14),
        .init(yaml: minimal("requests:\n  - path: /\n    weight: heavy"), message: "expected an integer, got `heavy`", line: 6, column: 13),
        .init(yaml: minimal("requests:\n  - path: /\n    expect: { status: ok }"), message: "expected an integer, got `ok`", line: 6, column: 23),
        .init(yaml: minimal("requests:\n  - path: /\n    expect: { status: [200, x] }"), message: "expected an integer, got `x`", line: 6, column: 29),
        .init(yaml: minimal("criteria: p95(latency) < 1s"), message: "expected a list of criteria", line: 4, column: 11),
        .init(yaml: minimal("criteria:\n  - [a]"), message: "expected a criterion like `p95(latency) < 250ms`, got a list", line: 5, column: 5),
        .init(yaml: "name: t\ntarget: { builtin: demo, error_rate: 0.01 }\nload: { rate: 1/s, duration: 1s }", message: "expected a percentage like `1%`, got `0.01`", line: 2, column: 38, hint: "`1%`"),

        // Rates, levels and models.
        .init(yaml: minimal(load: "load: { rate: 500, duration: 1s }"), message: "expected a rate like `500/s`, got `500`", line: 3, column: 15, hint: "write `500/s`"),
        .init(yaml: minimal(load: "load: { rate: 5/d, duration: 1s }"), message: "expected a rate like `500/s`, got `5/d`", line: 3, column: 15),
        .init(yaml: minimal(load: "load: { rate: -5/s, duration: 1s }"), message: "a stage target must not be negative, got -5/s", line: 3, column: 15),
        .init(yaml: minimal(load: "load:\n  model: closed\n  stages:\n    - { duration: 1s, target: 50/s }"), message: "expected a user count like `64`, got `50/s`", line: 6, column: 31, hint: "closed model"),
        .init(yaml: minimal(load: "load:\n  model: closed\n  stages:\n    - { duration: 1s, target: -2 }"), message: "a stage target must not be negative", line: 6, column: 31),
        .init(yaml: minimal(load: "load: { model: opne, rate: 1/s, duration: 1s }"), message: "unknown model `opne`", line: 3, column: 16, hint: "did you mean `open`?"),
        .init(yaml: minimal(load: "load: { model: open, users: 5, duration: 1s }"), message: "`users` is for the closed model", line: 3, column: 22),
        .init(yaml: minimal(load: "load: { model: closed, rate: 5/s, duration: 1s }"), message: "`rate` is for the open model", line: 3, column: 24),
        .init(yaml: minimal(load: "load: { rate: 5/s, duration: 0s }"), message: "`duration` must be above 0", line: 3, column: 30),
        .init(yaml: minimal(load: "load: { rate: 5/s }"), message: "constant load needs `duration`", line: 3, column: 7),
        .init(yaml: minimal(load: "load: { duration: 5s }"), message: "constant load needs `rate`", line: 3, column: 7),
        .init(yaml: minimal(load: "load: { model: open }"), message: "the load needs `stages`, or `rate` and `duration`", line: 3, column: 7),
        .init(yaml: minimal(load: "load:\n  rate: 5/s\n  stages:\n    - { duration: 1s, target: 1/s }"), message: "`rate` cannot be combined with `stages`", line: 4, column: 3),
        .init(yaml: minimal(load: "load:\n  stages:\n    - { duration: 0s, target: 1/s }"), message: "the load lasts 0s", line: 5, column: 5),
        .init(yaml: minimal(load: "load:\n  warmup: 20s\n  stages:\n    - { duration: 10s, target: 1/s }"), message: "warmup (20s) must be shorter than the stages (10s)", line: 4, column: 11),
        .init(yaml: minimal(load: "load:\n  stages:\n    - { name: a, duration: 1s, target: 1/s }\n    - { name: a, duration: 1s, target: 1/s }"), message: "duplicate stage name `a`", line: 6, column: 15),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, max_in_flight: 0 }"), message: "max_in_flight must be above 0, got 0", line: 3, column: 49),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, connections: -1 }"), message: "connections must be above 0, got -1", line: 3, column: 47),
        .init(yaml: minimal(load: "load: { rate: 1/s, duration: 1s, timeout: 0s }"), message: "the request timeout must be above 0", line: 3, column: 43),

        // Target.
        .init(yaml: "name: t\ntarget: { url: ftp://example.com }\nload: { rate: 1/s, duration: 1s }", message: "unknown scheme `ftp`", line: 2, column: 16, hint: "http://"),
        .init(yaml: "name: t\ntarget: { url: localhost:8080 }\nload: { rate: 1/s, duration: 1s }", message: "`localhost:8080` is not a URL", line: 2, column: 16, hint: "start it with"),
        .init(yaml: "name: t\ntarget: { url: \"http://h:99999\" }\nload: { rate: 1/s, duration: 1s }", message: "is not a URL", line: 2, column: 16, hint: "port"),
        .init(yaml: "name: t\ntarget: { url: http://h, builtin: demo }\nload: { rate: 1/s, duration: 1s }", message: "`url` and `builtin` cannot be combined", line: 2, column: 26),
        .init(yaml: "name: t\ntarget: { insecure: true }\nload: { rate: 1/s, duration: 1s }", message: "the target needs `url` or `builtin: demo`", line: 2, column: 9),
        .init(yaml: "name: t\ntarget: { builtin: mock }\nload: { rate: 1/s, duration: 1s }", message: "unknown builtin target `mock`", line: 2, column: 20, hint: "`demo`"),
        .init(yaml: "name: t\ntarget: { url: \"http://h\", latency: 5ms }\nload: { rate: 1/s, duration: 1s }", message: "`latency` is a knob of the builtin target", line: 2, column: 28),
        .init(yaml: "name: t\ntarget: { builtin: demo, stall: { every: 1s } }\nload: { rate: 1/s, duration: 1s }", message: "missing `for` in `target.stall`", line: 2, column: 33),
        .init(yaml: "name: t\ntarget: { builtin: demo, stall: { every: 1s, for: 2s } }\nload: { rate: 1/s, duration: 1s }", message: "must be shorter than its period", line: 2, column: 51),
        .init(yaml: "name: t\ntarget: { builtin: demo, error_rate: 150% }\nload: { rate: 1/s, duration: 1s }", message: "error_rate must be between 0% and 100%", line: 2, column: 38),
        .init(yaml: "name: t\ntarget: { builtin: demo, ready: { path: health } }\nload: { rate: 1/s, duration: 1s }", message: "path `health` must start with `/`", line: 2, column: 41),
        .init(yaml: "name: t\ntarget: { url: \"http://h:${random.int(1,9)}\" }\nload: { rate: 1/s, duration: 1s }", message: "is not allowed in `target.url`", line: 2, column: 26),
        .init(yaml: "name: t\ntarget: { builtin: demo, start: [] }\nload: { rate: 1/s, duration: 1s }", message: "the start command is empty", line: 2, column: 33),

        // Name.
        .init(yaml: "target: { builtin: demo }\nload: { rate: 1/s, duration: 1s }", message: "missing `name`", line: 1, column: 1, hint: "name: my-test"),
        .init(yaml: "name: my test/1\ntarget: { builtin: demo }\nload: { rate: 1/s, duration: 1s }", message: "name `my test/1` can only contain", line: 1, column: 7, hint: "`my-test-1`"),
        .init(yaml: "name: .hidden\ntarget: { builtin: demo }\nload: { rate: 1/s, duration: 1s }", message: "can only contain", line: 1, column: 7),

        // Requests.
        .init(yaml: minimal("requests: []"), message: "there are no requests", line: 4, column: 11),
        .init(yaml: minimal("requests:\n  - { name: a, path: / }\n  - { name: a, path: /b }"), message: "duplicate request name `a`", line: 6, column: 13, hint: "request 1"),
        .init(yaml: minimal("requests:\n  - { path: /a }\n  - { path: /a }"), message: "duplicate request name `GET /a`", line: 6, column: 5),
        .init(yaml: minimal("requests:\n  - { path: /, weight: 0 }"), message: "weight must be at least 1, got 0", line: 5, column: 24),
        .init(yaml: minimal("requests:\n  - { path: /, weight: -2 }"), message: "weight must be at least 1, got -2", line: 5, column: 24),
        .init(yaml: minimal("requests:\n  - { path: /, method: FETCH }"), message: "unknown method `FETCH`", line: 5, column: 24),
        .init(yaml: minimal("requests:\n  - { path: /, method: pots }"), message: "unknown method `POTS`", line: 5, column: 24, hint: "did you mean `POST`?"),
        .init(yaml: minimal("requests:\n  - { path: products }"), message: "path `products` must start with `/`", line: 5, column: 13, hint: "`/products`"),
        .init(yaml: minimal("requests:\n  - { name: a }"), message: "missing `path` in `requests[0]`", line: 5, column: 5),
        .init(yaml: minimal("requests:\n  - path: /\n    expect: { status: 700 }"), message: "`700` is not an HTTP status", line: 6, column: 23),
        .init(yaml: minimal("requests:\n  - path: /\n    headers: { \"bad header\": x }"), message: "`bad header` is not a valid header name", line: 6, column: 14),
        .init(yaml: minimal("requests:\n  - path: /p/${random.int(9,1)}"), message: "bounds reversed", line: 5, column: 14),
        .init(yaml: minimal("requests:\n  - path: /p/${random.float}"), message: "unknown template function `random.float`", line: 5, column: 14),
        .init(yaml: minimal("requests:\n  - path: /\n    headers: { authorization: \"Bearer ${API_TOKEN}\" }"), message: "environment variable `API_TOKEN` is not set", line: 6, column: 39,
              hint: "set it or give a default: ${API_TOKEN:-value}"),

        // Criteria: syntax errors at their column, in every quoting style.
        .init(yaml: minimal("criteria:\n  - p95(latncy) < 250ms"), message: "unknown metric `latncy`", line: 5, column: 9, hint: "did you mean `latency`?"),
        .init(yaml: minimal("criteria:\n  - 'p95(latency) < 250'"), message: "`250` needs a unit", line: 5, column: 21),
        .init(yaml: minimal("criteria:\n  - \"p95(latency) < 250\""), message: "`250` needs a unit", line: 5, column: 21),
        .init(yaml: minimal("criteria:\n  - { expr: \"error_rate < 1% for 0s\", abort: true }"), message: "`for` needs a duration above 0", line: 5, column: 34),
        .init(yaml: minimal("criteria:\n  - { abort: true }"), message: "missing `expr` in `criteria[0]`", line: 5, column: 5),
        // Criteria: semantics against the scenario.
        .init(yaml: minimal("criteria:\n  - throughput > 1/s during constnt"), message: "unknown stage `constnt`", line: 5, column: 29, hint: "did you mean `constant`?"),
        .init(yaml: minimal("requests:\n  - { name: checkout, path: / }\ncriteria:\n  - p95(latency{request=chekout}) < 1s"), message: "unknown request `chekout`", line: 7, column: 25, hint: "did you mean `checkout`?"),
        .init(yaml: minimal("criteria:\n  - recovery_time < 5s"), message: "`recovery_time` needs faults", line: 5, column: 5),
        .init(yaml: minimal("criteria:\n  - max(prom:go_goroutines) < 100"), message: "`prom:` metrics need `target.metrics`", line: 5, column: 9, hint: "/metrics"),
        .init(yaml: minimal("criteria:\n  - { expr: \"error_rate < 1%\", after: 5s }"), message: "`after` only applies with `abort: true`", line: 5, column: 39),
        .init(yaml: minimal("criteria:\n  - error_rate < 1% for 1h"), message: "is longer than the measured run (5s)", line: 5, column: 21),

        // Regression.
        .init(yaml: minimal("regression:\n  - { metric: p95(latncy), tolerance: 10% }"), message: "unknown metric `latncy`", line: 5, column: 19),
        .init(yaml: minimal("regression:\n  - { metric: throughput, tolerance: ten }"), message: "expected a tolerance like `10%` or `0.5% absolute`, got `ten`", line: 5, column: 38),
        .init(yaml: minimal("regression:\n  - { metric: throughput }"), message: "missing `tolerance`", line: 5, column: 5),
        .init(yaml: minimal("regression:\n  - { metric: \"p95(latency{request=nope})\", tolerance: 5% }"), message: "unknown request `nope`", line: 5, column: 15),

        // Faults: parsed and checked.
        .init(yaml: minimal("faults:\n  - { at: 1s, for: 1s, kind: latncy, delay: 1s }"), message: "unknown fault kind `latncy`", line: 5, column: 30, hint: "did you mean `latency`?"),
        .init(yaml: minimal("faults:\n  - { at: 1s, kind: reset, rate: 5% }"), message: "missing `for` in `faults[0]`", line: 5, column: 5),
    ]

    @Test(arguments: cases)
    func reportsTheProblemWhereItIs(c: Case) throws {
        let error = try #require(loadError(c.yaml, environment: c.environment))
        #expect(error.kind == .invalidInput)
        let d = try #require(problem(error, containing: c.message))
        #expect(d.location == .file("test.yaml", line: c.line, column: c.column), "\(d)")
        if let hint = c.hint { #expect(d.hint?.contains(hint) == true, "\(d)") }
        #expect(error.problems.count == c.count, "\(error.problems.map(\.description))")
    }

    @Test func missingFileIsNotFound() {
        do {
            _ = try ScenarioLoader(environment: [:]).load(path: "/nonexistent/scenario.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message == "scenario file `/nonexistent/scenario.yaml` does not exist")
        }
    }

    @Test func aDirectoryIsNotAScenario() {
        do {
            _ = try ScenarioLoader(environment: [:]).load(path: fixturesDirectory.path)
            Issue.record("loaded a directory")
        } catch {
            #expect(error.kind == .notFound)
        }
    }

    @Test func nonUTF8IsInvalid() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stress-ci-\(UUID().uuidString).yaml")
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(loadFixtureErrorAt(url.path))
        #expect(error.kind == .invalidInput)
        #expect(error.problems.first?.message == "the file is not UTF-8 text")
    }

    private func loadFixtureErrorAt(_ path: String) -> StressError? {
        do { _ = try ScenarioLoader(environment: [:]).load(path: path); return nil } catch { return error }
    }

    @Test(arguments: ["empty.yaml", "comment-only.yaml"])
    func emptyFileIsAnErrorAtTheStart(name: String) throws {
        let error = try #require(loadFixtureError(name))
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.location == .file(fixturePath(name), line: 1, column: 1))
        #expect(error.problems.first?.message == "the scenario is empty")
        #expect(error.message == "1 problem in \(fixturePath(name))")
    }

    @Test func aListAtTheTopIsNotAScenario() throws {
        let error = try #require(loadFixtureError("top-level-list.yaml"))
        let d = try #require(problem(error, containing: "must be a mapping"))
        #expect(d.message.hasSuffix("got a list"))
        #expect((d.location.line, d.location.column) == (1, 1))
        let scalar = try #require(loadError("just some text"))
        #expect(scalar.problems.first?.message.hasSuffix("got `just some text`") == true)
    }

    @Test func yamlSyntaxErrorsHaveALocation() throws {
        let error = try #require(loadFixtureError("syntax-error.yaml"))
        let d = try #require(problem(error, containing: "invalid YAML"))
        #expect((d.location.line, d.location.column) == (5, 9))
        #expect(d.description.hasPrefix("\(fixturePath("syntax-error.yaml")):5:9: error: invalid YAML"))
        let tabs = try #require(loadError("name: t\n\ttarget: x"))
        #expect(tabs.problems.first?.location.line == 2)
        let documents = try #require(loadError("name: a\n---\nname: b"))
        #expect(documents.problems.first?.message.contains("another document") == true)
        let alias = try #require(loadError("name: *nope"))
        #expect(alias.problems.first?.message.contains("undefined alias") == true)
    }

    @Test func duplicateKeysPointAtTheRepetition() throws {
        let error = try #require(loadFixtureError("duplicate-key.yaml"))
        let d = try #require(problem(error, containing: "duplicate key `name`"))
        #expect((d.location.line, d.location.column) == (4, 1))
        #expect(d.hint?.contains("line 1") == true)
        let nested = try #require(loadError(minimal(load: "load: { rate: 1/s, rate: 2/s, duration: 1s }")))
        #expect(nested.problems.first?.message == "duplicate key `rate`")
        #expect(nested.problems.first?.location.line == 3)
    }

    @Test func jsonWithAnExtraKeyReportsTheKeysLine() throws {
        let error = try #require(loadFixtureError("extra-key.json"))
        #expect(error.problems.count == 1)
        let d = try #require(problem(error, containing: "unknown key `requets`"))
        #expect((d.location.line, d.location.column) == (5, 3))
        #expect(d.hint == "did you mean `requests`?")
    }

    @Test func typoAtTopLevelAlsoReportsWhatIsMissing() throws {
        let error = try #require(loadError("name: t\ntarget: { builtin: demo }\nlod: { rate: 1/s, duration: 1s }"))
        #expect(error.problems.map(\.message) == ["missing `load`", "unknown key `lod`"])
        #expect(error.problems[1].hint == "did you mean `load`?")
        #expect(error.message == "2 problems in test.yaml")
    }

    @Test func everyProblemInAFileIsReported() throws {
        let error = try #require(loadFixtureError("many-problems.yaml"))
        let file = fixturePath("many-problems.yaml")
        let expected: [(Int, Int, String)] = [
            (1, 7, "name `many problems here` can only contain letters, digits, `-`, `_` and `.`"),
            (3, 8, "unknown scheme `ftp`"),
            (6, 11, "expected a duration like `30s`, got `fast`"),
            (9, 31, "durations cannot be negative, got `-5s`"),
            (10, 15, "duplicate stage name `peak`"),
            (10, 44, "a stage target must not be negative, got -3/s"),
            (11, 3, "unknown key `conections`"),
            (14, 13, "weight must be at least 1, got 0"),
            (15, 13, "unknown method `GTE`"),
            (16, 11, "path `products` must start with `/`"),
            (17, 11, "duplicate request name `a`"),
            (20, 9, "unknown metric `latncy`"),
            (21, 30, "unknown stage `peek`"),
            (22, 21, "`250` needs a unit"),
        ]
        #expect(error.problems.count == expected.count, "\(error.problems.map(\.description).joined(separator: "\n"))")
        #expect(error.message == "14 problems in \(file)")
        for (d, (line, column, message)) in zip(error.problems, expected) {
            #expect(d.location == .file(file, line: line, column: column), "\(d)")
            #expect(d.message == message)
        }
        #expect(error.problems.first { $0.message.contains("peek") }?.hint == "did you mean `peak`?")
    }

    @Test func faultsAreParsedWithTheirParameters() throws {
        let s = try ScenarioLoader(environment: [:]).load(path: fixturePath("faults.yaml"))
        #expect(s.faults.map(\.kind) == [.latency, .error])
        #expect(s.faults[0].delay == .milliseconds(200))
        #expect(s.faults[0].jitter == .milliseconds(50))
        #expect(s.faults[1].rate == 0.1)
        #expect(s.faults[1].status == 503)
        #expect(s.faults[1].at == .seconds(20))
        #expect(s.faults[1].duration == .seconds(5))
    }

    @Test func faultParametersAreChecked() throws {
        let text = minimal("""
        target2: x
        faults:
          - { at: 1s, for: 1s, kind: latency, dealy: 1s }
          - { at: 1s, for: 1s, kind: error, rate: lots }
          - { at: 1s, for: 1s, kind: kill }
          - { at: 1s, for: 1s, kind: bandwidth, limit: fast }
        """)
        let error = try #require(loadError(text))
        #expect(problem(error, containing: "`latency` faults take no `dealy`")?.hint == "did you mean `delay`?")
        #expect(problem(error, containing: "a `latency` fault needs `delay`") != nil)
        #expect(problem(error, containing: "expected a percentage like `10%`, got `lots`")?.location.line == 7)
        #expect(problem(error, containing: "`kill` needs a target the runner starts") != nil)
        #expect(problem(error, containing: "expected a bandwidth like `64KiB/s`") != nil)
    }

    @Test func brokenPartsDoNotCascade() throws {
        // The stage whose duration is wrong still has a name, so `during b` is not reported; the
        // total duration is not reported as 0 either.
        let text = minimal(
            "criteria:\n  - throughput > 1/s during b",
            load: "load:\n  stages:\n    - { name: a, duration: soon, target: 1/s }\n    - { name: b, duration: 1s, target: 1/s }")
        let error = try #require(loadError(text))
        #expect(error.problems.map(\.message) == ["expected a duration like `30s`, got `soon`"])
        // A missing load reports itself, not its consequences.
        let noLoad = try #require(loadError("name: t\ntarget: { builtin: demo }\ncriteria: [\"throughput > 1/s during x\"]"))
        #expect(noLoad.problems.map(\.message) == ["missing `load`"])
    }

    @Test func missingEnvironmentIsReportedOncePerReference() throws {
        let text = minimal("requests:\n  - path: /${A}/${B:-ok}/${C}")
        let error = try #require(loadError(text))
        #expect(error.problems.map(\.message) == ["environment variable `A` is not set", "environment variable `C` is not set"])
        #expect(error.problems.map(\.location.column) == [12, 26])
    }
}

@Suite struct ScenarioLoaderRobustnessTests {
    /// Mutations of a valid file: the loader returns a scenario or an error with located
    /// problems, never crashes.
    @Test func neverCrashesOnMangledFiles() throws {
        let original = try String(contentsOfFile: fixturePath("spec-example.yaml"), encoding: .utf8)
        let pieces = Array("{}[]:,-#'\"\n  ${}%/sx0").map(String.init) + ["\t", "---", "&a", "*a", "!!int", "? ", "|\n", "${random.int(", "p95(", "latency{"]
        var rng = SplitMix64(seed: 2024)
        var loaded = 0
        for _ in 0..<300 {
            var chars = Array(original)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<chars.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: chars.remove(at: at)
                case 1: chars.insert(contentsOf: Array(pieces.randomElement(using: &rng) ?? " "), at: at)
                default: chars.removeSubrange(at..<min(chars.count, at + Int.random(in: 1...30, using: &rng)))
                }
            }
            do {
                _ = try ScenarioLoader(environment: ["API_TOKEN": "t"]).load(text: String(chars), file: "m.yaml")
                loaded += 1
            } catch {
                #expect(error.kind == .invalidInput)
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { ($0.location.line ?? 0) >= 1 && ($0.location.column ?? 0) >= 1 })
            }
        }
        #expect(loaded < 300)
    }
}
