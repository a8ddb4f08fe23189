import Analysis
import Core
import Engine
import Foundation
import Metrics
import Synchronization

/// The real parts behind a run: the target (embedded demo server, a launched process, or a URL)
/// and the SwiftNIO load generator.
public enum DefaultComponents {
    /// A factory for `StressTestOrchestrator.setComponentFactory`.
    /// - Parameters:
    ///   - logDirectory: where a launched target's output goes (`target.log`).
    ///   - threads: event-loop threads of the load generator.
    public static func factory(logDirectory: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> StressTestOrchestrator.ComponentFactory {
        { scenario in
            // Too few file descriptors is known before anything starts: say so before the target does.
            var inProcessTarget = false
            if case .builtin = scenario.target.endpoint { inProcessTarget = true }
            try DescriptorLimit.check(sockets: DescriptorLimit.sockets(for: scenario.load), inProcessTarget: inProcessTarget)
            let session = try await StartedTarget.start(scenario.target, logPath: (logDirectory as NSString).appendingPathComponent("target.log"),
                                                        secrets: scenario.secrets)
            let generator = LoadGenerator(scenario: scenario, endpoint: session.loadEndpoint, threads: threads, percentiles: scenario.metricsLayout.percentiles)
            return (session, EngineDriver(generator, threads: threads))
        }
    }
}

extension Scenario {
    /// The metrics layout for this scenario: its requests and stages, and every percentile a live
    /// or sustained criterion needs per second. Engine and orchestrator share it.
    public var metricsLayout: MetricsLayout {
        MetricsLayout(scenario: self, percentiles: CriteriaEvaluator.percentilesNeeded(by: criteria))
    }
}

/// The target as started for one run; `shutdown` stops what was started. A launched target can
/// be killed and started again by a `kill` fault (`ProcessFaultTarget`).
final class StartedTarget: ProcessFaultTarget {
    private let demo: DemoServer?
    /// The launched process: replaced when a `kill` fault starts it again.
    private let process: Mutex<TargetProcess?>
    /// How to launch it again, and when it is ready.
    private let launch: (command: [String], logPath: String, secrets: Set<String>, ready: ReadySpec)?

    let loadEndpoint: Endpoint

    private init(endpoint: Endpoint, demo: DemoServer?, process: TargetProcess?,
                 launch: (command: [String], logPath: String, secrets: Set<String>, ready: ReadySpec)? = nil) {
        self.loadEndpoint = endpoint
        self.demo = demo
        self.process = Mutex(process)
        self.launch = launch
    }

    var address: String { loadEndpoint.urlDescription }
    var endpoint: Endpoint? { loadEndpoint }
    var processID: Int32? { process.withLock { $0?.pid } }

    func signalTarget(_ signal: Int32) {
        process.withLock { $0 }?.signal(signal)
    }

    func relaunch() async throws -> Int32 {
        guard let launch else { throw StressError(.usage, "the target was not launched by stress-ci: it cannot be started again") }
        let old = process.withLock { $0 }
        // Killed just before: reap it so the new one can take the port.
        _ = await old?.stop(grace: .zero)
        let fresh = try TargetProcess.launch(launch.command, logPath: launch.logPath, secrets: launch.secrets)
        process.withLock { $0 = fresh }
        return fresh.pid
    }

    func waitUntilReady() async -> Bool {
        guard let ready = launch?.ready else { return true }
        let current = process.withLock { $0 }
        do {
            try await ReadinessProbe(endpoint: loadEndpoint, path: ready.path, timeout: ready.timeout).wait(for: current)
            return true
        } catch {
            return false
        }
    }

    /// - Parameter secrets: values masked as `***` in a launched target's log.
    static func start(_ target: TargetSpec, logPath: String, secrets: Set<String> = []) async throws -> StartedTarget {
        switch target.endpoint {
        case .builtin(let options):
            let server: DemoServer
            do {
                server = try await DemoServer.start(options: options)
            } catch {
                throw StressError(.targetNotReady, "the embedded demo target could not start: \(error)")
            }
            return StartedTarget(endpoint: Endpoint(host: "127.0.0.1", port: server.port), demo: server, process: nil)
        case .url(let url):
            let endpoint = Endpoint(url, insecure: target.insecure)
            let process = try target.start.map { try TargetProcess.launch($0, logPath: logPath, secrets: secrets) }
            // A launched target is always waited for: on `ready`, or a 2xx on `/` within 30 s.
            if let ready = target.ready ?? (process != nil ? ReadySpec() : nil) {
                do {
                    // The load's own endpoint: the probe trusts what the load trusts.
                    try await ReadinessProbe(endpoint: endpoint, path: ready.path, timeout: ready.timeout).wait(for: process)
                } catch {
                    _ = await process?.stop()
                    throw error
                }
            }
            let launch = target.start.map { (command: $0, logPath: logPath, secrets: secrets, ready: target.ready ?? ReadySpec()) }
            return StartedTarget(endpoint: endpoint, demo: nil, process: process, launch: launch)
        }
    }

    func shutdown() async {
        try? await demo?.stop()
        _ = await process.withLock({ $0 })?.stop()
    }
}

/// Adapts the engine's `LoadGenerator` to the orchestrator's `LoadDriver`.
final class EngineDriver: LoadDriver {
    let generator: LoadGenerator
    let threads: Int
    init(_ generator: LoadGenerator, threads: Int) {
        self.generator = generator
        self.threads = threads
    }

    func run(onSecond: @escaping @Sendable (SecondStats) -> Void) async throws -> RunMetrics {
        try await generator.run(onSecond: onSecond).metrics
    }
    func pause() { generator.pause() }
    func resume() { generator.resume() }
    func stop() { generator.stop() }
    func route(through route: FaultRoute) -> Bool {
        generator.route(through: route.endpoint, tagRequests: route.tagRequests)
        return true
    }
    var scenarioClock: (@Sendable () -> Duration)? {
        let generator = self.generator
        return { generator.scenarioTime() }
    }
}
