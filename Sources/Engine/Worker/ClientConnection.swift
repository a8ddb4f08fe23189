import CLoadIO

/// One HTTP/1.1 connection slot of a worker: the socket it currently has (a slot outlives its
/// sockets — it reconnects), the request on it, and its response parser. In the closed model the
/// slot is also a virtual user.
///
/// Confined to its worker's loop thread.
final class ClientConnection<Socket: WorkerSocket> {
    enum State {
        /// No socket; connects on demand.
        case disconnected
        /// TCP connect, then (https) the TLS handshake, under way.
        case connecting
        /// Connected, nothing in flight.
        case idle
        /// A request is in flight.
        case busy
        /// The last connect failed; waits before trying again.
        case backoff
    }

    /// Closed model: what the virtual user on this slot does.
    enum User {
        /// Not part of the current user count.
        case inactive
        /// Sends, waits for the response, thinks, sends again.
        case active
        /// Active, but waits for the scenario clock to resume before its next request.
        case parked
    }

    /// A request written on this connection, awaiting its response.
    struct InFlight {
        var arrival: Arrival
        var sentAt: Nanos
        var bytesOut: Int
        /// Already retried once after an idle connection closed under it.
        var retried: Bool
        /// Written on a connection that had served a request or sat idle: a server may have
        /// closed it as idle just as we wrote, so an unanswered request on it is retried once.
        var reused: Bool
        /// When it times out (scenario clock; the worker's sweep checks it).
        var deadline: Nanos
    }

    let slot: Int
    var state = State.disconnected
    /// The socket (and TLS session) while there is one.
    var socket: Socket?
    /// TCP is connected; with TLS the handshake may still be going.
    var tcpConnected = false
    /// What the socket's events are watched for.
    var interest: Reactor.Readiness = []
    /// Tells a socket's late events from the current one's; part of its event token.
    private(set) var generation: UInt32 = 0
    // Only ever touched from the owning loop, one access at a time: no dynamic exclusivity checks.
    @exclusivity(unchecked) var parser = HTTPResponseParser()
    var current: InFlight?
    /// The part of the current request the socket has not taken yet.
    @exclusivity(unchecked) var outbound: [UInt8] = []
    var outboundOffset = 0
    /// A TLS read needs the socket writable first (renegotiation, key update).
    var readWantsWrite = false
    var requestsOnChannel = 0
    /// When the connection last became free (scenario clock).
    var idleSince = Nanos.zero
    /// A request to send as soon as the connection is ready: a retry, or one that found no socket.
    var pending: (arrival: Arrival, sentBefore: Bool)?
    /// Called when the current connect attempt ends, either way (pre-connect waits on it).
    var attempt: (() -> Void)?
    /// When the current connect attempt began (scenario clock), for connect errors and timeouts.
    var connectStartedAt = Nanos.zero

    /// Closed model: the virtual user on this slot, and its think time under way.
    var userState = User.inactive
    var thinkTask: ReactorTimer?

    /// The TLS session to resume on the next connection (https).
    let tlsResume: UnsafeMutablePointer<cload_tls_resume>

    init(slot: Int) {
        self.slot = slot
        tlsResume = .allocate(capacity: 1)
        tlsResume.initialize(to: cload_tls_resume(session: nil))
    }

    deinit {
        // The TLS session refers to `tlsResume`: it goes first.
        socket?.close()
        cload_tls_resume_clear(tlsResume)
        tlsResume.deallocate()
    }

    /// The event token of the current socket: the slot and the generation.
    var token: UInt64 { UInt64(slot) | UInt64(generation) << 32 }

    /// The slot a token names (its generation is checked by comparing whole tokens).
    static func slot(of token: UInt64) -> Int { Int(token & 0xFFFF_FFFF) }

    var hasOutbound: Bool { outboundOffset < outbound.count }

    /// Closed model: the user counts towards the current level (thinking, sending or parked).
    var isActiveUser: Bool { userState != .inactive }

    /// A new socket is coming: late events of the old one are ignored from now on.
    func nextGeneration() { generation &+= 1 }

    /// Closes the socket, if any; the slot is then disconnected.
    func disconnect() {
        generation &+= 1
        socket?.close()
        socket = nil
        tcpConnected = false
        interest = []
        outbound.removeAll(keepingCapacity: true)
        outboundOffset = 0
        readWantsWrite = false
        state = .disconnected
        requestsOnChannel = 0
    }

    /// Ends the current connect attempt's wait, if anyone waits.
    func completeAttempt() {
        let attempt = self.attempt
        self.attempt = nil
        attempt?()
    }
}
