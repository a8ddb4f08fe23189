import Core
import Engine
import Foundation
import Metrics
import ReportTemplates
import Synchronization

/// `run --control ADDR:PORT` (README, *Live control and dashboard*): the control server of one run
/// sequence. It serves the live status (JSON and Server-Sent Events), Prometheus metrics and the
/// dashboard, and turns `POST /pause`, `/resume` and `/stop` into the current run's transitions
/// (a stop goes through `RunControl`, so no further `--repeat` run starts).
///
/// It reaches each run through the orchestrator `RunSequence` hands it (`begin`) and hears of
/// every measured second and state change through the orchestrator's callbacks; its HTTP server
/// runs on a thread of its own, never on the load's reactors.
final class ControlService: Sendable {
    /// The stop reason a `POST /stop` gives the run.
    static let stopReason = "stopped by the control endpoint"

    private struct State {
        var orchestrator: StressTestOrchestrator?
        /// The current run, 0-based.
        var index = 0
        var totals: LiveTotals
        /// The current run's seconds as the dashboard charts them (the newest `historyLimit`).
        var history: [LiveStatus.ChartPoint] = []
        var lastPublished = ContinuousClock.now
    }

    /// Seconds of chart history a new stream subscriber gets (one hour).
    static let historyLimit = 3600

    private let scenario: Scenario
    private let schedule: ArrivalSchedule
    private let runs: Int
    private let control: RunControl
    private let auth: ControlAuth
    private let address: ControlAddress
    private let state: Mutex<State>
    private let broadcaster = StatusBroadcaster()
    private let server = Mutex<HTTPServer?>(nil)
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    private init(_ settings: ControlSettings, scenario: Scenario, runs: Int, control: RunControl) {
        self.scenario = scenario
        schedule = ArrivalSchedule(scenario.load)
        self.runs = runs
        self.control = control
        auth = ControlAuth(token: settings.token)
        address = settings.address
        state = Mutex(State(totals: LiveTotals(requests: scenario.requests.count)))
    }

    /// Starts listening (a usage error, 64, when it cannot) and publishing the status every second.
    static func start(_ settings: ControlSettings, scenario: Scenario, runs: Int, control: RunControl) async throws -> ControlService {
        let service = ControlService(settings, scenario: scenario, runs: runs, control: control)
        let server = try await HTTPServer.start(host: settings.address.host, port: settings.address.port) { [weak service] request in
            guard let service else { return .text(503, "{\"error\":\"the run is over\"}", contentType: "application/json") }
            return await service.handle(request)
        }
        service.server.withLock { $0 = server }
        service.ticker.withLock { $0 = service.tick() }
        return service
    }

    /// `http://ADDR:PORT/`, with the port actually bound.
    var url: String { address.url(port: server.withLock { $0?.port } ?? address.port) }

    /// The run `index` (0-based) starts with `orchestrator`: the status describes it from now on.
    func begin(_ orchestrator: StressTestOrchestrator, index: Int) {
        state.withLock {
            $0.orchestrator = orchestrator
            $0.index = index
            $0.totals = LiveTotals(requests: scenario.requests.count)
            $0.history = []
        }
        orchestrator.registerProgressCallback { [weak self] status in self?.observe(status) }
        for event in LifecycleEvent.allCases {
            orchestrator.registerLifecycleCallback(event) { [weak self] _ in self?.publish() }
        }
    }

    /// Ends every stream with a last `end` event and stops the server. Call once, when the runs are over.
    func finish() async {
        ticker.withLock { $0 }?.cancel()
        broadcaster.finish(last: StatusBroadcaster.event(snapshot().status.json, name: "end"))
        // The streams' last events are written by their own tasks: give them a moment to go out.
        try? await Task.sleep(for: .milliseconds(200))
        let server = self.server.withLock { s -> HTTPServer? in
            defer { s = nil }
            return s
        }
        await server?.stop()
    }

    // MARK: Status

    private func observe(_ status: TestStatus) {
        if let second = status.lastSecond {
            let start = max(0, scenario.load.warmup.nanoseconds) + Int64(second.second) * 1_000_000_000
            let planned = scenario.load.model == .open ? schedule.meanLevel(from: start, to: start + 1_000_000_000) : nil
            let point = LiveStatus.ChartPoint(second: second, planned: planned)
            state.withLock { s in
                guard second.second > s.totals.lastIndex else { return }
                s.totals.add(second)
                s.history.append(point)
                if s.history.count > Self.historyLimit { s.history.removeFirst(s.history.count - Self.historyLimit) }
            }
        }
        publish()
    }

    private func publish() {
        let event = StatusBroadcaster.event(snapshot().status.json)
        state.withLock { $0.lastPublished = .now }
        broadcaster.publish(event)
    }

    /// Publishes the status when a second went by without an event (paused, starting, stopping).
    private func tick() -> Task<Void, Never> {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self else { return }
                if state.withLock({ ContinuousClock.now - $0.lastPublished >= .milliseconds(950) }) { publish() }
            }
        }
    }

    /// The status now, and the totals it was built from.
    private func snapshot() -> (status: LiveStatus, totals: LiveTotals) {
        let (orchestrator, index, totals) = state.withLock { ($0.orchestrator, $0.index, $0.totals) }
        let current = orchestrator?.currentStatus
        let state = current?.state ?? .idle
        let elapsed = current?.elapsed ?? .zero
        let loading = state == .running || state == .paused
        let status = LiveStatus(
            testId: current?.testId, scenario: scenario.name, state: state, stage: current?.stage,
            elapsedS: elapsed.seconds, plannedS: scenario.load.totalDuration.seconds, pausedS: current?.paused.seconds ?? 0,
            run: index + 1, runs: runs, model: scenario.load.model,
            targetLevel: loading ? schedule.level(at: elapsed.nanoseconds) : nil,
            stopReason: current?.stopReason ?? control.stopReason,
            lastSecond: totals.last.map(LiveStatus.Window.init(second:)), total: LiveStatus.Window(totals: totals))
        return (status, totals)
    }

    // MARK: Requests

    /// The routes and the method each takes.
    private static let routes = ["/": "GET", "/status": "GET", "/metrics": "GET", "/pause": "POST", "/resume": "POST", "/stop": "POST"]

    func handle(_ request: HTTPServer.Request) async -> HTTPServer.Response {
        guard auth.permits(request) else {
            return Self.json(401, ["error": "a valid token is needed: Authorization: Bearer <token> (or ?token= on a GET)"],
                             headers: [("www-authenticate", "Bearer")])
        }
        guard let method = Self.routes[request.path] else {
            return Self.json(404, ["error": "no such endpoint: \(request.path) (try /, /status, /metrics, /pause, /resume, /stop)"])
        }
        guard request.method == method else {
            return Self.json(405, ["error": "\(request.path) takes \(method)"], headers: [("allow", method)])
        }
        if ControlAuth.isCrossOrigin(request) {
            return Self.json(403, ["error": "a page of another origin may not control the run"])
        }
        switch request.path {
        case "/status":
            if let stream = request.query["stream"], stream == "1" || stream == "true" {
                // The chart history first, then the status: a page opened late still charts the whole run.
                let (status, history) = (snapshot().status, state.withLock { $0.history })
                let first = StatusBroadcaster.event(LiveStatus.historyJSON(testId: status.testId, points: history), name: "history")
                    + StatusBroadcaster.event(status.json)
                let events = broadcaster.subscribe(first: first)
                return HTTPServer.Response(status: 200, headers: [("content-type", "text/event-stream; charset=utf-8"),
                                                                  ("cache-control", "no-store")], body: .stream(events))
            }
            return statusResponse()
        case "/metrics":
            let (status, totals) = snapshot()
            return .text(200, ControlExposition.render(status: status, totals: totals, requestNames: scenario.requests.map(\.name)),
                         contentType: "text/plain; version=0.0.4; charset=utf-8", headers: [("cache-control", "no-store")])
        case "/pause":
            return transition(to: .paused) { try $0.pauseTest() }
        case "/resume":
            return transition(to: .running) { try $0.resumeTest() }
        case "/stop":
            return stop()
        default:
            return .text(200, dashboard(), contentType: "text/html; charset=utf-8", headers: [
                ("content-security-policy",
                 "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
                ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("cache-control", "no-store"),
            ])
        }
    }

    /// The dashboard page with the status and chart history of this moment inside, so it shows the
    /// run at once. JSON in a `<script>` element: `<`, `>` and `&` are written as `\u003c` and the
    /// like (inside JSON strings, the only place they can be), so no value can end the element.
    private func dashboard() -> String {
        let status = snapshot().status
        let history = state.withLock { $0.history }
        let initial = "{\"history\":\(LiveStatus.historyJSON(testId: status.testId, points: history)),\"status\":\(status.json)}"
        return ReportTemplates.dashboard.replacingOccurrences(of: "__STRESS_CI_INITIAL__", with: Self.scriptSafe(initial))
    }

    /// JSON that can stand inside a `<script>` element: `<`, `>` and `&` as JSON escapes.
    static func scriptSafe(_ json: String) -> String {
        json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }

    /// A pause or resume of the current run: 200 with the new status, 409 naming the state when illegal.
    private func transition(to target: RunState, _ step: (StressTestOrchestrator) throws -> Void) -> HTTPServer.Response {
        guard let orchestrator = state.withLock({ $0.orchestrator }) else { return Self.conflict(.idle, target) }
        do {
            try step(orchestrator)
        } catch let error as IllegalTransition {
            return Self.conflict(error.from, target)
        } catch {
            return Self.conflict(orchestrator.currentStatus.state, target)
        }
        return statusResponse()
    }

    /// Stops the run sequence like a signal would, but without one: the current run ends partial,
    /// its artifacts are written, and the exit code is the verdict's (README, *Exit codes*).
    private func stop() -> HTTPServer.Response {
        let (orchestrator, index) = state.withLock { ($0.orchestrator, $0.index) }
        let current = orchestrator?.currentStatus.state ?? .idle
        if control.stopReason != nil || current == .stopping || (current.isFinal && index == runs - 1) {
            return Self.conflict(current, .stopping)
        }
        control.stop(reason: Self.stopReason)
        return statusResponse()
    }

    private func statusResponse() -> HTTPServer.Response {
        .text(200, snapshot().status.json, contentType: "application/json", headers: [("cache-control", "no-store")])
    }

    private static func conflict(_ state: RunState, _ target: RunState) -> HTTPServer.Response {
        json(409, ["error": "cannot go from \(state) to \(target)", "state": state.rawValue])
    }

    private static func json(_ status: Int, _ object: [String: String], headers: [(name: String, value: String)] = []) -> HTTPServer.Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return HTTPServer.Response(status: status, headers: [("content-type", "application/json"), ("cache-control", "no-store")] + headers,
                                   body: .bytes(Array(data)))
    }
}
