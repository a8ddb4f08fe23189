import Core
import Testing
@testable import StressCI

@Suite struct ScenarioBuilderTests {
    @Test func smokeIsSmallAndValid() throws {
        let s = try ScenarioBuilder.smoke().build()
        #expect(s.name == "smoke")
        #expect(s.load.model == .open)
        #expect(s.load.stages.last?.target == 5)
        #expect(s.load.totalDuration == .seconds(30))
        #expect(s.requests.map(\.name) == ["root"])
        #expect(s.criteria.map(\.source) == ["error_rate < 1%"])
        #expect(s.regression == RegressionRule.defaults)
    }

    @Test func peakLoadRampsDuringTheWarmup() throws {
        let s = try ScenarioBuilder.peakLoad(rate: Rate(perSecond: 500), duration: .seconds(60), rampUp: .seconds(15)).build()
        #expect(s.load.stages == [Stage(name: "ramp-up", duration: .seconds(15), target: 500), Stage(name: "peak", duration: .seconds(60), target: 500)])
        #expect(s.load.warmup == .seconds(15))
        #expect(s.load.totalDuration - s.load.warmup == .seconds(60))
    }

    @Test func peakLoadNeedsNoArguments() throws {
        let s = try ScenarioBuilder.peakLoad().build()
        #expect(s.name == "peak-load")
        #expect(s.load.stages == [Stage(name: "ramp-up", duration: .seconds(10), target: 100), Stage(name: "peak", duration: .seconds(60), target: 100)])
        #expect(s.load.warmup == .seconds(10))
    }

    @Test func spikeHasNamedPhases() throws {
        let s = try ScenarioBuilder.spike(base: Rate(perSecond: 100), peak: Rate(perSecond: 1000), baseDuration: .seconds(20), spikeDuration: .seconds(5))
            .criterion("p99(latency) < 1s during recovery")
            .build()
        #expect(s.load.stages.map(\.name) == ["to-base", "base", "to-spike", "spike", "to-recovery", "recovery"])
        #expect(s.load.stages.map(\.target) == [100, 100, 1000, 1000, 100, 100])
        #expect(s.load.totalDuration == .seconds(45))
        #expect(s.criteria.first?.expression.during == "recovery")
    }

    @Test func soakWarmsUpForATenthAtMostAMinute() throws {
        let short = try ScenarioBuilder.soak(rate: Rate(perSecond: 50), duration: .seconds(100)).build()
        #expect(short.load.warmup == .seconds(10))
        let long = try ScenarioBuilder.soak(rate: Rate(perSecond: 50), duration: .seconds(3600)).build()
        #expect(long.load.warmup == .seconds(60))
        #expect(long.load.stages.last == Stage(name: "soak", duration: .seconds(3600), target: 50))
    }

    @Test func rampIsABreakpointTest() throws {
        let s = try ScenarioBuilder.ramp(to: Rate(perSecond: 2000), over: .seconds(120)).build()
        #expect(s.load.stages == [Stage(name: "ramp", duration: .seconds(120), target: 2000)])
        #expect(s.criteria.first?.abort == true)
    }

    @Test func fluentModifiersAndTemplates() throws {
        let url = try #require(TargetURL(parsing: "http://127.0.0.1:8080"))
        let s = try ScenarioBuilder.peakLoad(rate: Rate(perSecond: 200), duration: .seconds(30))
            .named("checkout")
            .description("from code")
            .target(.url(url), metrics: "/metrics")
            .environment(["API_TOKEN": "tok"])
            .request("product", path: "/products/${random.int(1,5000)}", weight: 4)
            .request(method: "post", path: "/checkout", headers: ["authorization": "Bearer ${API_TOKEN}"], body: "{}", expectStatus: [200, 201])
            .criterion("p95(latency) < 250ms")
            .criterion("p99(latency{request=product}) < 1s during peak")
            .criterion("prom:up >= 1")
            .warmup(.seconds(5))
            .connections(8)
            .maxInFlight(100)
            .timeout(.seconds(2))
            .keepalive(false)
            .build()
        #expect(s.name == "checkout")
        #expect(s.description == "from code")
        #expect(s.target.endpoint == .url(url))
        #expect(s.requests.map(\.name) == ["product", "POST /checkout"])
        #expect(s.requests[0].path.segments == [.literal("/products/"), .randomInt(1...5000)])
        #expect(s.requests[1].headers.first?.value.redacted == "Bearer ***")
        #expect(s.secrets == ["tok"])
        #expect(s.criteria.count == 3)
        #expect(s.load.warmup == .seconds(5))
        #expect(s.load.connections == 8)
        #expect(s.load.maxInFlight == 100)
        #expect(s.load.timeout == .seconds(2))
        #expect(!s.load.keepalive)
    }

    @Test func buildReportsSyntaxProblemsTogether() {
        do {
            _ = try ScenarioBuilder.smoke()
                .environment([:])
                .request(path: "/${MISSING}")
                .criterion("p95(latncy) < 1s")
                .criterion("error_rate < 5")
                .build()
            Issue.record("built an invalid scenario")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message == "3 problems in scenario `smoke`")
            #expect(error.problems.map(\.message) == [
                "requests[0].path: environment variable `MISSING` is not set (at character 2)",
                "criteria[1]: unknown metric `latncy` (at character 5)",
                "criteria[2]: `5` is not a fraction between 0 and 1 (at character 14)",
            ])
            #expect(error.problems[1].hint == "did you mean `latency`?")
        }
    }

    @Test func buildAppliesTheLoadersSemanticChecks() {
        do {
            _ = try ScenarioBuilder.peakLoad(rate: Rate(perSecond: 10), duration: .seconds(10))
                .named("bad name")
                .request("a", path: "/a", weight: 0)
                .request("a", method: "FETCH", path: "a")
                .criterion("throughput > 1/s during peek")
                .connections(0)
                .build()
            Issue.record("built an invalid scenario")
        } catch {
            let messages = error.problems.map(\.message)
            #expect(messages.contains { $0.hasPrefix("name: name `bad name` can only contain") })
            #expect(messages.contains("load.connections: connections must be above 0, got 0"))
            #expect(messages.contains("requests[0].weight: weight must be at least 1, got 0"))
            #expect(messages.contains("requests[1].name: duplicate request name `a`"))
            #expect(messages.contains("requests[1].method: unknown method `FETCH`"))
            #expect(messages.contains("requests[1].path: path `a` must start with `/`"))
            #expect(messages.contains("criteria[0]: unknown stage `peek` (at character 25)"))
            #expect(error.problems.count == 7)
        }
    }

    @Test func warmupLongerThanTheRunIsRefused() {
        #expect(throws: StressError.self) {
            try ScenarioBuilder.smoke().warmup(.seconds(60)).build()
        }
    }
}
