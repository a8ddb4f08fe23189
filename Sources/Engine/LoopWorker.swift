import Core
import Metrics
import NIOCore
import NIOPosix
import NIOSSL

/// What every worker of a run shares: the profile, the requests, where to connect, and limits.
struct WorkerConfig: Sendable {
    var model: LoadModel
    var schedule: ArrivalSchedule
    var requests: [PreparedRequest]
    var mix: RequestMix
    var address: SocketAddress
    var tlsContext: NIOSSLContext?
    /// SNI name (nil for IP literals).
    var serverHostname: String?
    var timeout: Int64
    var think: Int64
    var keepalive: Bool
    var workerCount: Int
    var layout: MetricsLayout
    /// How long a failed connect waits before the slot tries again.
    var connectBackoff: Int64 = 100_000_000
    /// Plain-HTTP requests go straight to the socket (`DirectSocket`); off only to test the
    /// NIO path.
    var directSends = true
}

/// The load of one event loop: its share of the arrivals (open model) or users (closed model),
/// its connections, and its own `MetricsRecorder`.
///
/// Everything here runs on `loop`; it is `@unchecked Sendable` only so NIO's callbacks can carry
/// it. Run control reaches it through `loop.execute`.
final class LoopWorker: @unchecked Sendable {
    let index: Int
    let loop: EventLoop
    let config: WorkerConfig
    let clock: ScenarioClock
    let recorder: MetricsRecorder
    // Everything below is touched only on `loop`, one access at a time: the hot path skips the
    // runtime's dynamic exclusivity checks on what it mutates through calls.
    @exclusivity(unchecked) private var rng: SplitMix64
    private let allocator = ByteBufferAllocator()
    /// Outstanding requests (queued + in flight) beyond which arrivals are dropped.
    private let maxOutstanding: Int

    @exclusivity(unchecked) private(set) var connections: [ClientConnection] = []
    /// Requests written (or being retried) and not yet finished.
    private(set) var inFlight = 0
    private var issuing = false
    private var started = false
    private var stopping = false
    private var paused = false
    private var finished = false
    private let done: EventLoopPromise<Void>

    // Open model.
    private var nextArrival: Int
    private var nextTime: Int64?
    private var pacer: Scheduled<Void>?
    @exclusivity(unchecked) private var queue = ArrivalQueue()
    @exclusivity(unchecked) private var idle: [ClientConnection] = []
    private var connecting = 0
    /// False once a scan found no disconnected slot; set again whenever a slot disconnects.
    private var mayHaveDisconnected = true
    /// The last connect on this loop failed and none has succeeded since.
    private var unreachable = false
    private var drainDeadline: Scheduled<Void>?

    // Closed model.
    private var control: RepeatedTask?

    /// Finds requests past their deadline: one repeated task per loop rather than a timer per
    /// request.
    private var timeoutSweep: RepeatedTask?

    init(index: Int, loop: EventLoop, config: WorkerConfig, clock: ScenarioClock, connections: Int, maxOutstanding: Int) {
        self.index = index
        self.loop = loop
        self.config = config
        self.clock = clock
        self.recorder = MetricsRecorder(layout: config.layout)
        self.rng = SplitMix64(seed: 0x5EED_0000 &+ UInt64(index) &* 0x9E37_79B9)
        self.maxOutstanding = max(1, maxOutstanding)
        self.nextArrival = index
        self.done = loop.makePromise(of: Void.self)
        if config.model == .open {
            self.connections = (0..<max(1, connections)).map { ClientConnection(slot: $0) }
        }
    }

    /// Outstanding requests: in flight plus queued.
    var outstanding: Int { inFlight + queue.count }

    /// Succeeds when the worker stopped issuing and every outstanding request finished.
    var finishedFuture: EventLoopFuture<Void> { done.futureResult }

    // MARK: - Run control (on the loop)

    /// Opens the open model's connections before the clock starts; completes when every attempt
    /// finished, whatever its outcome.
    func preconnect() -> EventLoopFuture<Void> {
        loop.assertInEventLoop()
        guard config.model == .open else { return loop.makeSucceededVoidFuture() }
        let futures = connections.map { connection -> EventLoopFuture<Void> in
            let promise = loop.makePromise(of: Void.self)
            connect(connection, completion: promise)
            return promise.futureResult
        }
        return EventLoopFuture.andAllComplete(futures, on: loop)
    }

    func start() {
        loop.assertInEventLoop()
        issuing = true
        started = true
        paused = clock.isPaused
        let interval = Self.sweepInterval(timeout: config.timeout)
        timeoutSweep = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            sweepTimeouts()
        }
        switch config.model {
        case .open:
            nextTime = config.schedule.arrivalTime(nextArrival)
            armPacer()
        case .closed:
            control = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(10)) { [self] _ in
                adjustUsers()
            }
        }
    }

    func pause() {
        loop.assertInEventLoop()
        paused = true
        pacer?.cancel()
        pacer = nil
    }

    func resume() {
        loop.assertInEventLoop()
        paused = false
        guard issuing else { return }
        switch config.model {
        case .open:
            armPacer()
        case .closed:
            adjustUsers()
            for user in connections where user.parked {
                user.parked = false
                userNext(user)
            }
        }
    }

    /// Stops issuing; what is in flight finishes or times out; queued arrivals are not sent.
    func stop() {
        loop.assertInEventLoop()
        stopping = true
        _ = queue.removeAll()
        endIssuing()
    }

    // MARK: - Open model

    private func armPacer() {
        pacer = nil
        guard issuing, !paused, !clock.isPaused else { return }
        let now = clock.now()
        while let due = nextTime, due <= now {
            dispatch(Arrival(request: config.mix.pick(using: &rng), scheduledAt: due))
            nextArrival += config.workerCount
            nextTime = config.schedule.arrivalTime(nextArrival)
        }
        guard issuing else { return }
        // After the last arrival the run still lasts until the end of the stages.
        let wake = nextTime ?? config.schedule.duration
        if wake <= now {
            endIssuing()
            return
        }
        pacer = loop.scheduleTask(in: .nanoseconds(wake - now)) { [self] in armPacer() }
    }

    private func dispatch(_ arrival: Arrival) {
        if outstanding >= maxOutstanding {
            recorder.recordDropped(request: arrival.request, scheduledAt: arrival.scheduledAt)
            return
        }
        if let connection = idle.popLast() {
            inFlight += 1
            send(arrival, on: connection, retried: false)
            return
        }
        if unreachable {
            // The target refuses connections: fail now rather than queue behind doomed connects.
            let now = clock.now()
            recorder.record(request: arrival.request, scheduledAt: arrival.scheduledAt, sentAt: nil, finishedAt: now,
                            status: 0, error: .connect, bytesIn: 0, bytesOut: 0)
            connectIdleSlots(wanted: 1)
            return
        }
        queue.append(arrival)
        connectIdleSlots(wanted: queue.count)
    }

    /// Starts connects on disconnected slots until `wanted` are under way.
    private func connectIdleSlots(wanted: Int) {
        guard connecting < wanted, mayHaveDisconnected else { return }
        for connection in connections where connection.state == .disconnected {
            connect(connection, completion: nil)
            if connecting >= wanted { return }
        }
        mayHaveDisconnected = false
    }

    /// A connection of the open model has nothing in flight: it takes the next queued arrival.
    private func release(_ connection: ClientConnection, now: Int64 = -1) {
        connection.state = .idle
        if let pending = connection.pending {
            connection.pending = nil
            send(pending.arrival, on: connection, retried: pending.sentBefore, now: now)
        } else if let next = queue.popFirst() {
            inFlight += 1
            send(next, on: connection, retried: false, now: now)
        } else {
            idle.append(connection)
        }
    }

    private func failQueued(_ error: ErrorClass) {
        let now = clock.now()
        for arrival in queue.removeAll() {
            recorder.record(request: arrival.request, scheduledAt: arrival.scheduledAt, sentAt: nil, finishedAt: now,
                            status: 0, error: error, bytesIn: 0, bytesOut: 0)
        }
    }

    // MARK: - Closed model

    /// Brings the number of active users on this loop to the profile's level.
    private func adjustUsers() {
        guard issuing, !paused, !clock.isPaused else { return }
        let now = clock.now()
        if now >= config.schedule.duration {
            endIssuing()
            return
        }
        let total = config.schedule.users(at: now)
        let w = config.workerCount
        let mine = total > index ? (total - index + w - 1) / w : 0
        while connections.count < mine { connections.append(ClientConnection(slot: connections.count)) }
        for (i, user) in connections.enumerated() {
            if i < mine && !user.active {
                user.active = true
                userNext(user)
            } else if i >= mine && user.active {
                deactivate(user)
            }
        }
    }

    private func deactivate(_ user: ClientConnection) {
        user.active = false
        user.parked = false
        user.thinkTask?.cancel()
        user.thinkTask = nil
    }

    /// A user's next step: send when connected, connect when not, wait when paused.
    private func userNext(_ user: ClientConnection, now: Int64 = -1) {
        guard user.active, issuing, user.current == nil else { return }
        if paused {
            user.parked = true
            return
        }
        switch user.state {
        case .idle:
            let now = now >= 0 ? now : clock.now()
            guard now < config.schedule.duration else { return endIssuing() }
            inFlight += 1
            send(Arrival(request: config.mix.pick(using: &rng), scheduledAt: now), on: user, retried: false, now: now)
        case .disconnected:
            connect(user, completion: nil)
        case .connecting, .busy, .backoff:
            break
        }
    }

    /// A user's request finished: think, then go again.
    private func userFinished(_ user: ClientConnection, now: Int64 = -1) {
        guard user.active, issuing else { return }
        if config.think > 0 {
            user.thinkTask = loop.scheduleTask(in: .nanoseconds(config.think)) { [self] in
                user.thinkTask = nil
                userNext(user)
            }
        } else {
            userNext(user, now: now)
        }
    }

    // MARK: - Connections

    private func connect(_ connection: ClientConnection, completion: EventLoopPromise<Void>?) {
        connection.generation += 1
        let generation = connection.generation
        connection.state = .connecting
        connection.connectStartedAt = clock.now()
        connecting += 1
        let config = self.config
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(min(config.timeout, 10_000_000_000)))
            .channelInitializer { [self] channel in
                do {
                    if let tls = config.tlsContext {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: config.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(ClientHandler(worker: self, connection: connection, generation: generation))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        if let completion {
            // Completed when the attempt ends either way (TLS: after the handshake).
            connection.attempt = completion
        }
        bootstrap.connect(to: config.address).whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard connection.generation == generation else {
                    channel.close(promise: nil)
                    return
                }
                connection.channel = channel
                if config.tlsContext == nil {
                    ready(connection, generation: generation, channel: channel)
                }
            case .failure:
                if connection.generation == generation, connection.state == .connecting { connectFailed(connection) }
            }
        }
    }

    /// The connection can carry requests (TCP connected; TLS handshake done).
    func ready(_ connection: ClientConnection, generation: Int, channel: Channel) {
        guard connection.generation == generation, connection.state == .connecting else { return }
        connecting -= 1
        unreachable = false
        connection.channel = channel
        // Found once per connection, here: for the open model that is before the clock starts
        // (pre-connect), so the reflection never delays a scheduled send. A channel used once
        // (keepalive: false) is not worth it.
        connection.fd = config.tlsContext == nil && config.directSends && config.keepalive ? DirectSocket.descriptor(of: channel) : -1
        connection.requestsOnChannel = 0
        connection.state = .idle
        connection.idleSince = clock.now()
        connection.attempt?.succeed()
        connection.attempt = nil
        if finished {
            connection.dropChannel()
            return
        }
        if let pending = connection.pending {
            connection.pending = nil
            send(pending.arrival, on: connection, retried: pending.sentBefore)
            return
        }
        switch config.model {
        case .open:
            release(connection)
        case .closed:
            userNext(connection)
        }
    }

    private func connectFailed(_ connection: ClientConnection) {
        connecting -= 1
        connection.generation += 1
        connection.channel = nil
        connection.fd = -1
        connection.state = .backoff
        connection.attempt?.succeed()
        connection.attempt = nil
        let now = clock.now()
        if let pending = connection.pending {
            connection.pending = nil
            inFlight -= 1
            recorder.record(request: pending.arrival.request, scheduledAt: pending.arrival.scheduledAt, sentAt: nil,
                            finishedAt: now, status: 0, error: .connect, bytesIn: 0, bytesOut: 0)
        } else if config.model == .closed && connection.active && issuing {
            // The user's next request could not get a connection.
            recorder.record(request: config.mix.pick(using: &rng), scheduledAt: connection.connectStartedAt, sentAt: nil,
                            finishedAt: now, status: 0, error: .connect, bytesIn: 0, bytesOut: 0)
        }
        if config.model == .open {
            unreachable = true
            failQueued(.connect)
        }
        loop.scheduleTask(in: .nanoseconds(config.connectBackoff)) { [self] in
            guard connection.state == .backoff else { return }
            connection.state = .disconnected
            mayHaveDisconnected = true
            if finished { return }
            switch config.model {
            case .open:
                if !queue.isEmpty { connectIdleSlots(wanted: queue.count) }
            case .closed:
                userNext(connection)
            }
        }
        checkDone()
    }

    /// - Parameter now: the scenario time if the caller just read it (-1: read it here).
    private func send(_ arrival: Arrival, on connection: ClientConnection, retried: Bool, now: Int64 = -1) {
        guard let channel = connection.channel else {
            // Cannot happen for an idle connection; keep the request rather than lose it.
            connection.pending = (arrival, retried)
            connect(connection, completion: nil)
            return
        }
        let now = now >= 0 ? now : clock.now()
        let request = config.requests[arrival.request]
        let bytes = request.encode(allocator: allocator, using: &rng)
        connection.parser.reset(expectsBody: request.expectsBody, captureBody: request.bodyNeedle != nil)
        connection.state = .busy
        connection.requestsOnChannel += 1
        var arrival = arrival
        let sentAt: Int64
        switch config.model {
        case .open:
            sentAt = now
            if !retried { recorder.recordSendLag(scheduledAt: arrival.scheduledAt, sentAt: sentAt) }
        case .closed:
            // A user's request starts when it is sent: latency is service time.
            sentAt = retried ? now : arrival.scheduledAt
        }
        arrival.scheduledAt = min(arrival.scheduledAt, sentAt)
        // A channel opened for this very request and used at once cannot have been closed as idle.
        let satIdle = now - connection.idleSince >= 1_000_000
        connection.current = ClientConnection.InFlight(
            arrival: arrival, sentAt: sentAt, bytesOut: bytes.readableBytes, retried: retried,
            reused: connection.requestsOnChannel > 1 || satIdle, deadline: now + config.timeout)
        // The fast path: straight to the socket while the channel is open (a closed channel's
        // descriptor number may already belong to another socket).
        var sent = 0
        if connection.fd >= 0 && channel.isActive && DirectSocket.send(bytes, on: connection.fd, sent: &sent) { return }
        if sent > 0 {
            var rest = bytes
            rest.moveReaderIndex(forwardBy: sent)
            channel.writeAndFlush(rest, promise: nil)
        } else {
            channel.writeAndFlush(bytes, promise: nil)
        }
    }

    func received(_ connection: ClientConnection, generation: Int, buffer: inout ByteBuffer) {
        guard connection.generation == generation, let request = connection.current?.arrival.request else { return }
        switch connection.parser.feed(&buffer) {
        case .incomplete:
            return
        case .invalid:
            finish(connection, status: 0, error: .reset)
            connection.dropChannel()
            afterClose(connection)
        case .complete(let response):
            let now = clock.now()
            let error = config.requests[request].classify(status: response.status, body: response.body).errorClass
            finish(connection, status: response.status, error: error, now: now)
            if response.close || !config.keepalive {
                connection.dropChannel()
                afterClose(connection)
            } else {
                afterResponse(connection, now: now)
            }
        }
    }

    func closed(_ connection: ClientConnection, generation: Int) {
        guard connection.generation == generation else { return }
        connection.generation += 1
        connection.channel = nil
        connection.fd = -1
        mayHaveDisconnected = true
        switch connection.state {
        case .connecting:
            connectFailed(connection)
        case .idle:
            // The server closed an idle keep-alive connection: reconnect when needed.
            connection.state = .disconnected
            connection.requestsOnChannel = 0
            if let i = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: i) }
            if config.model == .open && !queue.isEmpty { connectIdleSlots(wanted: queue.count) }
        case .busy:
            connection.state = .disconnected
            connection.requestsOnChannel = 0
            if case .complete(let response) = connection.parser.finishAtClose() {
                let outcome = config.requests[connection.current?.arrival.request ?? 0].classify(status: response.status, body: response.body)
                finish(connection, status: response.status, error: outcome.errorClass)
                afterClose(connection)
            } else if let current = connection.current, current.reused, !current.retried, connection.parser.bytesReceived == 0 {
                // A keep-alive connection closed under a request it never answered: the server
                // closed it as idle while we wrote. Retry once on a fresh connection.
                connection.current = nil
                connection.pending = (current.arrival, true)
                connect(connection, completion: nil)
            } else {
                finish(connection, status: 0, error: .reset)
                afterClose(connection)
            }
        case .disconnected, .backoff:
            break
        }
    }

    /// How often the sweep looks for timed-out requests: a tenth of the timeout, between 1 ms and
    /// 100 ms, so a timeout fires at most 10% (and 100 ms) late.
    static func sweepInterval(timeout: Int64) -> TimeAmount {
        .nanoseconds(min(100_000_000, max(1_000_000, timeout / 10)))
    }

    private func sweepTimeouts() {
        let now = clock.now()
        for connection in connections {
            guard let current = connection.current, current.deadline <= now else { continue }
            finish(connection, status: 0, error: .timeout)
            connection.dropChannel()
            afterClose(connection)
        }
    }

    /// Records the request on `connection` as finished.
    private func finish(_ connection: ClientConnection, status: Int, error: ErrorClass?, now: Int64 = -1) {
        guard let current = connection.current else { return }
        connection.current = nil
        inFlight -= 1
        let now = now >= 0 ? now : clock.now()
        recorder.record(request: current.arrival.request, scheduledAt: current.arrival.scheduledAt, sentAt: current.sentAt,
                        finishedAt: now, status: status, error: error,
                        bytesIn: connection.parser.bytesReceived, bytesOut: current.bytesOut)
    }

    /// The connection is still open and free.
    private func afterResponse(_ connection: ClientConnection, now: Int64) {
        connection.state = .idle
        connection.idleSince = now
        switch config.model {
        case .open:
            release(connection, now: now)
        case .closed:
            userFinished(connection, now: now)
        }
        checkDone()
    }

    /// The connection was closed after its request finished.
    private func afterClose(_ connection: ClientConnection) {
        mayHaveDisconnected = true
        switch config.model {
        case .open:
            if !queue.isEmpty && !finished { connectIdleSlots(wanted: queue.count) }
        case .closed:
            userFinished(connection)
        }
        checkDone()
    }

    // MARK: - End

    private func endIssuing() {
        let wasIssuing = issuing
        issuing = false
        pacer?.cancel()
        pacer = nil
        control?.cancel()
        control = nil
        for user in connections where user.active { deactivate(user) }
        if wasIssuing && !queue.isEmpty && drainDeadline == nil {
            // Queued arrivals get at most one timeout after the end to find a connection.
            drainDeadline = loop.scheduleTask(in: .nanoseconds(config.timeout)) { [self] in
                failQueued(.timeout)
                checkDone()
            }
        }
        checkDone()
    }

    private func checkDone() {
        guard !issuing, !finished, inFlight == 0, queue.isEmpty else { return }
        // Before `start` (pre-connect), nothing was issued yet.
        guard started || stopping else { return }
        finished = true
        drainDeadline?.cancel()
        timeoutSweep?.cancel()
        timeoutSweep = nil
        for connection in connections {
            connection.thinkTask?.cancel()
            connection.attempt?.succeed()
            connection.attempt = nil
            connection.dropChannel()
        }
        idle.removeAll()
        done.succeed()
    }

    /// Completes the run's promise if it never started (setup failed).
    func abandon() {
        loop.assertInEventLoop()
        issuing = false
        stopping = true
        _ = queue.removeAll()
        pacer?.cancel()
        control?.cancel()
        checkDone()
    }
}
