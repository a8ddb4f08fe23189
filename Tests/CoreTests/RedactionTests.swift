import Foundation
import Testing
@testable import Core

@Suite struct RedactionTests {
    @Test func replacesEverySecretLongestFirst() {
        let redactor = Redactor(secrets: ["abc", "abcdef", ""])
        #expect(redactor.redact("xabcdefy abc abc") == "x***y *** ***")
        #expect(redactor.redact("nothing here") == "nothing here")
        #expect(Redactor(secrets: []).redact("abc") == "abc")
    }

    @Test func summaryHidesSecretsAndSensitiveHeaders() throws {
        let text = """
        name: redact
        target:
          url: "http://127.0.0.1:${PORT}"
          start: ["./srv", "--password=${DB_PASSWORD}"]
        load: { rate: 10/s, duration: 5s, warmup: 1s }
        requests:
          - name: checkout
            method: POST
            path: /checkout/${USER_ID}
            headers:
              authorization: "Bearer ${API_TOKEN}"
              x-api-key: literal-key
              content-type: application/json
              x-trace: ${TRACE:-none}
            body: '{"user": "${USER_ID}", "n": ${random.int(1,3)}}'
        criteria: [p95(latency) < 250ms]
        """
        let environment = ["PORT": "18080", "DB_PASSWORD": "hunter2", "USER_ID": "u-42", "API_TOKEN": "tok-xyz"]
        let scenario = try ScenarioLoader(environment: environment).load(text: text, file: "r.yaml")
        #expect(scenario.secrets == ["18080", "hunter2", "u-42", "tok-xyz"])

        let summary = scenario.redactedSummary
        #expect(summary.target.url == "http://127.0.0.1:***")
        #expect(summary.target.start == ["./srv", "--password=***"])
        let request = try #require(summary.requests.first)
        #expect(request.path == "/checkout/***")
        #expect(request.headers == [
            .init(name: "authorization", value: "***"),
            .init(name: "x-api-key", value: "***"),
            .init(name: "content-type", value: "application/json"),
            .init(name: "x-trace", value: "***"),
        ])
        #expect(request.body == #"{"user": "***", "n": ${random.int(1,3)}}"#)
        #expect(summary.criteria == ["p95(latency) < 250ms"])
        #expect(summary.load.stages.map(\.durationSeconds) == [0, 6])
        #expect(summary.load.warmupSeconds == 1)
        #expect(summary.regression == ["p95(latency) ±10%", "p99(latency) ±15%", "throughput ±5%", "error_rate ±0.5% absolute"])

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(summary), as: UTF8.self)
        for secret in environment.values { #expect(!json.contains(secret), "\(secret) leaked") }
        #expect(!json.contains("literal-key"))
        for key in ["\"max_in_flight\"", "\"duration_seconds\"", "\"warmup_seconds\"", "\"timeout_seconds\""] {
            #expect(json.contains(key), "\(key)")
        }
        #expect(try JSONDecoder().decode(RedactedScenario.self, from: Data(json.utf8)) == summary)
    }

    @Test func builtinTargetSummary() throws {
        let s = try ScenarioLoader(environment: [:]).load(text: "name: t\ntarget: { builtin: demo, latency: 5ms, error_rate: 1% }\nload: { rate: 1/s, duration: 1s }", file: "t.yaml")
        let target = s.redactedSummary.target
        #expect(target.builtin == "demo")
        #expect(target.url == nil)
        #expect(target.latencySeconds == 0.005)
        #expect(target.errorRate == 0.01)
    }
}

@Suite struct ScenarioValidatorTests {
    static func valid() -> Scenario {
        Scenario(
            name: "ok", target: TargetSpec(endpoint: .builtin(DemoTargetOptions())),
            load: LoadSpec(model: .open, stages: [Stage(name: "main", duration: .seconds(10), target: 10)]),
            requests: [RequestSpec(name: "root", path: Template(literal: "/"))])
    }

    @Test func aValidScenarioHasNoProblems() {
        #expect(ScenarioValidator.check(Self.valid()).isEmpty)
    }

    @Test func reportsPathsForCodeBuiltScenarios() throws {
        var s = Self.valid()
        s.requests.append(RequestSpec(name: "root", weight: 0, method: "GTE", path: Template(literal: "x")))
        s.load.connections = 0
        s.criteria = [CriterionSpec(expression: try CriterionParser.parse("throughput > 1/s during mian"), source: "throughput > 1/s during mian")]
        let problems = ScenarioValidator.check(s)
        #expect(problems.map(\.location.path) == ["load.connections", "requests[1].name", "requests[1].weight", "requests[1].method", "requests[1].path", "criteria[0]"])
        let stage = try #require(problems.last)
        #expect(stage.location == .path("criteria[0]", offset: 24))
        #expect(stage.description == "criteria[0]: unknown stage `mian` (did you mean `main`?)")
    }

    @Test func closedModelNeedsWholeUsers() {
        var s = Self.valid()
        s.load = LoadSpec(model: .closed, stages: [Stage(name: "main", duration: .seconds(1), target: 2.5)])
        #expect(ScenarioValidator.check(s).map(\.message) == ["a user count must be a whole number, got 2.5"])
    }

    @Test func pathsFromTheEnvironmentMustStartWithASlash() {
        #expect(ScenarioValidator.startsWithSlash(Template(segments: [.environment(name: "P", value: "/a", fromEnvironment: true)])))
        #expect(!ScenarioValidator.startsWithSlash(Template(segments: [.randomInt(1...2)])))
        #expect(!ScenarioValidator.startsWithSlash(Template(segments: [])))
    }

    @Test func namesUsableInFileNames() {
        #expect(ScenarioValidator.isValidName("checkout-peak_2.1"))
        #expect(!ScenarioValidator.isValidName("a/b"))
        #expect(!ScenarioValidator.isValidName(".."))
        #expect(!ScenarioValidator.isValidName(""))
        #expect(!ScenarioValidator.isValidName("café"))
    }
}
