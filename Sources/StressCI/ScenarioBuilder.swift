import Core
import Foundation

/// Builds a `Scenario` in Swift: start from a preset, adjust it fluently, and `build()`.
///
/// ```swift
/// let scenario = try ScenarioBuilder
///     .peakLoad(rate: Rate(perSecond: 500), duration: .seconds(60))
///     .request("product", path: "/products/${random.int(1,5000)}", weight: 4)
///     .request("checkout", method: "POST", path: "/checkout", body: #"{"qty": 1}"#, expectStatus: [200, 201])
///     .criterion("p95(latency) < 250ms")
///     .build()
/// ```
///
/// `build()` applies the checks a scenario file gets (`ScenarioValidator`, shared with
/// `ScenarioLoader`): templates, criteria, names, ranges and cross-references. Problems are
/// reported together, each naming its place in the scenario (`requests[1].weight: …`).
public struct ScenarioBuilder: Sendable {
    private struct DraftRequest: Sendable {
        var name: String
        var method: String
        var path: String
        var weight: Int
        var headers: [(name: String, value: String)]
        var body: String?
        var expectStatus: [Int]?
        var bodyContains: String?
    }

    private struct DraftCriterion: Sendable {
        var text: String
        var abort: Bool
        var after: Duration?
    }

    private var name: String
    private var description: String?
    private var target: TargetSpec
    private var load: LoadSpec
    private var requests: [DraftRequest] = []
    private var criteria: [DraftCriterion] = []
    private var faults: [FaultSpec] = []
    private var regression = RegressionRule.defaults
    private var environment: [String: String] = ProcessInfo.processInfo.environment

    /// A scenario with explicit stages. Prefer a preset unless the shape is unusual.
    public init(name: String, target: TargetSpec.Endpoint = .builtin(DemoTargetOptions()), model: LoadModel = .open, stages: [Stage]) {
        self.name = name
        self.target = TargetSpec(endpoint: target)
        self.load = LoadSpec(model: model, stages: stages)
    }

    // MARK: Presets

    /// A few requests per second for 30 s: does it answer at all, without errors?
    public static func smoke(name: String = "smoke", target: TargetSpec.Endpoint = .builtin(DemoTargetOptions())) -> ScenarioBuilder {
        constant(name: name, target: target, rate: Rate(perSecond: 5), duration: .seconds(30))
            .criterion("error_rate < 1%")
    }

    /// Ramps to `rate` over `rampUp` (the warmup), then holds it for `duration` (measured). With
    /// no arguments: 100/s for 60 s after a 10 s ramp, against the embedded demo target.
    public static func peakLoad(name: String = "peak-load", target: TargetSpec.Endpoint = .builtin(DemoTargetOptions()),
                                rate: Rate = Rate(perSecond: 100), duration: Duration = .seconds(60), rampUp: Duration = .seconds(10)) -> ScenarioBuilder {
        ScenarioBuilder(name: name, target: target, stages: [
            Stage(name: "ramp-up", duration: rampUp, target: rate.perSecond),
            Stage(name: "peak", duration: duration, target: rate.perSecond),
        ]).warmup(rampUp)
    }

    /// Holds `base`, jumps to `peak` for `spikeDuration`, and falls back to `base` to watch the recovery.
    /// Criteria may say `during spike` or `during recovery`.
    public static func spike(name: String = "spike", target: TargetSpec.Endpoint = .builtin(DemoTargetOptions()),
                             base: Rate, peak: Rate, baseDuration: Duration = .seconds(30), spikeDuration: Duration = .seconds(10)) -> ScenarioBuilder {
        ScenarioBuilder(name: name, target: target, stages: [
            Stage(name: "to-base", duration: .zero, target: base.perSecond),
            Stage(name: "base", duration: baseDuration, target: base.perSecond),
            Stage(name: "to-spike", duration: .zero, target: peak.perSecond),
            Stage(name: "spike", duration: spikeDuration, target: peak.perSecond),
            Stage(name: "to-recovery", duration: .zero, target: base.perSecond),
            Stage(name: "recovery", duration: baseDuration, target: base.perSecond),
        ])
    }

    /// A long run at a steady `rate`, for leaks and slow drift; a ramp of a tenth (at most a
    /// minute) is the warmup.
    public static func soak(name: String = "soak", target: TargetSpec.Endpoint = .builtin(DemoTargetOptions()),
                            rate: Rate, duration: Duration) -> ScenarioBuilder {
        let rampUp = min(duration / 10, .seconds(60))
        return ScenarioBuilder(name: name, target: target, stages: [
            Stage(name: "ramp-up", duration: rampUp, target: rate.perSecond),
            Stage(name: "soak", duration: duration, target: rate.perSecond),
        ]).warmup(rampUp)
    }

    /// A breakpoint test: a linear ramp from 0 to `to` over `over`, stopped early once the error
    /// rate stays above 5% for 5 s.
    public static func ramp(name: String = "ramp", target: TargetSpec.Endpoint = .builtin(DemoTargetOptions()),
                            to: Rate, over: Duration) -> ScenarioBuilder {
        ScenarioBuilder(name: name, target: target, stages: [Stage(name: "ramp", duration: over, target: to.perSecond)])
            .criterion("error_rate < 5% for 5s", abort: true)
    }

    /// Constant load: a jump to `rate`, held for `duration` (after the warmup, if any).
    public static func constant(name: String, target: TargetSpec.Endpoint = .builtin(DemoTargetOptions()),
                                rate: Rate, duration: Duration) -> ScenarioBuilder {
        ScenarioBuilder(name: name, target: target, stages: [
            Stage(name: "jump", duration: .zero, target: rate.perSecond),
            Stage(name: "constant", duration: duration, target: rate.perSecond),
        ])
    }

    // MARK: Modifiers

    /// Renames the scenario (it names the result files).
    public func named(_ name: String) -> ScenarioBuilder { with { $0.name = name } }

    /// A one-line description, echoed in reports.
    public func description(_ text: String) -> ScenarioBuilder { with { $0.description = text } }

    /// Where the load goes, and optionally how the runner starts it and knows it is ready.
    public func target(_ endpoint: TargetSpec.Endpoint, start: [String]? = nil, ready: ReadySpec? = nil, metrics: String? = nil, insecure: Bool = false) -> ScenarioBuilder {
        with { $0.target = TargetSpec(endpoint: endpoint, start: start, ready: ready, metrics: metrics, insecure: insecure) }
    }

    /// Adds a request to the mix. `path`, header values and `body` may use `${NAME}`,
    /// `${NAME:-default}`, `${random.int(a,b)}` and `${random.uuid}`. Without any request the
    /// scenario sends `GET /` (named `root`).
    public func request(_ name: String? = nil, method: String = "GET", path: String, weight: Int = 1,
                        headers: KeyValuePairs<String, String> = [:], body: String? = nil,
                        expectStatus: [Int]? = nil, bodyContains: String? = nil) -> ScenarioBuilder {
        let draft = DraftRequest(name: name ?? "\(method.uppercased()) \(path)", method: method.uppercased(), path: path, weight: weight,
                                 headers: headers.map { ($0.key, $0.value) }, body: body, expectStatus: expectStatus, bodyContains: bodyContains)
        return with { $0.requests.append(draft) }
    }

    /// Adds a success criterion, in the scenario grammar (`p95(latency) < 250ms during peak`).
    public func criterion(_ text: String, abort: Bool = false, after: Duration? = nil) -> ScenarioBuilder {
        with { $0.criteria.append(DraftCriterion(text: text, abort: abort, after: after)) }
    }

    /// The first part of the stages' timeline, excluded from every statistic.
    public func warmup(_ duration: Duration) -> ScenarioBuilder { with { $0.load.warmup = duration } }
    /// HTTP/1.1 keep-alive connections (open model).
    public func connections(_ count: Int) -> ScenarioBuilder { with { $0.load.connections = count } }
    /// Open model: arrivals beyond this many outstanding requests are counted as dropped.
    public func maxInFlight(_ count: Int) -> ScenarioBuilder { with { $0.load.maxInFlight = count } }
    /// The per-request timeout.
    public func timeout(_ duration: Duration) -> ScenarioBuilder { with { $0.load.timeout = duration } }
    /// Closed model: the pause between a user's requests.
    public func think(_ duration: Duration) -> ScenarioBuilder { with { $0.load.think = duration } }
    /// Reuse connections (default true).
    public func keepalive(_ enabled: Bool) -> ScenarioBuilder { with { $0.load.keepalive = enabled } }
    /// Replaces the regression rules (default: `RegressionRule.defaults`).
    public func regression(_ rules: [RegressionRule]) -> ScenarioBuilder { with { $0.regression = rules } }
    /// Where `${NAME}` is resolved (default: the process environment).
    public func environment(_ values: [String: String]) -> ScenarioBuilder { with { $0.environment = values } }

    /// Adds a fault (README, *Failure injection*): `parameters` as a scenario file writes them,
    /// e.g. `.fault(.latency, at: .seconds(20), for: .seconds(10), ["delay": "200ms"], name: "slow-db")`.
    public func fault(_ kind: FaultSpec.Kind, at: Duration, for duration: Duration = .zero, _ parameters: [String: String] = [:],
                      name: String? = nil, request: String? = nil) -> ScenarioBuilder {
        with { $0.faults.append(FaultSpec(kind: kind, at: at, duration: duration, parameters: parameters, name: name, request: request)) }
    }

    private func with(_ change: (inout ScenarioBuilder) -> Void) -> ScenarioBuilder {
        var copy = self
        change(&copy)
        return copy
    }

    // MARK: Build

    /// The scenario, checked like a scenario file.
    ///
    /// - Throws: `.invalidInput` with every problem. As there is no file, each is located at
    ///   `ScenarioBuilder(NAME):1:1` with its place in the scenario written into its message
    ///   (`criteria[0]: … (at character 5)`; see `Problem.flattened(into:)`).
    public func build() throws(StressError) -> Scenario {
        var problems: [Problem] = []
        let templates = TemplateParser(environment: environment)
        var secrets: Set<String> = []
        func template(_ text: String, _ path: String) -> Template {
            let output = templates.parse(text)
            secrets.formUnion(output.secrets)
            problems += output.problems.map { $0.within(path) }
            return output.template
        }

        var requestSpecs: [RequestSpec] = []
        for (i, draft) in requests.enumerated() {
            let path = "requests[\(i)]"
            requestSpecs.append(RequestSpec(
                name: draft.name, weight: draft.weight, method: draft.method, path: template(draft.path, "\(path).path"),
                headers: draft.headers.map { RequestSpec.Header(name: $0.name, value: template($0.value, "\(path).headers.\($0.name)")) },
                body: draft.body.map { template($0, "\(path).body") },
                expect: Expectation(status: draft.expectStatus, bodyContains: draft.bodyContains)))
        }
        if requests.isEmpty { requestSpecs = [RequestSpec(name: "root", path: Template(literal: "/"))] }

        var criterionSpecs: [CriterionSpec] = []
        for (i, draft) in criteria.enumerated() {
            do {
                let expression = try CriterionParser.parse(draft.text)
                criterionSpecs.append(CriterionSpec(expression: expression, source: draft.text, abort: draft.abort, after: draft.after))
            } catch {
                problems.append(error.within("criteria[\(i)]"))
            }
        }
        // Indices of later criteria shift when one cannot be parsed: report syntax first.
        if problems.isEmpty {
            let scenario = Scenario(name: name, description: description, target: target, load: load, requests: requestSpecs,
                                    faults: faults, criteria: criterionSpecs, regression: regression, secrets: secrets)
            problems = ScenarioValidator.check(scenario)
            if problems.isEmpty { return scenario }
        }
        let count = problems.count
        throw StressError(.invalidInput, "\(count) problem\(count == 1 ? "" : "s") in scenario `\(name)`",
                          problems: problems.map { $0.flattened(into: "ScenarioBuilder(\(name))") })
    }
}
