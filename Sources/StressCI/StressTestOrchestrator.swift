import Analysis
import Core
import Engine
import Foundation
import Metrics
import Synchronization

/// Runs a scenario through its lifecycle (docs/architecture.md, *Run states*):
/// IDLE → VALIDATING → INITIALIZING → RUNNING ⇄ PAUSED → STOPPING → COMPLETED, or FAILED.
///
/// ```swift
/// let orchestrator = StressTestOrchestrator()
/// try orchestrator.loadScenario(path: "perf/checkout.yaml")
/// let run = try await orchestrator.startTest()
/// print(run.criteriaPassed)
/// ```
/// `pauseTest`, `resumeTest` and `stopTest` may be called from any thread while `startTest` runs.
/// An illegal transition (pausing a run that is not running, say) throws `IllegalTransition`.
public final class StressTestOrchestrator: Sendable {
    /// Builds the target session and load driver for a scenario when `setComponents` was not called.
    public typealias ComponentFactory = @Sendable (Scenario) async throws -> (TargetSession, LoadDriver)

    private struct State {
        var machine = RunStateMachine()
        var scenario: Scenario?
        /// The scenario's stage windows, for the stage a status names.
        var layout: MetricsLayout?
        /// The run id, set when the run starts (`RunID`).
        var testId: String?
        var target: TargetSession?
        var driver: LoadDriver?
        var factory: ComponentFactory?
        var injector: FailureInjector?
        var callbacks: [LifecycleEvent: [@Sendable (TestStatus) -> Void]] = [:]
        var progress: [@Sendable (TestStatus) -> Void] = []
        var runStart: Duration?
        var pausedSince: Duration?
        var pausedTotal: Duration = .zero
        var pauses: [PauseWindow] = []
        /// The measured seconds so far, kept only when an abort criterion needs the series.
        var seconds: [SecondStats] = []
        var lastSecond: SecondStats?
        var requests = 0
        var errors = 0
        var stopReason: String?
        var failure: String?
        /// Building the target and driver (the readiness wait among it); a stop cancels it.
        var initialization: Task<(TargetSession, LoadDriver), any Error>?
    }

    private let clock: any TimeSource
    private let state = Mutex(State())

    /// - Parameter clock: the time source for elapsed time and the timeline (a manual one in tests).
    public init(clock: any TimeSource = SystemTimeSource()) {
        self.clock = clock
    }

    // MARK: Set-up

    /// Reads and validates a scenario file (IDLE → VALIDATING). Throws `StressError` with every problem found.
    @discardableResult
    public func loadScenario(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Scenario {
        try move(to: .validating, reason: path)
        do {
            let scenario = try ScenarioLoader(environment: environment).load(path: path)
            state.withLock {
                $0.scenario = scenario
                $0.layout = scenario.metricsLayout
            }
            return scenario
        } catch {
            fail(error)
            throw error
        }
    }

    /// Takes a scenario built in code (IDLE → VALIDATING).
    public func loadScenario(_ scenario: Scenario) throws {
        try move(to: .validating, reason: scenario.name)
        state.withLock {
            $0.scenario = scenario
            $0.layout = scenario.metricsLayout
        }
    }

    /// Supplies the target session and load driver instead of the defaults built from the
    /// scenario, and the failure injector instead of the built-in one (README, *Failure injection*).
    public func setComponents(target: TargetSession, driver: LoadDriver, failureInjector: FailureInjector? = nil) {
        state.withLock {
            $0.target = target
            $0.driver = driver
            if let failureInjector { $0.injector = failureInjector }
        }
    }

    /// Supplies the failure injector for the scenario's faults. Without one, a scenario with faults
    /// gets `BuiltInFailureInjector` (the fault proxy and the process faults).
    public func setFailureInjector(_ injector: FailureInjector) {
        state.withLock { $0.injector = injector }
    }

    /// Supplies a factory that builds the target session and driver once the run initializes.
    public func setComponentFactory(_ factory: @escaping ComponentFactory) {
        state.withLock { $0.factory = factory }
    }

    /// Calls `callback` each time `event` happens.
    public func registerLifecycleCallback(_ event: LifecycleEvent, _ callback: @escaping @Sendable (TestStatus) -> Void) {
        state.withLock { $0.callbacks[event, default: []].append(callback) }
    }

    /// Calls `callback` once per measured second with the run's status (for live progress).
    public func registerProgressCallback(_ callback: @escaping @Sendable (TestStatus) -> Void) {
        state.withLock { $0.progress.append(callback) }
    }

    // MARK: Control

    /// Runs the test to its end: initializes the target, drives the load, evaluates the criteria.
    /// Returns the run's outcome; throws (and moves to FAILED) when the run could not be carried out,
    /// `RunStopped` when `stopTest` came before the load started.
    public func startTest() async throws -> TestRun {
        let (scenario, presetTarget, presetDriver, factory, chosenInjector) = try state.withLock {
            s throws -> (Scenario, TargetSession?, LoadDriver?, ComponentFactory?, FailureInjector?) in
            guard let scenario = s.scenario else { throw StressError(.usage, "no scenario loaded", hint: "call loadScenario first") }
            return (scenario, s.target, s.driver, s.factory, s.injector)
        }
        let injector = chosenInjector ?? (scenario.faults.isEmpty ? nil : BuiltInFailureInjector())
        let startedAt = Date()
        let testId = RunID.make(date: startedAt, scenarioName: scenario.name)
        state.withLock { $0.testId = testId }
        try move(to: .initializing)
        var target = presetTarget
        do {
            let driver: LoadDriver
            if let presetDriver, let presetTarget {
                driver = presetDriver
                target = presetTarget
            } else if let factory {
                // A stop while the target starts (a signal during the readiness wait) cancels
                // the start at once; what it launched is stopped by the factory's own clean-up.
                let task = Task { try await factory(scenario) }
                let stoppedMeanwhile = state.withLock { s -> Bool in
                    s.initialization = task
                    return s.machine.state == .stopping
                }
                if stoppedMeanwhile { task.cancel() }
                let built: (TargetSession, LoadDriver)
                do {
                    built = try await task.value
                } catch {
                    if let reason = state.withLock({ $0.machine.state == .stopping ? $0.stopReason : nil }) {
                        throw RunStopped(reason: reason)
                    }
                    throw error
                }
                target = built.0
                driver = built.1
                state.withLock {
                    $0.initialization = nil
                    $0.target = built.0
                    $0.driver = built.1
                }
            } else {
                throw StressError(.usage, "no load driver", hint: "call setComponents or setComponentFactory before startTest")
            }
            // A stop that arrived while initializing ends the run before any load: nothing was
            // measured, so there is no run to report.
            if let reason = state.withLock({ $0.machine.state == .stopping ? $0.stopReason : nil }) {
                throw RunStopped(reason: reason)
            }
            if let injector, let target {
                if let route = try await injector.prepare(scenario: scenario, target: target), !driver.route(through: route) {
                    throw StressError(.usage, "the load driver cannot be routed through the fault proxy",
                                      hint: "implement LoadDriver.route(through:), or use a failure injector that needs no route")
                }
            }
            let monitor = target.map { RunMonitor(scenario: scenario, target: $0, generatorThreads: driver.threads) }
            state.withLock { $0.runStart = clock.now() }
            monitor?.start()
            try move(to: .running)
            injector?.start(clock: driver.scenarioClock ?? { [weak self] in self?.currentStatus.elapsed ?? .zero })
            let metrics: RunMetrics
            do {
                metrics = try await driver.run { [weak self] second in self?.observe(second) }
            } catch {
                _ = await injector?.finish()
                _ = await monitor?.finish()
                throw error
            }
            let injected = await injector?.finish() ?? []
            let report = await monitor?.finish() ?? .empty
            if state.withLock({ $0.machine.state == .running || $0.machine.state == .paused }) {
                try move(to: .stopping, reason: "end of schedule")
            }
            await target?.shutdown()
            let results = CriteriaEvaluator.evaluate(scenario.criteria, metrics: metrics, prom: PromSeries(samples: report.prometheus),
                                                     faults: scenario.faultWindows(injected))
            try move(to: .completed)
            return state.withLock { s in
                TestRun(
                    testId: testId, scenario: scenario, metrics: metrics, criteria: results, history: s.machine.history,
                    pauses: s.pauses, stopReason: s.stopReason, startedAt: startedAt, endedAt: Date(),
                    targetAddress: target?.address ?? "", monitoring: report, faults: injected)
            }
        } catch {
            await target?.shutdown()
            fail(error)
            throw error
        }
    }

    /// Pauses the load (RUNNING → PAUSED). Paused time is excluded from every statistic.
    public func pauseTest() throws {
        try move(to: .paused)
        let driver = state.withLock { s -> LoadDriver? in
            s.pausedSince = clock.now()
            return s.driver
        }
        driver?.pause()
    }

    /// Resumes the load (PAUSED → RUNNING).
    public func resumeTest() throws {
        try move(to: .running)
        let driver = state.withLock { s -> LoadDriver? in
            if let since = s.pausedSince {
                let now = clock.now()
                s.pausedTotal += now - since
                s.pauses.append(PauseWindow(start: since - (s.runStart ?? .zero), end: now - (s.runStart ?? .zero)))
                s.pausedSince = nil
            }
            return s.driver
        }
        driver?.resume()
    }

    /// Stops the run gracefully (→ STOPPING): in-flight requests get their timeout, the result is kept and marked partial.
    public func stopTest(reason: String = "stopped") throws {
        try move(to: .stopping, reason: reason)
        let (driver, initialization) = state.withLock { s -> (LoadDriver?, Task<(TargetSession, LoadDriver), any Error>?) in
            s.stopReason = s.stopReason ?? reason
            if let since = s.pausedSince {
                let now = clock.now()
                s.pausedTotal += now - since
                s.pauses.append(PauseWindow(start: since - (s.runStart ?? .zero), end: now - (s.runStart ?? .zero)))
                s.pausedSince = nil
            }
            return (s.driver, s.initialization)
        }
        initialization?.cancel()
        driver?.resume()
        driver?.stop()
    }

    /// Ends a stopped run by hand: COMPLETED when `success`, FAILED otherwise. `startTest` calls this itself;
    /// it is for callers driving the lifecycle without `startTest`.
    public func completeTest(success: Bool) throws {
        if success {
            try move(to: .completed)
        } else {
            try move(to: .failed, reason: "completed without success")
        }
    }

    /// The run's state now.
    public var currentStatus: TestStatus {
        state.withLock { status(of: $0) }
    }

    // MARK: Internals

    private func observe(_ second: SecondStats) {
        let (scenario, seconds, elapsed, current, progress) = state.withLock { s -> (Scenario?, [SecondStats], Duration, TestStatus, [@Sendable (TestStatus) -> Void]) in
            if s.scenario?.criteria.contains(where: \.abort) == true { s.seconds.append(second.withoutHistograms) }
            s.lastSecond = second
            s.requests += second.overall.counters.requests
            s.errors += second.overall.counters.errors.total
            return (s.scenario, s.seconds, elapsedLocked(s), status(of: s), s.progress)
        }
        for callback in progress { callback(current) }
        guard let scenario, scenario.criteria.contains(where: \.abort) else { return }
        let layout = scenario.metricsLayout
        for criterion in scenario.criteria where criterion.abort {
            guard let result = CriteriaEvaluator.evaluateLive(criterion, seconds: seconds, layout: layout, elapsed: elapsed),
                !result.passed
            else { continue }
            try? stopTest(reason: "abort: \(criterion.source) (\(result.measuredText))")
            return
        }
    }

    private func elapsedLocked(_ s: State) -> Duration {
        guard let start = s.runStart else { return .zero }
        let now = clock.now()
        let paused = s.pausedTotal + (s.pausedSince.map { now - $0 } ?? .zero)
        return now - start - paused
    }

    private func status(of s: State) -> TestStatus {
        let elapsed = elapsedLocked(s)
        let paused = s.pausedTotal + (s.pausedSince.map { clock.now() - $0 } ?? .zero)
        let stage = s.runStart == nil ? nil : s.layout.map { layout in
            layout.stages[layout.stageIndex(at: elapsed.nanoseconds)].name
        }
        return TestStatus(
            testId: s.testId, state: s.machine.state, scenarioName: s.scenario?.name, stage: stage, elapsed: elapsed,
            planned: s.scenario?.load.totalDuration ?? .zero, paused: paused, lastSecond: s.lastSecond,
            requests: s.requests, errors: s.errors, stopReason: s.stopReason, failure: s.failure)
    }

    private func move(to next: RunState, reason: String? = nil) throws(IllegalTransition) {
        let (current, callbacks) = try state.withLock { s throws(IllegalTransition) -> (TestStatus, [@Sendable (TestStatus) -> Void]) in
            let from = s.machine.state
            try s.machine.transition(to: next, at: s.runStart.map { clock.now() - $0 } ?? .zero, reason: reason)
            let event: LifecycleEvent? =
                switch next {
                case .running: from == .paused ? .onResume : .onStart
                case .paused: .onPause
                case .stopping: .onStop
                case .completed: .onComplete
                case .failed: .onError
                default: nil
                }
            return (status(of: s), event.map { s.callbacks[$0] ?? [] } ?? [])
        }
        for callback in callbacks { callback(current) }
    }

    private func fail(_ error: any Error) {
        state.withLock { $0.failure = "\(error)" }
        try? move(to: .failed, reason: "\(error)")
    }

}

/// The run was stopped (`stopTest`, a signal) before its load started: nothing was measured.
public struct RunStopped: Error, Sendable, CustomStringConvertible {
    /// Why it was stopped (`SIGINT`, …).
    public var reason: String
    public var description: String { "stopped before the load started (\(reason))" }
}

/// What a finished run produced: the measurements, the criteria's verdicts, and the timeline.
public struct TestRun: Sendable {
    /// The run id (`YYYYMMDD_HHMMSS_<scenario>`, UTC, from `startedAt`); the store appends `-N`
    /// when it is taken.
    public var testId: String
    public var scenario: Scenario
    public var metrics: RunMetrics
    public var criteria: [CriterionResult]
    public var history: [RunStateMachine.Change]
    public var pauses: [PauseWindow]
    /// Set when the run stopped before the end of its schedule; the result is then partial.
    public var stopReason: String?
    public var startedAt: Date
    public var endedAt: Date
    public var targetAddress: String
    /// Host, generator and target samples, target metrics, and warnings (e.g. a saturated generator).
    public var monitoring: MonitorReport
    /// What each of the scenario's faults did, in the scenario's order (empty without faults).
    public var faults: [InjectedFault] = []

    public var isPartial: Bool { stopReason != nil }
    public var criteriaPassed: Bool { criteria.allSatisfy(\.passed) }
}
