/// The connection lifecycle: connect (TCP, then TLS), ready, connect failures and the back-off
/// after them, and closes decided by the worker.
extension LoadWorker {
    /// Starts a connect on a slot without a socket; `completion` is called when the attempt ends
    /// either way (with TLS: after the handshake).
    func connect(_ connection: Connection, completion: (() -> Void)? = nil) {
        if connection.socket != nil { connection.disconnect() }
        connection.nextGeneration()
        connection.state = .connecting
        connection.tcpConnected = false
        connection.connectStartedAt = clock.now()
        connecting += 1
        if let completion { connection.attempt = completion }
        guard let socket = transport.connect(token: connection.token) else {
            // Refused at once (or out of descriptors): fail the way a later refusal would,
            // from the loop rather than inside whatever asked for the connection.
            failSoon(connection)
            return
        }
        connection.socket = socket
        // Writable when the connect completed, either way.
        connection.interest = .writable
    }

    /// Fails the current connect attempt on the next turn of the loop.
    private func failSoon(_ connection: Connection) {
        let token = connection.token
        clock.schedule(in: .zero) { [self] in
            guard connection.token == token, connection.state == .connecting else { return }
            connectFailed(connection)
        }
    }

    /// A connecting socket is ready: finish the TCP connect, then the TLS handshake.
    func advanceConnect(_ connection: Connection) {
        guard var socket = connection.socket else { return }
        let progress = transport.advanceConnect(&socket, tcpConnected: &connection.tcpConnected,
                                                resume: connection.tlsResume)
        connection.socket = socket
        switch progress {
        case .ready(let resumedSession):
            if resumedSession { tlsSessionsResumed += 1 }
            setInterest(connection, .readable)
            ready(connection)
        case .waitReadable:
            setInterest(connection, .readable)
        case .waitWritable:
            setInterest(connection, .writable)
        case .failed:
            connectFailed(connection)
        }
    }

    @inline(__always)
    func setInterest(_ connection: Connection, _ interest: Reactor.Readiness) {
        guard connection.interest != interest, let socket = connection.socket else { return }
        connection.interest = interest
        transport.watch(socket, for: interest, token: connection.token)
    }

    /// The connection can carry requests (TCP connected; TLS handshake done).
    private func ready(_ connection: Connection) {
        guard connection.state == .connecting else { return }
        connecting -= 1
        connectionsOpened += 1
        unreachable = false
        connection.requestsOnChannel = 0
        connection.state = .idle
        connection.idleSince = clock.now()
        connection.completeAttempt()
        if phase == .finished {
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

    /// The connect attempt failed (refused, reset, TLS, or its timeout): what waited for it
    /// fails as a connect error, and the slot backs off before it tries again.
    func connectFailed(_ connection: Connection) {
        connecting -= 1
        connection.disconnect()
        connection.state = .backoff
        connection.completeAttempt()
        let now = clock.now()
        if let pending = connection.pending {
            connection.pending = nil
            inFlight -= 1
            recordFailure(request: pending.arrival.request, scheduledAt: pending.arrival.scheduledAt, at: now, error: .connect)
        } else if config.model == .closed && connection.isActiveUser && isIssuing {
            // The user's next request could not get a connection.
            recordFailure(request: config.mix.pick(using: &rng), scheduledAt: connection.connectStartedAt, at: now, error: .connect)
        }
        if config.model == .open {
            unreachable = true
            failQueued(.connect)
        }
        clock.schedule(in: config.connectBackoff) { [self] in
            guard connection.state == .backoff else { return }
            connection.state = .disconnected
            mayHaveDisconnected = true
            if phase == .finished { return }
            switch config.model {
            case .open:
                if !queue.isEmpty { connectIdleSlots(wanted: queue.count) }
            case .closed:
                userNext(connection)
            }
        }
        checkDone()
    }

    /// Treats the connection as closed by the peer on the next turn of the loop.
    func closeSoon(_ connection: Connection) {
        let token = connection.token
        clock.schedule(in: .zero) { [self] in
            guard connection.token == token, connection.socket != nil else { return }
            closed(connection)
        }
    }

    /// The connection was closed after its request finished.
    func afterClose(_ connection: Connection) {
        mayHaveDisconnected = true
        switch config.model {
        case .open:
            if !queue.isEmpty && phase != .finished { connectIdleSlots(wanted: queue.count) }
        case .closed:
            userFinished(connection)
        }
        checkDone()
    }

    /// The connection is still open and free after a response.
    func afterResponse(_ connection: Connection, now: Nanos) {
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
}
