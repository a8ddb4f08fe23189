// The library walked through end to end (README, *Swift library*): a scenario built in code
// against the embedded target, every lifecycle callback, start, status, pause and resume, an
// aggregated window of the monitored metrics, completion, the results store, the reports, and a
// comparison with the previous run.
//
//   swift run example-usage            # or .build/release/example-usage after a release build
//
// It writes into ./example-usage-output (the store in .stress-ci inside it) and exits 0.
import Foundation
import StressCI

@main
struct ExampleUsage {
    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("example-usage: \(error)\n".utf8))
            exit(1)
        }
    }

    static func say(_ text: String) { print(text) }

    static func run() async throws {
        let output = URL(fileURLWithPath: "example-usage-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

        // 1. The scenario: a peak-load preset against the embedded demo target, with criteria.
        let scenario = try ScenarioBuilder
            .peakLoad(name: "example", target: .builtin(DemoTargetOptions(latency: .milliseconds(5))),
                      rate: Rate(perSecond: 100), duration: .seconds(8), rampUp: .seconds(2))
            .request("product", path: "/products/${random.int(1,5000)}", weight: 4)
            .request("checkout", method: "POST", path: "/checkout", body: #"{"qty": 1}"#, expectStatus: [200, 201])
            .criterion("p95(latency) < 250ms")
            .criterion("error_rate < 1%")
            .build()

        // 2. The orchestrator and its components: the embedded target and the load engine.
        let orchestrator = StressTestOrchestrator()
        try orchestrator.loadScenario(scenario)
        orchestrator.setComponentFactory(DefaultComponents.factory(logDirectory: output.path, threads: 1))
        for event in LifecycleEvent.allCases {
            orchestrator.registerLifecycleCallback(event) { status in
                print("\(event.rawValue): state \(status.state.rawValue)\(status.failure.map { ", error \($0)" } ?? "")")
            }
        }
        let aggregator = MetricsAggregator(bufferSize: 600, aggregationInterval: .seconds(1))
        aggregator.registerMetricSource("host", category: .system, HostSampler())
        aggregator.startCollection()

        // 3. Start, and step the running test from here: status, pause, resume.
        let running = Task { try await orchestrator.startTest() }
        while orchestrator.currentStatus.state != .running {
            if running.isCancelled { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Past the 2 s warmup: measured seconds have come in.
        try await Task.sleep(for: .seconds(4))
        printStatus(orchestrator.currentStatus)
        try orchestrator.pauseTest()
        printStatus(orchestrator.currentStatus)
        try await Task.sleep(for: .seconds(1))
        try orchestrator.resumeTest()
        printStatus(orchestrator.currentStatus)

        // 4. An aggregated window of what the aggregator collected meanwhile.
        try await Task.sleep(for: .seconds(2))
        let window = aggregator.calculateAggregatedMetrics(window: .seconds(5))
        if let cpu = window.metrics["host.cpu_percent"] {
            say("aggregated 5 s window: host CPU avg \(format(cpu.avg))%, p95 \(format(cpu.p95))%, \(cpu.count) samples")
        } else {
            say("aggregated 5 s window: \(window.metrics.keys.sorted().joined(separator: ", "))")
        }

        // 5. The test completes on its own at the end of its schedule.
        let test = try await running.value
        await aggregator.stopCollection()
        printStatus(orchestrator.currentStatus)
        say("criteria passed: \(test.criteriaPassed)")

        // 6. Results: stored, rendered, compared with the previous run of this program.
        let store = TestResultsStore(root: output.appendingPathComponent(".stress-ci").path)
        try store.prepare()
        let previous = try store.latestRunID()
        let id = RunID.make(date: test.startedAt, scenarioName: scenario.name)
        let result = test.resultDocument(id: id, environment: .current()).redacted(for: scenario)
        let stored = try store.saveTestResults(result)
        say("saved result: \(store.root)/runs/\(stored).json")
        let artifacts = ArtifactWriterSet(formats: [.json, .md, .html], directory: output.path, templates: try .builtIn())
        for path in try artifacts.write(result) { say("report: \(path)") }
        if let previous {
            let comparison = try store.compareTestRuns([previous, stored])
            for row in comparison.rows.prefix(4) {
                say("compared with \(previous): \(row.metric) \(row.formattedChange(at: 1))")
            }
        } else {
            say("no previous run to compare with: run example-usage again")
        }
    }

    static func printStatus(_ status: TestStatus) {
        let last = status.lastSecond.map { "\($0.overall.counters.requests) req in the last second" } ?? "no second measured yet"
        say("status: \(status.state.rawValue), elapsed \(format(status.elapsed.seconds))s of \(format(status.planned.seconds))s, "
            + "\(status.requests) requests, \(status.errors) errors, \(last)")
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
