import Core
import Foundation
import Metrics
import NIOCore

/// Drives a scenario's load at an endpoint over HTTP/1.1 and measures it (README, *What is measured*).
///
/// One `Reactor` thread per `threads`; each runs a worker with its share of the arrivals (open
/// model) or users (closed model), its connections and its own `MetricsRecorder`, so the hot
/// path takes no lock. Once a second the recorders' completed seconds are drained, merged and
/// reduced; at the end the recorders are merged into a `RunMetrics`.
///
/// `pause()`, `resume()` and `stop()` may be called from any thread. A generator runs once.
public final class LoadGenerator: Sendable {
    public let scenario: Scenario
    public let endpoint: Endpoint
    public let threads: Int
    public let layout: MetricsLayout

    private struct Control {
        var ran = false
        var paused = false
        var stopped = false
        /// Scenario time of the stop.
        var stoppedAt: Int64?
        var workers: [LoopWorker] = []
        /// A loop's poller failed for good: which loop, and how.
        var failure: String?
        /// Where connections go instead of `endpoint` (a fault proxy in front of it).
        var route: Endpoint?
        /// Each request carries its index in the mix for the fault proxy.
        var tagRequests = false
    }

    private let control = LockedBox(Control())
    private let clock = ScenarioClock()

    /// - Parameters:
    ///   - threads: reactor threads (and recorders) to run the load on.
    ///   - percentiles: percentiles the per-second series keeps, beyond the standard ones.
    public init(scenario: Scenario, endpoint: Endpoint, threads: Int = System.coreCount, percentiles: [Double] = standardPercentiles) {
        self.scenario = scenario
        self.endpoint = endpoint
        self.threads = max(1, threads)
        self.layout = MetricsLayout(scenario: scenario, percentiles: percentiles)
    }

    /// Before `run`: connect to `proxy` instead of the endpoint (its address only: the Host
    /// header, TLS name and verification stay the endpoint's), and, with `tagRequests`, send each
    /// request's index in the mix in a header the proxy strips (README, *Failure injection*).
    public func route(through proxy: Endpoint, tagRequests: Bool) {
        control.withLock {
            $0.route = proxy
            $0.tagRequests = tagRequests
        }
    }

    /// The scenario clock: time since the load started, paused time excluded (zero before).
    public func scenarioTime() -> Duration { .nanoseconds(clock.now()) }

    /// Runs the load to the end of its stages (or until `stop()`), calling `onSecond` with each
    /// measured second as it completes, and returns everything measured.
    ///
    /// Throws when the run cannot start (no requests, too few file descriptors, an address that
    /// does not resolve, a TLS setup failure) or cannot go on (an event loop's poller failed);
    /// request failures are data in the result.
    public func run(onSecond: @escaping @Sendable (SecondStats) -> Void) async throws -> RunResultMetrics {
        let alreadyRan = control.withLock { c -> Bool in
            defer { c.ran = true }
            return c.ran
        }
        if alreadyRan { throw StressError(.usage, "a LoadGenerator runs once; create another for the next run") }
        guard !scenario.requests.isEmpty else { throw StressError(.invalidInput, "the scenario has no requests") }

        let load = scenario.load
        // Every connection needs a descriptor: raise the limit before opening any.
        try DescriptorLimit.raise(toFit: DescriptorLimit.sockets(for: load))
        let (route, tagRequests) = control.withLock { ($0.route, $0.tagRequests) }
        let resolved = try await (route ?? endpoint).resolve()
        let address = resolved.withSockAddr { ConnectAddress($0, length: $1) }
        let tlsContext = endpoint.tls ? try TLSClientContext(insecure: endpoint.insecure, caFile: endpoint.caFile) : nil
        let isIPLiteral = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
        let schedule = ArrivalSchedule(load)
        let workerCount = load.model == .open ? max(1, min(threads, load.connections)) : threads
        let target = SocketTarget(address: address, tls: tlsContext, serverHostname: isIPLiteral ? nil : endpoint.host,
                                  verifyHost: endpoint.insecure ? nil : endpoint.host, verifyHostIsIP: isIPLiteral)
        let config = WorkerConfig(
            model: load.model, schedule: schedule,
            requests: scenario.requests.enumerated().map { i, spec in
                PreparedRequest(spec, endpoint: endpoint, keepalive: load.keepalive, tag: tagRequests ? i : nil)
            },
            mix: RequestMix(weights: scenario.requests.map(\.weight)),
            timeout: max(.milliseconds(1), Nanos(load.timeout)), think: max(.zero, Nanos(load.think)),
            keepalive: load.keepalive, workerCount: workerCount, layout: layout)

        var reactors: [Reactor] = []
        do {
            for i in 0..<workerCount { reactors.append(try Reactor(name: "stress-ci-load\(i)")) }
        } catch {
            throw StressError(.internalError, "cannot start the load engine: \(error)")
        }
        let workers = (0..<workerCount).map { i in
            LoopWorker(index: i, reactor: reactors[i], target: target, config: config, clock: clock,
                       connections: Self.share(of: load.connections, part: i, parts: workerCount),
                       maxOutstanding: Self.share(of: load.maxInFlight, part: i, parts: workerCount))
        }
        for worker in workers {
            // A loop whose poller broke ends its worker at once and the others gracefully; the
            // run then ends as usual and fails below instead of hanging.
            let name = worker.reactor.name
            worker.reactor.onFailure = { [weak self, weak worker] error in
                worker?.abort()
                self?.failed("\(name): \(error)")
            }
        }
        for reactor in reactors { reactor.start() }
        defer {
            // Every worker finished on its loop and closed its sockets: nothing is left to report.
            for reactor in reactors { reactor.shutdown() }
        }
        let result = await drive(workers: workers, config: config, onSecond: onSecond)
        if let failure = control.withLock({ $0.failure }) {
            throw StressError(
                .internalError, "the load engine cannot go on: event loop \(failure)",
                hint: "the kernel refused epoll_wait, so no socket could be watched; a seccomp profile (an older "
                    + "container runtime) can do that: run on a newer runtime or with the default profile")
        }
        return result
    }

    /// Freezes the scenario clock: no new arrivals and no user sends until `resume()`.
    public func pause() {
        let workers = control.withLock { c -> [LoopWorker] in
            guard !c.paused, !c.stopped else { return [] }
            c.paused = true
            return c.workers
        }
        clock.pause()
        for worker in workers { worker.reactor.execute { worker.pause() } }
    }

    /// Continues the schedule where `pause()` stopped it.
    public func resume() {
        let workers = control.withLock { c -> [LoopWorker]? in
            guard c.paused else { return nil }
            c.paused = false
            return c.workers
        }
        guard let workers else { return }
        clock.resume()
        for worker in workers { worker.reactor.execute { worker.resume() } }
    }

    /// Stops issuing load; requests in flight get up to their timeout; `run` then returns what
    /// was measured, marked `stoppedEarly`.
    public func stop() {
        let now = clock.now()
        let workers = control.withLock { c -> [LoopWorker] in
            guard !c.stopped else { return [] }
            c.stopped = true
            c.stoppedAt = now
            return c.workers
        }
        for worker in workers { worker.reactor.execute { worker.stop() } }
    }

    /// A loop's poller failed for good: the run stops and `run` throws.
    private func failed(_ description: String) {
        control.withLock { c in if c.failure == nil { c.failure = description } }
        stop()
    }

    /// True while paused.
    public var isPaused: Bool { control.withLock { $0.paused } }

    // MARK: - The run

    private func drive(workers: [LoopWorker], config: WorkerConfig, onSecond: @escaping @Sendable (SecondStats) -> Void) async -> RunResultMetrics {
        // Connections open before the clock starts, so the first arrivals do not pay for them.
        for worker in workers {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                worker.reactor.execute { worker.preconnect { done.resume() } }
            }
        }
        let startedAt = Date()
        let stoppedBeforeStart = control.withLock { c -> Bool in
            c.workers = workers
            return c.stopped
        }
        clock.start()
        if control.withLock({ $0.paused }) { clock.pause() }
        for worker in workers {
            worker.reactor.execute {
                if stoppedBeforeStart { worker.stop() } else { worker.start() }
            }
        }

        let collector = SecondCollector(workers: workers, layout: layout, onSecond: onSecond)
        let collecting = Task { await collector.collect(clock: clock, until: config.schedule.duration) }
        for worker in workers {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                worker.reactor.execute { worker.whenFinished { done.resume() } }
            }
        }
        collecting.cancel()
        await collecting.value

        let (stopped, stoppedAt) = control.withLock { ($0.stopped, $0.stoppedAt) }
        let stoppedEarly = stopped && (stoppedAt ?? 0) < config.schedule.duration
        let scenarioEnd = stoppedEarly ? max(0, stoppedAt ?? 0) : config.schedule.duration
        let measured = max(0, scenarioEnd - layout.warmup)
        // Every second that overlaps the measured window goes through the series.
        let lastSecond = Int((measured + 999_999_999) / 1_000_000_000)
        await collector.drain(before: lastSecond)

        var snapshots: [RecorderSnapshot] = []
        var opened = 0
        var resumed = 0
        for worker in workers {
            let (snapshot, connections, sessions) = await worker.reactor.submit {
                (worker.recorder.snapshot(), worker.connectionsOpened, worker.tlsSessionsResumed)
            }
            snapshots.append(snapshot)
            opened += connections
            resumed += sessions
        }
        let metrics = RunMetrics.merge(layout: layout, snapshots: snapshots, seconds: await collector.series,
                                       measuredDuration: .nanoseconds(measured))
        control.withLock { $0.workers = [] }
        var result = RunResultMetrics(metrics: metrics, stoppedEarly: stoppedEarly, startedAt: startedAt, endedAt: Date(),
                                      pausedDuration: clock.pausedDuration, scenarioEnd: .nanoseconds(scenarioEnd))
        result.connectionsOpened = opened
        result.tlsSessionsResumed = resumed
        return result
    }

    private static func share(of total: Int, part: Int, parts: Int) -> Int {
        max(1, total / parts + (part < total % parts ? 1 : 0))
    }
}
