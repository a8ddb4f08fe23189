import Foundation
import Testing
@testable import Core

/// Scenarios that load, and what they load into.
@Suite struct ScenarioLoaderTests {
    @Test func loadsTheSpecExample() throws {
        let path = fixturePath("spec-example.yaml")
        let s = try ScenarioLoader(environment: ["API_TOKEN": "tok-123"]).load(path: path)
        #expect(s.name == "checkout-peak")
        #expect(s.description == "Peak hour on the checkout API")
        #expect(s.sourcePath == path)
        #expect(s.target.endpoint == .url(TargetURL(scheme: .http, host: "127.0.0.1", port: 8080)))
        #expect(s.target.start == ["./.build/release/shop", "--port", "8080"])
        #expect(s.target.ready == ReadySpec(path: "/health", timeout: .seconds(30)))
        #expect(s.target.metrics == "/metrics")
        #expect(s.target.insecure == false)

        #expect(s.load.model == .open)
        #expect(s.load.warmup == .seconds(10))
        #expect(s.load.stages == [
            Stage(name: "stage-1", duration: .seconds(20), target: 500),
            Stage(name: "stage-2", duration: .seconds(60), target: 2000),
            Stage(name: "stage-3", duration: .seconds(10), target: 0),
        ])
        #expect(s.load.maxInFlight == 512)
        #expect(s.load.connections == 64)
        #expect(s.load.think == .zero)
        #expect(s.load.timeout == .seconds(5))
        #expect(s.load.keepalive)
        #expect(s.load.totalDuration == .seconds(90))

        #expect(s.requests.count == 2)
        let product = s.requests[0]
        #expect(product.name == "product")
        #expect(product.weight == 4)
        #expect(product.method == "GET")
        #expect(product.path.segments == [.literal("/products/"), .randomInt(1...5000)])
        let checkout = s.requests[1]
        #expect(checkout.method == "POST")
        #expect(checkout.headers.map(\.name) == ["content-type", "authorization"])
        #expect(checkout.headers[1].value.segments == [.literal("Bearer "), .environment(name: "API_TOKEN", value: "tok-123", fromEnvironment: true)])
        #expect(checkout.headers[1].isSensitive)
        #expect(checkout.body?.segments == [.literal(#"{"sku": "#), .randomInt(1...5000), .literal(#", "qty": 1}"#)])
        #expect(checkout.expect.status == [200, 201])
        #expect(s.secrets == ["tok-123"])

        #expect(s.criteria.map(\.source) == [
            "p95(latency) < 250ms", "p99(latency{request=checkout}) < 800ms", "error_rate < 1%",
            "throughput >= 1900/s during stage-2", "p95(latency) < 400ms for 10s", "error_rate < 5% for 5s",
        ])
        #expect(s.criteria[1].expression.selector.filter.request == "checkout")
        #expect(s.criteria[3].expression.during == "stage-2")
        #expect(s.criteria[4].expression.sustained == .seconds(10))
        #expect(s.criteria[5].abort)
        #expect(s.criteria[5].after == .seconds(15))
        #expect(!s.criteria[0].abort)
        #expect(s.regression == RegressionRule.defaults)
        #expect(s.faults.isEmpty)
    }

    @Test func jsonGoesThroughTheSameParser() throws {
        let s = try ScenarioLoader(environment: [:]).load(path: fixturePath("spec-example.json"))
        #expect(s.name == "json-scenario")
        #expect(s.target.endpoint == .builtin(DemoTargetOptions(latency: .milliseconds(5))))
        #expect(s.load.model == .closed)
        #expect(s.load.stages == [Stage(name: "jump", duration: .zero, target: 8), Stage(name: "constant", duration: .seconds(30), target: 8)])
        #expect(s.requests.map(\.name) == ["home"])
        #expect(s.criteria.count == 1)
    }

    @Test func constantShorthandMeasuresDurationAfterTheWarmup() throws {
        let s = try ScenarioLoader(environment: [:]).load(text: minimal(load: "load: { model: open, rate: 500/s, duration: 60s, warmup: 10s }"), file: "t.yaml")
        #expect(s.load.stages == [Stage(name: "jump", duration: .zero, target: 500), Stage(name: "constant", duration: .seconds(70), target: 500)])
        #expect(s.load.warmup == .seconds(10))
        #expect(s.load.totalDuration - s.load.warmup == .seconds(60))
        #expect(s.sourcePath == nil)
    }

    @Test func closedShorthandAndHTTPSBasePath() throws {
        let s = try ScenarioLoader(environment: [:]).load(path: fixturePath("shorthand-closed.yaml"))
        #expect(s.target.endpoint == .url(TargetURL(scheme: .https, host: "example.com", port: 8443, basePath: "/api")))
        #expect(s.load.model == .closed)
        #expect(s.load.think == .milliseconds(100))
        #expect(s.load.stages.last == Stage(name: "constant", duration: .seconds(65), target: 64))
    }

    @Test func usersWithoutAModelMeansClosed() throws {
        let s = try ScenarioLoader(environment: [:]).load(text: minimal(load: "load: { users: 4, duration: 5s }"), file: "t.yaml")
        #expect(s.load.model == .closed)
    }

    @Test func defaults() throws {
        let s = try ScenarioLoader(environment: [:]).load(text: minimal(), file: "t.yaml")
        #expect(s.requests == [RequestSpec(name: "root", path: Template(literal: "/"))])
        #expect(s.regression == RegressionRule.defaults)
        #expect(s.load.maxInFlight == 1024)
        #expect(s.load.connections == 64)
        #expect(s.load.timeout == .seconds(5))
        #expect(s.load.keepalive)
        #expect(s.load.start == 0)
        #expect(s.criteria.isEmpty)
        #expect(s.secrets.isEmpty)
        #expect(s.target.endpoint == .builtin(DemoTargetOptions()))
    }

    @Test func stagesRequestsAndKnobs() throws {
        let text = """
        name: knobs_1.0
        target:
          builtin: demo
          latency: 5ms
          jitter: 2ms
          error_rate: 1.5%
          stall: { every: 10s, for: 500ms }
          start: ./server --port ${PORT:-8080}
          ready: /health
          metrics: /metrics
          insecure: true
        load:
          start: 10/s
          stages:
            - { name: warm, duration: 10s, target: 100/s }
            - { duration: 0s, target: 50/s }
            - { name: peak, duration: 1m, target: 6000/m }
          max_in_flight: 10
          connections: 2
          think: 0s
          timeout: 1500ms
          keepalive: false
        requests:
          - method: post
            path: /checkout
            body: { sku: "${random.int(1,5)}", qty: 1, gift: false, note: "say \\"hi\\"", tags: [a, 2], none: null }
          - path: /search
            expect: { status: 200, body_contains: results }
            headers: { x-id: "${random.uuid}", x-n: 5 }
        criteria:
          - throughput > 1/s during peak
          - { expr: "error_rate < 50% for 2s", abort: true, after: 5s }
          - prom:up >= 1
        regression:
          - { metric: "p95(latency{request=GET /search})", tolerance: 20% }
          - { metric: error_rate, tolerance: 1% absolute }
        """
        let s = try ScenarioLoader(environment: [:]).load(text: text, file: "t.yaml")
        #expect(s.name == "knobs_1.0")
        #expect(s.target.endpoint == .builtin(DemoTargetOptions(latency: .milliseconds(5), jitter: .milliseconds(2), errorRate: 0.015,
                                                                 stallEvery: .seconds(10), stallFor: .milliseconds(500))))
        #expect(s.target.start == ["./server", "--port", "8080"])
        #expect(s.target.ready?.path == "/health")
        #expect(s.target.insecure)
        #expect(s.load.start == 10)
        #expect(s.load.stages.map(\.name) == ["warm", "stage-2", "peak"])
        #expect(s.load.stages[2] == Stage(name: "peak", duration: .seconds(60), target: 100))
        #expect(s.load.maxInFlight == 10)
        #expect(s.load.connections == 2)
        #expect(s.load.timeout == .milliseconds(1500))
        #expect(!s.load.keepalive)

        #expect(s.requests.map(\.name) == ["POST /checkout", "GET /search"])
        #expect(s.requests[0].method == "POST")
        var rng = SplitMix64(seed: 3)
        let body = try #require(s.requests[0].body?.render(using: &rng))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect((1...5).contains(json["sku"] as? Int ?? 0))
        #expect(json["qty"] as? Int == 1)
        #expect(json["gift"] as? Bool == false)
        #expect(json["note"] as? String == "say \"hi\"")
        #expect(json["none"] is NSNull)
        #expect(s.requests[0].body?.redacted.hasPrefix(#"{"sku":${random.int(1,5)},"qty":1,"gift":false"#) == true)
        #expect(s.requests[0].headers.map(\.name) == ["content-type"])
        #expect(s.requests[1].expect == Expectation(status: [200], bodyContains: "results"))
        #expect(s.requests[1].headers.map(\.value) == [Template(segments: [.randomUUID]), Template(literal: "5")])

        #expect(s.criteria.count == 3)
        #expect(s.criteria[1].abort && s.criteria[1].after == .seconds(5))
        #expect(s.regression == [
            RegressionRule(metric: MetricSelector(aggregate: .percentile(95), metric: .latency, filter: .init(request: "GET /search")), tolerance: 0.2),
            RegressionRule(metric: MetricSelector(aggregate: .value, metric: .errorRate), tolerance: 0.01, absolute: true),
        ])
    }

    @Test func emptyRegressionDisablesIt() throws {
        let s = try ScenarioLoader(environment: [:]).load(text: minimal("regression: []"), file: "t.yaml")
        #expect(s.regression.isEmpty)
    }

    @Test func environmentInTheTargetURLAndStartCommand() throws {
        let text = minimal(load: "load: { rate: 1/s, duration: 1s }").replacingOccurrences(
            of: "target: { builtin: demo }",
            with: "target: { url: \"http://${HOST:-127.0.0.1}:${PORT}/v1\", start: [\"./srv\", \"--token=${TOKEN}\"] }")
        let s = try ScenarioLoader(environment: ["PORT": "9090", "TOKEN": "abc"]).load(text: text, file: "t.yaml")
        #expect(s.target.endpoint == .url(TargetURL(scheme: .http, host: "127.0.0.1", port: 9090, basePath: "/v1")))
        #expect(s.target.start == ["./srv", "--token=abc"])
        #expect(s.secrets == ["9090", "abc"])
    }

    @Test(arguments: ["quickstart.yaml", "checkout.yaml"])
    func examplesLoad(name: String) throws {
        let path = repositoryRoot.appendingPathComponent("examples").appendingPathComponent(name).path
        let s = try ScenarioLoader(environment: [:]).load(path: path)
        #expect(!s.requests.isEmpty)
        #expect(!s.criteria.isEmpty)
        #expect(s.load.totalDuration > s.load.warmup)
    }

    @Test func quickstartIsWhatTheReadmePromises() throws {
        let path = repositoryRoot.appendingPathComponent("examples/quickstart.yaml").path
        let s = try ScenarioLoader(environment: [:]).load(path: path)
        #expect(s.target.endpoint == .builtin(DemoTargetOptions(latency: .milliseconds(5), jitter: .milliseconds(2))))
        #expect(s.load.model == .open)
        #expect(s.load.warmup == .seconds(2))
        #expect(s.load.totalDuration == .seconds(12))
        #expect(s.load.stages.last?.target == 200)
        #expect(s.requests.map { "\($0.name):\($0.weight):\($0.method)" } == ["product:4:GET", "checkout:1:POST"])
        #expect(s.requests[1].expect.status == [200, 201])
        #expect(s.criteria.map(\.source) == ["p95(latency) < 250ms", "error_rate < 1%", "throughput >= 190/s"])
    }

    @Test func checkoutExampleUsesNamedStagesAndAbort() throws {
        let path = repositoryRoot.appendingPathComponent("examples/checkout.yaml").path
        let s = try ScenarioLoader(environment: [:]).load(path: path)
        #expect(s.load.stages.map(\.name) == ["warm", "peak", "cool"])
        #expect(s.criteria.contains { $0.expression.during == "peak" })
        #expect(s.criteria.contains { $0.expression.sustained != nil })
        #expect(s.criteria.contains { $0.abort })
        #expect(s.criteria.contains { $0.expression.selector.filter.request == "checkout" })
        #expect(s.regression.count == 4)
        // The default token came from the file, not the environment: nothing to hide.
        #expect(s.secrets.isEmpty)
    }
}
