import Core
import Synchronization

/// Polls registered metric sources every interval and keeps a bounded history of what they said.
///
/// Each source has its own ring buffer of `bufferSize` snapshots, so memory does not grow with run
/// length. Sources are polled concurrently; a source that throws or runs past `sourceTimeout` is
/// recorded in `warnings` and skipped for that round — collection itself never stops.
/// Snapshot times come from the injected clock, relative to when the aggregator was created.
public final class MetricsAggregator: Sendable {
    private struct Registration: Sendable {
        var category: MetricCategory
        var source: any MetricSource
    }

    private struct State: Sendable {
        var sources: [String: Registration] = [:]
        var history: [String: RingBuffer<MetricSnapshot>] = [:]
        var subscribers: [SubscriptionID: @Sendable (MetricSnapshot) -> Void] = [:]
        var nextSubscription = 0
        /// Sources whose collect has not returned yet, possibly from an abandoned earlier round.
        var busy: Set<String> = []
        var warnings = WarningLog()
        var loop: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let bufferSize: Int
    private let interval: Duration
    private let clock: any TimeSource
    private let sourceTimeout: Duration
    private let origin: Duration

    /// - Parameters:
    ///   - bufferSize: snapshots kept per source (3600 = one hour at one per second).
    ///   - aggregationInterval: time between collection rounds of `startCollection()`.
    ///   - clock: stamps each round; zero is the moment the aggregator is created.
    ///   - sourceTimeout: how long one source's collect may take before it is skipped for the round.
    public init(
        bufferSize: Int = 3600, aggregationInterval: Duration = .seconds(1),
        clock: any TimeSource = SystemTimeSource(), sourceTimeout: Duration = .seconds(2)
    ) {
        self.bufferSize = max(1, bufferSize)
        self.interval = aggregationInterval
        self.clock = clock
        self.sourceTimeout = sourceTimeout
        self.origin = clock.now()
    }

    // MARK: Sources and subscribers

    /// Adds a source, or replaces the one registered under `name` (its history is kept).
    /// For `.agents`, `name` is the agent ID that `agentMetricsHistory(_:count:)` looks up.
    public func registerMetricSource(_ name: String, category: MetricCategory, _ source: any MetricSource) {
        state.withLock { s in
            s.sources[name] = Registration(category: category, source: source)
            if s.history[name] == nil { s.history[name] = RingBuffer(capacity: bufferSize) }
        }
    }

    /// Stops polling a source; its history stays queryable.
    public func unregisterMetricSource(_ name: String) {
        _ = state.withLock { $0.sources.removeValue(forKey: name) }
    }

    /// Calls `subscriber` with every snapshot stored from now on, on the collecting task.
    /// The callback should return quickly; it must not call back into `subscribe`/`unsubscribe`
    /// expecting to affect the snapshot being delivered.
    @discardableResult
    public func subscribe(_ subscriber: @escaping @Sendable (MetricSnapshot) -> Void) -> SubscriptionID {
        state.withLock { s in
            let id = SubscriptionID(rawValue: s.nextSubscription)
            s.nextSubscription += 1
            s.subscribers[id] = subscriber
            return id
        }
    }

    public func unsubscribe(_ id: SubscriptionID) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Distinct warnings in first-seen order, e.g. "source proc-target failed: …; skipped",
    /// with "(N times)" appended when one recurred.
    public var warnings: [String] { state.withLock { $0.warnings.lines } }

    /// Now on the aggregator's clock: the time the next snapshot would carry.
    var now: Duration { clock.now() - origin }

    /// A copy of every source's history (copy-on-write: cheap until the next append).
    var history: [String: RingBuffer<MetricSnapshot>] { state.withLock { $0.history } }

    // MARK: Collection

    /// Starts a task that runs a collection round every `aggregationInterval`, the first at once.
    /// A no-op if one runs. The task keeps the aggregator alive until `stopCollection()`.
    public func startCollection() {
        state.withLock { s in
            guard s.loop == nil else { return }
            s.loop = Task { [self] in await runLoop() }
        }
    }

    /// Stops the collection task and waits for it to end (an in-flight round is cut short).
    public func stopCollection() async {
        let loop = state.withLock { s in
            defer { s.loop = nil }
            return s.loop
        }
        loop?.cancel()
        await loop?.value
    }

    private func runLoop() async {
        let wall = ContinuousClock()
        var deadline = wall.now
        while !Task.isCancelled {
            await collectOnce()
            deadline += interval
            // A round that overran skips the missed ticks instead of bursting to catch up.
            let now = wall.now
            if deadline < now { deadline = now + interval }
            do { try await Task.sleep(until: deadline, clock: wall) } catch { return }
        }
    }

    /// Runs one collection round now: every source concurrently, each bounded by `sourceTimeout`.
    /// For a final sample, call it after `stopCollection()`: while the loop runs, a source that is
    /// mid-collect is skipped (with a warning) rather than polled twice at once.
    public func collectOnce() async {
        let time = now
        // Claim each idle source; one whose previous collect never returned is skipped, so a hung
        // source costs at most one abandoned task, not one per round.
        let due = state.withLock { s in
            var due: [(String, Registration)] = []
            var stillBusy: [String] = []
            for (name, registration) in s.sources.sorted(by: { $0.key < $1.key }) {
                if s.busy.contains(name) {
                    stillBusy.append(name)
                } else {
                    s.busy.insert(name)
                    due.append((name, registration))
                }
            }
            for name in stillBusy {
                s.warnings.add("source \(name) is still running from an earlier round; skipped")
            }
            return due
        }

        await withTaskGroup(of: Void.self) { group in
            for (name, registration) in due {
                group.addTask { [self] in
                    let outcome = await Metrics.collect(registration.source, timeout: sourceTimeout) { [self] in
                        _ = state.withLock { $0.busy.remove(name) }
                    }
                    record(outcome, from: name, category: registration.category, at: time)
                }
            }
        }
    }

    private func record(_ outcome: SourceOutcome, from name: String, category: MetricCategory, at time: Duration) {
        switch outcome {
        case .values(let values):
            let snapshot = MetricSnapshot(time: time, source: name, category: category, values: values)
            let subscribers = state.withLock { s in
                s.history[name, default: RingBuffer(capacity: bufferSize)].append(snapshot)
                return s.subscribers.sorted { $0.key.rawValue < $1.key.rawValue }.map(\.value)
            }
            for subscriber in subscribers { subscriber(snapshot) }
        case .failed(let message):
            state.withLock { $0.warnings.add("source \(name) failed: \(message); skipped") }
        case .timedOut:
            state.withLock { $0.warnings.add("source \(name) timed out after \(Self.describe(sourceTimeout)); skipped") }
        case .cancelled:
            break
        }
    }

    /// "100 ms" or "2 s": short enough to read in a warning line.
    private static func describe(_ d: Duration) -> String {
        let s = d.seconds
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
