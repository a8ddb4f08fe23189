import Core
import Metrics

/// The production worker: sockets watched by its `Reactor`, the reactor's timers and the run's
/// `ScenarioClock`.
typealias LoopWorker = LoadWorker<SocketTransport, ReactorClock>

/// The load of one loop thread: its share of the arrivals (open model) or users (closed model),
/// its connections, and its own `MetricsRecorder`.
///
/// Split by concern: the open model (`+OpenModel`), the closed model (`+ClosedModel`), the
/// connection lifecycle (`+Connections`), reading and writing (`+IO`) and timeouts
/// (`+Timeouts`); this file holds the state and run control. Generic over its transport and
/// clock so tests drive it with a fake transport and a manual clock; production specializes it
/// as `LoopWorker`.
///
/// Everything here runs on its loop's thread; it is `@unchecked Sendable` only so run control
/// can hand it over with `reactor.execute`.
final class LoadWorker<T: WorkerTransport, C: WorkerClock>: @unchecked Sendable {
    typealias Connection = ClientConnection<T.Socket>

    /// Where the worker is in its run.
    enum Phase {
        /// Before `start`: the open model's connections are opening; nothing is issued.
        case preconnecting
        /// The schedule runs: arrivals (open model) or users (closed model) send.
        case issuing
        /// Issuing, but the scenario clock is frozen: nothing new goes out until `resume`.
        case paused
        /// Nothing new goes out: what is in flight finishes or times out; queued arrivals wait
        /// at most one timeout for a connection.
        case draining
        /// Every outstanding request finished and every socket is closed.
        case finished
    }

    let index: Int
    let transport: T
    let clock: C
    let config: WorkerConfig
    let recorder: MetricsRecorder
    // Everything below is touched only on the loop's thread, one access at a time: the hot
    // path skips the runtime's dynamic exclusivity checks on what it mutates through calls.
    @exclusivity(unchecked) var rng: SplitMix64
    /// Outstanding requests (queued + in flight) beyond which arrivals are dropped.
    let maxOutstanding: Int
    /// Where every socket of this loop is read into: responses are parsed in place.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Where a request with templates is rendered.
    @exclusivity(unchecked) var scratch: [UInt8] = []

    @exclusivity(unchecked) var connections: [Connection] = []
    /// Requests written (or being retried) and not yet finished.
    var inFlight = 0
    /// Connections that became ready (TCP connected, TLS handshake done), and of those the TLS
    /// handshakes that resumed a session.
    var connectionsOpened = 0
    var tlsSessionsResumed = 0
    private(set) var phase = Phase.preconnecting
    private var onFinished: [() -> Void] = []

    // Open model.
    /// The next arrival of the run this worker sends (workers take every `workerCount`-th).
    var nextArrival: Int
    var nextTime: Nanos?
    var pacer: ReactorTimer?
    @exclusivity(unchecked) var queue = ArrivalQueue()
    @exclusivity(unchecked) var idle: [Connection] = []
    var connecting = 0
    /// False once a scan found no disconnected slot; set again whenever a slot disconnects.
    var mayHaveDisconnected = true
    /// The last connect on this loop failed and none has succeeded since.
    var unreachable = false
    var drainDeadline: ReactorTimer?

    // Closed model.
    var control: RepeatingTimer?

    /// Finds requests past their deadline and connects past theirs: one repeating timer per loop
    /// rather than a timer per request.
    var timeoutSweep: RepeatingTimer?

    init(index: Int, transport: T, clock: C, config: WorkerConfig, connections: Int, maxOutstanding: Int) {
        self.index = index
        self.transport = transport
        self.clock = clock
        self.config = config
        self.recorder = MetricsRecorder(layout: config.layout)
        self.rng = SplitMix64(seed: 0x5EED_0000 &+ UInt64(index) &* 0x9E37_79B9)
        self.maxOutstanding = max(1, maxOutstanding)
        self.nextArrival = index
        self.readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        if config.model == .open {
            self.connections = (0..<max(1, connections)).map { Connection(slot: $0) }
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Outstanding requests: in flight plus queued.
    var outstanding: Int { inFlight + queue.count }

    /// Arrivals are due (open model) or users send (closed model), paused or not.
    var isIssuing: Bool { phase == .issuing || phase == .paused }

    /// Calls `body` (on the loop) once the worker stopped issuing and every outstanding request
    /// finished — at once if that already happened.
    func whenFinished(_ body: @escaping () -> Void) {
        if phase == .finished { body() } else { onFinished.append(body) }
    }

    // MARK: - Run control (on the loop)

    /// Opens the open model's connections before the clock starts; calls `completion` when
    /// every attempt finished, whatever its outcome.
    func preconnect(_ completion: @escaping () -> Void) {
        guard config.model == .open, phase != .finished else { return completion() }
        var remaining = connections.count
        for connection in connections {
            connect(connection) {
                remaining -= 1
                if remaining == 0 { completion() }
            }
        }
    }

    func start() {
        guard phase == .preconnecting else { return }
        phase = clock.isPaused ? .paused : .issuing
        let interval = Self.sweepInterval(timeout: config.timeout)
        timeoutSweep = clock.scheduleRepeated(initialDelay: interval, every: interval) { [self] in
            sweepTimeouts()
        }
        switch config.model {
        case .open:
            nextTime = config.arrivalTime(nextArrival)
            armPacer()
        case .closed:
            control = clock.scheduleRepeated(initialDelay: .zero, every: .milliseconds(10)) { [self] in
                adjustUsers()
            }
        }
    }

    /// Sends nothing new until `resume`; call after pausing the scenario clock.
    func pause() {
        if phase == .issuing { phase = .paused }
        pacer?.cancel()
        pacer = nil
    }

    /// Continues the schedule; call after resuming the scenario clock.
    func resume() {
        guard phase == .paused else { return }
        phase = .issuing
        switch config.model {
        case .open:
            armPacer()
        case .closed:
            adjustUsers()
            for user in connections where user.userState == .parked {
                user.userState = .active
                userNext(user)
            }
        }
    }

    /// Stops issuing; what is in flight finishes or times out; queued arrivals are not sent.
    func stop() {
        _ = queue.removeAll()
        endIssuing()
    }

    /// Ends the worker at once, its sockets closed and what is in flight not waited for: its
    /// loop can no longer wait for them (`Reactor.onFailure`).
    func abort() {
        _ = queue.removeAll()
        endIssuing()
        if phase != .finished { finishRun() }
    }

    // MARK: - End

    /// Nothing new goes out from now on.
    func endIssuing() {
        guard phase != .finished else { return }
        let wasIssuing = isIssuing
        phase = .draining
        pacer?.cancel()
        pacer = nil
        control?.cancel()
        control = nil
        for user in connections where user.isActiveUser { deactivate(user) }
        if wasIssuing && !queue.isEmpty { armDrainDeadline() }
        checkDone()
    }

    /// Finishes the run once nothing is issued or outstanding any more.
    func checkDone() {
        // Before `start` (pre-connect) nothing was issued yet: the phase is not `draining`.
        guard phase == .draining, inFlight == 0, queue.isEmpty else { return }
        finishRun()
    }

    /// Closes every socket and tells whoever waits that the worker is done.
    private func finishRun() {
        phase = .finished
        drainDeadline?.cancel()
        timeoutSweep?.cancel()
        timeoutSweep = nil
        for connection in connections {
            connection.thinkTask?.cancel()
            connection.completeAttempt()
            if connection.state == .connecting { connecting -= 1 }
            connection.disconnect()
        }
        idle.removeAll()
        let waiting = onFinished
        onFinished = []
        for body in waiting { body() }
    }

    // MARK: - Recording

    /// Records a request that got no response: it failed before or instead of one.
    func recordFailure(request: Int, scheduledAt: Nanos, at now: Nanos, error: ErrorClass) {
        recorder.record(request: request, scheduledAt: scheduledAt.value, sentAt: nil, finishedAt: now.value,
                        status: 0, error: error, bytesIn: 0, bytesOut: 0)
    }
}

extension LoadWorker where T == SocketTransport, C == ReactorClock {
    /// A production worker on `reactor`, connecting to `target`.
    convenience init(index: Int, reactor: Reactor, target: SocketTarget, config: WorkerConfig, clock: ScenarioClock,
                     connections: Int, maxOutstanding: Int) {
        self.init(index: index, transport: SocketTransport(target: target, reactor: reactor),
                  clock: ReactorClock(scenario: clock, reactor: reactor), config: config,
                  connections: connections, maxOutstanding: maxOutstanding)
        reactor.onEvent = { [unowned(unsafe) self] token, readiness in
            self.handle(token, readiness)
        }
    }

    /// The loop this worker runs on.
    var reactor: Reactor { clock.reactor }
}
