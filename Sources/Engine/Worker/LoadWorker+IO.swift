import Metrics

/// Reading and writing: a request goes out (whole, or the rest once the socket is writable), a
/// ready socket is read into the loop's buffer and its responses parsed in place, and a peer's
/// close is classified (answered, retried once, or reset).
extension LoadWorker {
    /// Writes `arrival`'s request on `connection` (connecting first if it has no socket).
    /// - Parameter now: the scenario time, if the caller just read it.
    func send(_ arrival: Arrival, on connection: Connection, retried: Bool, now: Nanos? = nil) {
        guard let socket = connection.socket else {
            // Cannot happen for an idle connection; keep the request rather than lose it.
            connection.pending = (arrival, retried)
            connect(connection)
            return
        }
        let now = now ?? clock.now()
        let request = config.requests[arrival.request]
        connection.parser.reset(expectsBody: request.expectsBody, captureBody: request.bodyNeedle != nil)
        connection.state = .busy
        connection.requestsOnChannel += 1
        var arrival = arrival
        let sentAt: Nanos
        switch config.model {
        case .open:
            sentAt = now
            if !retried { recorder.recordSendLag(scheduledAt: arrival.scheduledAt.value, sentAt: sentAt.value) }
        case .closed:
            // A user's request starts when it is sent: latency is service time.
            sentAt = retried ? now : arrival.scheduledAt
        }
        arrival.scheduledAt = min(arrival.scheduledAt, sentAt)
        // A connection opened for this very request and used at once cannot have been closed as idle.
        let satIdle = now - connection.idleSince >= .milliseconds(1)
        let bytesOut: Int
        if let constant = request.constant {
            bytesOut = write(constant, with: socket, on: connection)
        } else {
            request.render(into: &scratch, using: &rng)
            bytesOut = write(scratch, with: socket, on: connection)
        }
        connection.current = Connection.InFlight(
            arrival: arrival, sentAt: sentAt, bytesOut: bytesOut, retried: retried,
            reused: connection.requestsOnChannel > 1 || satIdle, deadline: now + config.timeout)
    }

    /// Writes a request; what the socket does not take now is kept and sent once it is
    /// writable. Returns the request's size.
    @inline(__always)
    private func write(_ bytes: [UInt8], with socket: T.Socket, on connection: Connection) -> Int {
        let result = bytes.withUnsafeBytes { socket.write($0) }
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

    /// Writes what the socket did not take of the current request.
    private func flushOutbound(_ connection: Connection) {
        guard let socket = connection.socket else { return }
        let offset = connection.outboundOffset
        let result = connection.outbound.withUnsafeBytes { socket.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
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

    /// A watched socket is ready: the transport's events come here, with the token the socket
    /// was connected or watched under.
    func handle(_ token: UInt64, _ readiness: Reactor.Readiness) {
        let slot = Connection.slot(of: token)
        guard slot < connections.count else { return }
        let connection = connections[slot]
        guard connection.token == token, connection.socket != nil else { return }
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
    private func readable(_ connection: Connection) {
        let token = connection.token
        while let socket = connection.socket {
            switch socket.read(into: readBuffer.baseAddress!, count: readBuffer.count) {
            case .bytes(let n):
                received(connection, UnsafeRawBufferPointer(rebasing: readBuffer[..<n]))
                // The response may have closed the socket, or the next request gone out on it.
                guard connection.token == token else { return }
                if !socket.mayHaveMore(afterReading: n, capacity: readBuffer.count) { return }
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

    private func received(_ connection: Connection, _ bytes: UnsafeRawBufferPointer) {
        // Bytes with nothing asked (a server's parting 408, say) are ignored.
        guard let request = connection.current?.arrival.request else { return }
        switch connection.parser.feed(bytes) {
        case .incomplete:
            return
        case .invalid:
            complete(connection, status: 0, error: .reset)
            connection.disconnect()
            afterClose(connection)
        case .complete(let response):
            let now = clock.now()
            let error = config.requests[request].classify(status: response.status, body: response.body).errorClass
            complete(connection, status: response.status, error: error, now: now)
            if response.close || !config.keepalive {
                connection.disconnect()
                afterClose(connection)
            } else {
                afterResponse(connection, now: now)
            }
        }
    }

    /// The peer closed the socket, or it failed.
    func closed(_ connection: Connection) {
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
                complete(connection, status: response.status, error: outcome.errorClass)
                afterClose(connection)
            } else if let current = connection.current, current.reused, !current.retried, connection.parser.bytesReceived == 0 {
                // A keep-alive connection closed under a request it never answered: the server
                // closed it as idle while we wrote. Retry once on a fresh connection.
                connection.current = nil
                connection.pending = (current.arrival, true)
                connect(connection)
            } else {
                complete(connection, status: 0, error: .reset)
                afterClose(connection)
            }
        case .connecting, .disconnected, .backoff:
            break
        }
    }

    /// Records the request on `connection` as finished.
    /// - Parameter now: the scenario time, if the caller just read it.
    func complete(_ connection: Connection, status: Int, error: ErrorClass?, now: Nanos? = nil) {
        guard let current = connection.current else { return }
        connection.current = nil
        inFlight -= 1
        let now = now ?? clock.now()
        recorder.record(request: current.arrival.request, scheduledAt: current.arrival.scheduledAt.value,
                        sentAt: current.sentAt.value, finishedAt: now.value, status: status, error: error,
                        bytesIn: connection.parser.bytesReceived, bytesOut: current.bytesOut)
    }
}
