import NIOCore
import NIOSSL
import NIOTLS

/// One HTTP/1.1 connection slot of an event loop: the channel it currently has (a slot outlives
/// its channels — it reconnects), the request on it, and its response parser.
///
/// Confined to its worker's event loop; `@unchecked Sendable` only so NIO's callbacks can carry it.
final class ClientConnection: @unchecked Sendable {
    enum State {
        /// No channel; connects on demand.
        case disconnected
        case connecting
        /// Connected, nothing in flight.
        case idle
        /// A request is in flight.
        case busy
        /// The last connect failed; waits before trying again.
        case backoff
    }

    /// A request written on this connection, awaiting its response.
    struct InFlight {
        var arrival: Arrival
        var sentAt: Int64
        var bytesOut: Int
        /// Already retried once after an idle connection closed under it.
        var retried: Bool
        /// Written on a channel that had served a request or sat idle: a server may have closed it
        /// as idle just as we wrote, so an unanswered request on it is retried once.
        var reused: Bool
        /// When it times out (scenario clock; the worker's sweep checks it).
        var deadline: Int64
    }

    let slot: Int
    var state = State.disconnected
    var channel: Channel?
    /// The channel's socket for direct sends (plain HTTP), or -1 (see `DirectSocket`).
    var fd: CInt = -1
    /// Tells a channel's late callbacks from the current one's.
    var generation = 0
    // Only ever touched from the owning loop, one access at a time: no dynamic exclusivity checks.
    @exclusivity(unchecked) var parser = HTTPResponseParser()
    var current: InFlight?
    var requestsOnChannel = 0
    /// When the channel last became free (scenario clock).
    var idleSince: Int64 = 0
    /// A request to send as soon as the connection is ready: a retry (open model).
    var pending: (arrival: Arrival, sentBefore: Bool)?
    /// Completed when the current connect attempt ends, either way (pre-connect waits on it).
    var attempt: EventLoopPromise<Void>?
    /// When the current connect attempt began (scenario clock), for connect errors.
    var connectStartedAt: Int64 = 0

    // Closed model: this connection is a virtual user.
    var active = false
    var parked = false
    var thinkTask: Scheduled<Void>?

    init(slot: Int) { self.slot = slot }

    /// Forgets the channel (late callbacks are ignored) and closes it.
    func dropChannel() {
        generation += 1
        fd = -1
        channel?.close(promise: nil)
        channel = nil
        state = .disconnected
        requestsOnChannel = 0
    }
}

/// Forwards a channel's bytes and lifecycle to the worker that owns the connection.
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let worker: LoopWorker
    private let connection: ClientConnection
    private let generation: Int

    init(worker: LoopWorker, connection: ClientConnection, generation: Int) {
        self.worker = worker
        self.connection = connection
        self.generation = generation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        worker.received(connection, generation: generation, buffer: &buffer)
    }

    func channelInactive(context: ChannelHandlerContext) {
        worker.closed(connection, generation: generation)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if Self.isHandshakeCompleted(event) {
            worker.ready(connection, generation: generation, channel: context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The TLS handshake finished: the connection can carry requests.
    static func isHandshakeCompleted(_ event: Any) -> Bool {
        if case .handshakeCompleted? = event as? TLSUserEvent { return true }
        return false
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Every failure ends the channel; `channelInactive` classifies what it cost.
        context.close(promise: nil)
    }
}
