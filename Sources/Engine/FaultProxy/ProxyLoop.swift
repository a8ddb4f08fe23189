#if canImport(Glibc)
import Glibc
#endif
import CLoadIO

/// The fault proxy's state on its reactor thread: the listener, the sessions, the fault plan
/// and the counts. Everything here runs on that thread (set up before it starts, read back after
/// it was asked to stop), hence `@unchecked Sendable`.
///
/// Each socket is registered with a token naming its session's slot, the session's generation
/// (so an event for a closed session's descriptor, reused since, is ignored) and its side.
final class ProxyLoop: @unchecked Sendable {
    /// Client connections open at once by default; more are accepted and closed at once.
    static let defaultMaxConnections = 10_000
    /// The longest request head; a longer one closes the connection.
    static let maxHead = 64 * 1024
    /// Bytes queued for one socket above which the other side is not read until they drain.
    static let maxPending = 256 * 1024
    /// The one read buffer of the loop.
    static let readSize = 64 * 1024
    /// Reads per readiness event for one socket, so one busy connection cannot starve the others.
    static let readsPerEvent = 4
    /// How often throttled connections get their bandwidth credit.
    static let throttleTick: Int64 = 10_000_000
    static let listenerToken = UInt64.max - 1

    let reactor: Reactor
    let upstream: ConnectAddress
    let passthrough: Bool
    let clock: @Sendable () -> Int64
    /// Client connections open at once; more are accepted and closed at once.
    let maxConnections: Int
    var plan: FaultPlan

    private var listener: CInt = -1
    private var sessions: [ProxySession?] = []
    private var freeSlots: [Int] = []
    private var generation: UInt32 = 0
    private var open = 0
    private var acceptResume: ReactorTimer?
    /// Sessions with a throttle, by slot, and the timer that refills them.
    var throttled: [Int: ProxySession] = [:]
    var ticker: RepeatingTimer?
    let buffer: UnsafeMutableRawBufferPointer
    /// Scratch for a request head being forwarded without the index header.
    var scratch: [UInt8] = []

    private var connections = 0
    private var refused = 0
    var requests = 0

    init(reactor: Reactor, upstream: ConnectAddress, passthrough: Bool, plan: FaultPlan, maxConnections: Int,
         clock: @escaping @Sendable () -> Int64) {
        self.reactor = reactor
        self.maxConnections = max(1, maxConnections)
        self.upstream = upstream
        self.passthrough = passthrough
        self.plan = plan
        self.clock = clock
        buffer = .allocate(byteCount: Self.readSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if listener >= 0 { close(listener) }
    }

    /// Watches the listening socket; before the loop's thread starts, or on it.
    func listen(on fd: CInt) -> Bool {
        listener = fd
        return reactor.register(fd, interest: .readable, token: Self.listenerToken)
    }

    /// On the loop: stops listening, closes every connection and reports.
    func shutdown() -> ProxyReport {
        if listener >= 0 {
            close(listener)
            listener = -1
        }
        acceptResume?.cancel()
        for case let session? in sessions { end(session, reset: false) }
        ticker?.cancel()
        ticker = nil
        return ProxyReport(faults: plan.counts, connections: connections, refused: refused, requests: requests)
    }

    // MARK: - Events

    /// A ready descriptor, from the reactor.
    func handle(_ token: UInt64, _ readiness: Reactor.Readiness) {
        if token == Self.listenerToken { return acceptAll() }
        let slot = Int(truncatingIfNeeded: (token >> 1) & 0x7FFF_FFFF)
        guard slot < sessions.count, let session = sessions[slot], session.token == token & ~1 else { return }
        if token & 1 == 0 { clientEvent(session, readiness) } else { upstreamEvent(session, readiness) }
        settle(session)
    }

    private func clientEvent(_ s: ProxySession, _ readiness: Reactor.Readiness) {
        if readiness.contains(.writable) { flushClient(s) }
        guard readiness.contains(.readable), s.ending == nil else { return }
        if s.clientInterest.contains(.readable) {
            readClient(s)
        } else if ProxySocket.peerGone(s.client) {
            s.ending = .close
        }
    }

    private func upstreamEvent(_ s: ProxySession, _ readiness: Reactor.Readiness) {
        guard s.upstream >= 0, s.ending == nil else { return }
        if s.upstreamConnecting {
            guard cload_socket_error(s.upstream) == 0 else { return upstreamGone(s) }
            s.upstreamConnecting = false
            flushUpstream(s)
            return
        }
        if readiness.contains(.writable) { flushUpstream(s) }
        guard readiness.contains(.readable), s.ending == nil, s.upstream >= 0 else { return }
        if s.upstreamInterest.contains(.readable) {
            readUpstream(s)
        } else if ProxySocket.peerGone(s.upstream) {
            upstreamGone(s)
        }
    }

    private func readClient(_ s: ProxySession) {
        for _ in 0..<Self.readsPerEvent {
            guard s.ending == nil, canReadClient(s) else { return }
            switch ProxySocket.read(s.client, into: buffer) {
            case .bytes(let n):
                fromClient(s, UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                if n < buffer.count { return }
            case .wouldBlock:
                return
            case .closed, .failed:
                // The client is gone: so is the point of its upstream connection.
                s.ending = .close
                return
            }
        }
    }

    private func readUpstream(_ s: ProxySession) {
        for _ in 0..<Self.readsPerEvent {
            guard s.ending == nil, s.upstream >= 0, canReadUpstream(s) else { return }
            switch ProxySocket.read(s.upstream, into: buffer) {
            case .bytes(let n):
                fromUpstream(s, UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                if n < buffer.count { return }
            case .wouldBlock:
                return
            case .closed, .failed:
                return upstreamGone(s)
            }
        }
    }

    /// The upstream closed, failed, or never connected: the client gets what it is owed (a
    /// response delimited by the close is complete now), then its connection closes too.
    func upstreamGone(_ s: ProxySession) {
        if !passthrough && s.awaitingResponse {
            _ = s.responseParser.finishAtClose()
            s.awaitingResponse = false
        }
        closeUpstream(s)
        s.phase = .closing
        s.closeWhenFlushed = true
        s.backlog = []
    }

    // MARK: - Accepting

    private func acceptAll() {
        for _ in 0..<64 {
            let fd = cload_tcp_accept(listener)
            if fd < 0 {
                switch errno {
                case EAGAIN:
                    return
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: the pending connection would wake the loop forever.
                    // Stop listening for a moment; connections wait in the backlog meanwhile.
                    return pauseAccepting()
                default:
                    continue  // the client gave up before it was accepted
                }
            }
            guard open < maxConnections else {
                refused &+= 1
                close(fd)
                continue
            }
            connections &+= 1
            startSession(client: fd)
        }
    }

    private func pauseAccepting() {
        guard listener >= 0, acceptResume == nil else { return }
        reactor.reregister(listener, interest: [], token: Self.listenerToken)
        acceptResume = reactor.schedule(in: 100_000_000) { [weak self] in
            guard let self, listener >= 0 else { return }
            acceptResume = nil
            reactor.reregister(listener, interest: .readable, token: Self.listenerToken)
        }
    }

    private func startSession(client: CInt) {
        let upstreamFD = upstream.withSockAddr { cload_tcp_connect($0, $1) }
        guard upstreamFD >= 0 else {
            close(client)
            return
        }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = sessions.count
            sessions.append(nil)
        }
        generation &+= 1
        let token = UInt64(generation) << 32 | UInt64(slot) << 1
        let session = ProxySession(slot: slot, token: token, client: client, upstream: upstreamFD,
                                   phase: passthrough ? .tunnel : .head)
        guard reactor.register(client, interest: .readable, token: token),
              reactor.register(upstreamFD, interest: .writable, token: token | 1) else {
            close(client)
            close(upstreamFD)
            freeSlots.append(slot)
            return
        }
        session.clientInterest = .readable
        session.upstreamInterest = .writable
        sessions[slot] = session
        open += 1
    }

    // MARK: - After each event

    /// Ends the session if that was decided, or closes it once the client has all it is owed;
    /// otherwise brings the sockets' interests up to date.
    func settle(_ s: ProxySession) {
        guard !s.closed else { return }
        if let ending = s.ending { return end(s, reset: ending == .reset) }
        if s.closeWhenFlushed && s.toClient.isEmpty { return end(s, reset: false) }
        updateInterest(s)
    }

    private func end(_ s: ProxySession, reset: Bool) {
        guard !s.closed else { return }
        s.closed = true
        if reset { cload_close_with_reset(s.client) } else { close(s.client) }
        closeUpstream(s)
        sessions[s.slot] = nil
        freeSlots.append(s.slot)
        throttled[s.slot] = nil
        open -= 1
    }

    func closeUpstream(_ s: ProxySession) {
        s.delayTimer?.cancel()
        s.delayTimer = nil
        guard s.upstream >= 0 else { return }
        close(s.upstream)
        s.upstream = -1
        s.upstreamInterest = []
        s.toUpstream = Outbox()
        s.delayed = DelayLine()
    }

    /// Whether the client socket is read now: not while the bytes it sent wait beyond the bound.
    func canReadClient(_ s: ProxySession) -> Bool {
        switch s.phase {
        case .closing: false
        case .blackholed: true
        case .head, .body, .waiting, .tunnel: s.pendingUpstream < Self.maxPending && s.backlog.count < Self.maxPending
        }
    }

    /// Whether the upstream socket is read now: not while the client has not taken enough.
    func canReadUpstream(_ s: ProxySession) -> Bool {
        guard s.upstream >= 0, !s.upstreamConnecting else { return false }
        switch s.phase {
        case .closing, .blackholed: return false
        case .head, .body, .waiting, .tunnel: return s.toClient.count < Self.maxPending
        }
    }

    private func updateInterest(_ s: ProxySession) {
        var client: Reactor.Readiness = []
        if canReadClient(s) { client.insert(.readable) }
        if !s.toClient.isEmpty && (s.downThrottle?.tokens ?? 1) > 0 { client.insert(.writable) }
        if client != s.clientInterest {
            reactor.reregister(s.client, interest: client, token: s.token)
            s.clientInterest = client
        }
        guard s.upstream >= 0 else { return }
        var upstream: Reactor.Readiness = []
        if s.upstreamConnecting {
            upstream = .writable
        } else {
            if canReadUpstream(s) { upstream.insert(.readable) }
            if !s.toUpstream.isEmpty && (s.upThrottle?.tokens ?? 1) > 0 { upstream.insert(.writable) }
        }
        if upstream != s.upstreamInterest {
            reactor.reregister(s.upstream, interest: upstream, token: s.token | 1)
            s.upstreamInterest = upstream
        }
    }
}
