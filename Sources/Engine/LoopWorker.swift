#if canImport(Glibc)
import Glibc
#endif
import Core
import Metrics

/// Where the workers connect: a resolved socket address, kept as the kernel wants it.
final class ConnectAddress: @unchecked Sendable {
    private var storage = sockaddr_storage()
    let length: socklen_t

    /// Copies `length` bytes of a `sockaddr`.
    init(_ address: UnsafeRawPointer, length: Int) {
        let count = min(length, MemoryLayout<sockaddr_storage>.size)
        self.length = socklen_t(count)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: count)) }
    }

    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}

/// What every worker of a run shares: the profile, the requests, where to connect, and limits.
struct WorkerConfig: Sendable {
    var model: LoadModel
    var schedule: ArrivalSchedule
    var requests: [PreparedRequest]
    var mix: RequestMix
    var address: ConnectAddress
    var tls: TLSClientContext?
    /// SNI name (nil for IP literals).
    var serverHostname: String?
    /// The name (or IP address) the certificate must carry, when verifying.
    var verifyHost: String?
    var verifyHostIsIP = false
    var timeout: Int64
    var think: Int64
    var keepalive: Bool
    var workerCount: Int
    var layout: MetricsLayout
    /// How long a failed connect waits before the slot tries again.
    var connectBackoff: Int64 = 100_000_000
    /// How long a connect (with TLS: and its handshake) may take.
    var connectTimeout: Int64 { min(timeout, 10_000_000_000) }
}

/// The load of one reactor thread: its share of the arrivals (open model) or users (closed
/// model), its connections, and its own `MetricsRecorder`.
///
/// Everything here runs on `reactor`'s thread; it is `@unchecked Sendable` only so run control
/// can hand it over with `reactor.execute`.
final class LoopWorker: @unchecked Sendable {
    let index: Int
    let reactor: Reactor
    let config: WorkerConfig
    let clock: ScenarioClock
    let recorder: MetricsRecorder
    // Everything below is touched only on the reactor's thread, one access at a time: the hot
    // path skips the runtime's dynamic exclusivity checks on what it mutates through calls.
    @exclusivity(unchecked) private var rng: SplitMix64
    /// Outstanding requests (queued + in flight) beyond which arrivals are dropped.
    private let maxOutstanding: Int
    /// Where every socket of this loop is read into: responses are parsed in place.
    private let readBuffer: UnsafeMutableRawBufferPointer
    /// Where a request with templates is rendered.
    @exclusivity(unchecked) private var scratch: [UInt8] = []

    @exclusivity(unchecked) private(set) var connections: [ClientConnection] = []
    /// Requests written (or being retried) and not yet finished.
    private(set) var inFlight = 0
    /// Connections that became ready (TCP connected, TLS handshake done), and of those the TLS
    /// handshakes that resumed a session.
    private(set) var connectionsOpened = 0
    private(set) var tlsSessionsResumed = 0
    private var issuing = false
    private var started = false
    private var stopping = false
    private var paused = false
    private var finished = false
    private var onFinished: [() -> Void] = []

    // Open model.
    private var nextArrival: Int
    private var nextTime: Int64?
    private var pacer: ReactorTimer?
    @exclusivity(unchecked) private var queue = ArrivalQueue()
    @exclusivity(unchecked) private var idle: [ClientConnection] = []
    private var connecting = 0
    /// False once a scan found no disconnected slot; set again whenever a slot disconnects.
    private var mayHaveDisconnected = true
    /// The last connect on this loop failed and none has succeeded since.
    private var unreachable = false
    private var drainDeadline: ReactorTimer?

    // Closed model.
    private var control: RepeatingTimer?

    /// Finds requests past their deadline and connects past theirs: one repeating timer per loop
    /// rather than a timer per request.
    private var timeoutSweep: RepeatingTimer?

    init(index: Int, reactor: Reactor, config: WorkerConfig, clock: ScenarioClock, connections: Int, maxOutstanding: Int) {
        self.index = index
        self.reactor = reactor
        self.config = config
        self.clock = clock
        self.recorder = MetricsRecorder(layout: config.layout)
        self.rng = SplitMix64(seed: 0x5EED_0000 &+ UInt64(index) &* 0x9E37_79B9)
        self.maxOutstanding = max(1, maxOutstanding)
        self.nextArrival = index
        self.readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        if config.model == .open {
            self.connections = (0..<max(1, connections)).map { ClientConnection(slot: $0) }
        }
        reactor.onEvent = { [unowned(unsafe) self] token, readiness in
            self.handle(token, readiness)
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Outstanding requests: in flight plus queued.
    var outstanding: Int { inFlight + queue.count }

    /// Calls `body` (on the loop) once the worker stopped issuing and every outstanding request
    /// finished — at once if that already happened.
    func whenFinished(_ body: @escaping () -> Void) {
        if finished { body() } else { onFinished.append(body) }
    }

    // MARK: - Run control (on the loop)

    /// Opens the open model's connections before the clock starts; calls `completion` when
    /// every attempt finished, whatever its outcome.
    func preconnect(_ completion: @escaping () -> Void) {
        guard config.model == .open, !finished else { return completion() }
        var remaining = connections.count
        for connection in connections {
            connect(connection) {
                remaining -= 1
                if remaining == 0 { completion() }
            }
        }
    }

    func start() {
        guard !finished else { return }
        issuing = true
        started = true
        paused = clock.isPaused
        let interval = Self.sweepInterval(timeout: config.timeout)
        timeoutSweep = reactor.scheduleRepeated(initialDelay: interval, every: interval) { [self] in
            sweepTimeouts()
        }
        switch config.model {
        case .open:
            nextTime = config.schedule.arrivalTime(nextArrival)
            armPacer()
        case .closed:
            control = reactor.scheduleRepeated(initialDelay: 0, every: 10_000_000) { [self] in
                adjustUsers()
            }
        }
    }

    func pause() {
        paused = true
        pacer?.cancel()
        pacer = nil
    }

    func resume() {
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
        stopping = true
        _ = queue.removeAll()
        endIssuing()
    }

    /// Ends the worker at once, its sockets closed and what is in flight not waited for: its
    /// loop can no longer wait for them (`Reactor.onFailure`).
    func abort() {
        stopping = true
        _ = queue.removeAll()
        endIssuing()
        if !finished { finish() }
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
        pacer = reactor.schedule(in: wake - now) { [self] in armPacer() }
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
            connect(connection)
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
            connect(user)
        case .connecting, .busy, .backoff:
            break
        }
    }

    /// A user's request finished: think, then go again.
    private func userFinished(_ user: ClientConnection, now: Int64 = -1) {
        guard user.active, issuing else { return }
        if config.think > 0 {
            user.thinkTask = reactor.schedule(in: config.think) { [self] in
                user.thinkTask = nil
                userNext(user)
            }
        } else {
            userNext(user, now: now)
        }
    }

    // MARK: - Connections

    /// Starts a connect on a slot without a socket; `completion` is called when the attempt ends
    /// either way (with TLS: after the handshake).
    private func connect(_ connection: ClientConnection, completion: (() -> Void)? = nil) {
        if connection.transport != nil { connection.disconnect() }
        connection.nextGeneration()
        connection.state = .connecting
        connection.tcpConnected = false
        connection.connectStartedAt = clock.now()
        connecting += 1
        if let completion { connection.attempt = completion }
        guard let transport = config.address.withSockAddr({ Transport.connect(to: $0, length: $1) }) else {
            // Refused at once (or out of descriptors): fail the way a later refusal would,
            // from the loop rather than inside whatever asked for the connection.
            failSoon(connection)
            return
        }
        connection.transport = transport
        // Writable when the connect completed, either way.
        connection.interest = .writable
        if !reactor.register(transport.fd, interest: .writable, token: connection.token) {
            failSoon(connection)
        }
    }

    /// Fails the current connect attempt on the next turn of the loop.
    private func failSoon(_ connection: ClientConnection) {
        let token = connection.token
        reactor.schedule(in: 0) { [self] in
            guard connection.token == token, connection.state == .connecting else { return }
            connectFailed(connection)
        }
    }

    /// A connecting socket is ready: finish the TCP connect, then the TLS handshake.
    private func advanceConnect(_ connection: ClientConnection) {
        guard var transport = connection.transport else { return }
        if !connection.tcpConnected {
            guard transport.connectSucceeded() else { return connectFailed(connection) }
            connection.tcpConnected = true
            if let tls = config.tls {
                guard transport.startTLS(tls, serverName: config.serverHostname, checkHost: config.verifyHost,
                                         checkIsIP: config.verifyHostIsIP, resume: connection.tlsResume)
                else { return connectFailed(connection) }
                connection.transport = transport
            }
        }
        switch transport.handshake() {
        case .done:
            if transport.resumedSession { tlsSessionsResumed += 1 }
            setInterest(connection, .readable)
            ready(connection)
        case .wantsRead:
            setInterest(connection, .readable)
        case .wantsWrite:
            setInterest(connection, .writable)
        case .failed:
            connectFailed(connection)
        }
    }

    @inline(__always)
    private func setInterest(_ connection: ClientConnection, _ interest: Reactor.Readiness) {
        guard connection.interest != interest, let transport = connection.transport else { return }
        connection.interest = interest
        reactor.reregister(transport.fd, interest: interest, token: connection.token)
    }

    /// The connection can carry requests (TCP connected; TLS handshake done).
    private func ready(_ connection: ClientConnection) {
        guard connection.state == .connecting else { return }
        connecting -= 1
        connectionsOpened += 1
        unreachable = false
        connection.requestsOnChannel = 0
        connection.state = .idle
        connection.idleSince = clock.now()
        connection.completeAttempt()
        if finished {
            connection.disconnect()
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
        connection.disconnect()
        connection.state = .backoff
        connection.completeAttempt()
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
        reactor.schedule(in: config.connectBackoff) { [self] in
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

    // MARK: - Requests

    /// - Parameter now: the scenario time if the caller just read it (-1: read it here).
    private func send(_ arrival: Arrival, on connection: ClientConnection, retried: Bool, now: Int64 = -1) {
        guard let transport = connection.transport else {
            // Cannot happen for an idle connection; keep the request rather than lose it.
            connection.pending = (arrival, retried)
            connect(connection)
            return
        }
        let now = now >= 0 ? now : clock.now()
        let request = config.requests[arrival.request]
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
        // A connection opened for this very request and used at once cannot have been closed as idle.
        let satIdle = now - connection.idleSince >= 1_000_000
        let bytesOut: Int
        if let constant = request.constant {
            bytesOut = write(constant, with: transport, on: connection)
        } else {
            request.render(into: &scratch, using: &rng)
            bytesOut = write(scratch, with: transport, on: connection)
        }
        connection.current = ClientConnection.InFlight(
            arrival: arrival, sentAt: sentAt, bytesOut: bytesOut, retried: retried,
            reused: connection.requestsOnChannel > 1 || satIdle, deadline: now + config.timeout)
    }

    /// Writes a request; what the socket does not take now is kept and sent once it is
    /// writable. Returns the request's size.
    @inline(__always)
    private func write(_ bytes: [UInt8], with transport: Transport, on connection: ClientConnection) -> Int {
        let result = bytes.withUnsafeBytes { transport.write($0) }
        switch result {
        case .wrote(let n) where n == bytes.count:
            break
        case .wrote(let n):
            connection.outbound = Array(bytes[n...])
            connection.outboundOffset = 0
            setInterest(connection, [.readable, .writable])
        case .wouldBlock:
            connection.outbound = bytes
            connection.outboundOffset = 0
            setInterest(connection, [.readable, .writable])
        case .failed:
            // The socket is broken: what it cost is decided where a closed socket's is.
            closeSoon(connection)
        }
        return bytes.count
    }

    private func flushOutbound(_ connection: ClientConnection) {
        guard let transport = connection.transport else { return }
        let offset = connection.outboundOffset
        let result = connection.outbound.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        switch result {
        case .wrote(let n):
            connection.outboundOffset += n
            if !connection.hasOutbound {
                connection.outbound.removeAll(keepingCapacity: true)
                connection.outboundOffset = 0
                setInterest(connection, .readable)
            }
        case .wouldBlock:
            break
        case .failed:
            closed(connection)
        }
    }

    /// Treats the connection as closed by the peer on the next turn of the loop.
    private func closeSoon(_ connection: ClientConnection) {
        let token = connection.token
        reactor.schedule(in: 0) { [self] in
            guard connection.token == token, connection.transport != nil else { return }
            closed(connection)
        }
    }

    // MARK: - Events

    /// A registered socket is ready.
    private func handle(_ token: UInt64, _ readiness: Reactor.Readiness) {
        let slot = ClientConnection.slot(of: token)
        guard slot < connections.count else { return }
        let connection = connections[slot]
        guard connection.token == token, connection.transport != nil else { return }
        switch connection.state {
        case .connecting:
            advanceConnect(connection)
        case .idle, .busy:
            if readiness.contains(.writable) {
                if connection.hasOutbound {
                    flushOutbound(connection)
                } else if connection.readWantsWrite {
                    connection.readWantsWrite = false
                    setInterest(connection, .readable)
                    readable(connection)
                    return
                }
                guard connection.token == token else { return }
            }
            if readiness.contains(.readable) { readable(connection) }
        case .disconnected, .backoff:
            break
        }
    }

    /// Reads what the socket has, and answers each complete response.
    private func readable(_ connection: ClientConnection) {
        let token = connection.token
        while let transport = connection.transport {
            switch transport.read(into: readBuffer.baseAddress!, count: readBuffer.count) {
            case .bytes(let n):
                received(connection, UnsafeRawBufferPointer(rebasing: readBuffer[..<n]))
                // The response may have closed the socket, or the next request gone out on it.
                guard connection.token == token else { return }
                if transport.tls == nil ? n < readBuffer.count : !transport.hasBufferedInput { return }
            case .wouldBlock(let wantsWrite):
                if wantsWrite {
                    connection.readWantsWrite = true
                    setInterest(connection, [.readable, .writable])
                }
                return
            case .closed, .failed:
                closed(connection)
                return
            }
        }
    }

    private func received(_ connection: ClientConnection, _ bytes: UnsafeRawBufferPointer) {
        // Bytes with nothing asked (a server's parting 408, say) are ignored.
        guard let request = connection.current?.arrival.request else { return }
        switch connection.parser.feed(bytes) {
        case .incomplete:
            return
        case .invalid:
            finish(connection, status: 0, error: .reset)
            connection.disconnect()
            afterClose(connection)
        case .complete(let response):
            let now = clock.now()
            let error = config.requests[request].classify(status: response.status, body: response.body).errorClass
            finish(connection, status: response.status, error: error, now: now)
            if response.close || !config.keepalive {
                connection.disconnect()
                afterClose(connection)
            } else {
                afterResponse(connection, now: now)
            }
        }
    }

    /// The peer closed the socket, or it failed.
    private func closed(_ connection: ClientConnection) {
        let state = connection.state
        if state == .connecting { return connectFailed(connection) }
        connection.disconnect()
        mayHaveDisconnected = true
        switch state {
        case .idle:
            // The server closed an idle keep-alive connection: reconnect when needed.
            if let i = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: i) }
            if config.model == .open && !queue.isEmpty { connectIdleSlots(wanted: queue.count) }
        case .busy:
            if case .complete(let response) = connection.parser.finishAtClose() {
                let outcome = config.requests[connection.current?.arrival.request ?? 0].classify(status: response.status, body: response.body)
                finish(connection, status: response.status, error: outcome.errorClass)
                afterClose(connection)
            } else if let current = connection.current, current.reused, !current.retried, connection.parser.bytesReceived == 0 {
                // A keep-alive connection closed under a request it never answered: the server
                // closed it as idle while we wrote. Retry once on a fresh connection.
                connection.current = nil
                connection.pending = (current.arrival, true)
                connect(connection)
            } else {
                finish(connection, status: 0, error: .reset)
                afterClose(connection)
            }
        case .connecting, .disconnected, .backoff:
            break
        }
    }

    /// How often the sweep looks for timed-out requests: a tenth of the timeout, between 1 ms and
    /// 100 ms, so a timeout fires at most 10% (and 100 ms) late.
    static func sweepInterval(timeout: Int64) -> Int64 {
        min(100_000_000, max(1_000_000, timeout / 10))
    }

    private func sweepTimeouts() {
        let now = clock.now()
        for connection in connections {
            if connection.state == .connecting {
                if now - connection.connectStartedAt >= config.connectTimeout { connectFailed(connection) }
                continue
            }
            guard let current = connection.current, current.deadline <= now else { continue }
            finish(connection, status: 0, error: .timeout)
            connection.disconnect()
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
            drainDeadline = reactor.schedule(in: config.timeout) { [self] in
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
        finish()
    }

    /// Closes every socket and tells whoever waits that the worker is done.
    private func finish() {
        finished = true
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
}
