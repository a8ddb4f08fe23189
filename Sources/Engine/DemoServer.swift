import Core
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The embedded demo target (README, *Scenario file*: the embedded target): a small HTTP/1.1 JSON service with knobs for latency,
/// jitter, errors and periodic stalls, so tests and demos can shape what the load meets.
///
/// Routes: `GET /` (about the service), `GET /health`, `GET /products/N`, `GET /bytes/N` (N bytes), `POST /checkout`,
/// `GET /metrics` (Prometheus text: requests by route and status, orders); anything else is 404.
/// Answers are delayed on the event loop, never by sleeping.
public final class DemoServer: Sendable {
    /// A certificate (then its chain, if any) and a private key, PEM, to serve https with (on the
    /// system's OpenSSL, as the load's client side).
    public struct TLSIdentity: Sendable, Hashable {
        public var certificatePEM: String
        public var privateKeyPEM: String
        public init(certificatePEM: String, privateKeyPEM: String) {
            self.certificatePEM = certificatePEM
            self.privateKeyPEM = privateKeyPEM
        }
    }

    /// The port it listens on.
    public let port: Int
    public let host: String
    public let options: DemoTargetOptions
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    private init(port: Int, host: String, options: DemoTargetOptions, group: MultiThreadedEventLoopGroup, channel: Channel) {
        self.port = port
        self.host = host
        self.options = options
        self.group = group
        self.channel = channel
    }

    /// Starts a server on `host:port` (port 0 picks a free one).
    public static func start(options: DemoTargetOptions, host: String = "127.0.0.1", port: Int = 0, threads: Int = 1,
                             tls: TLSIdentity? = nil) async throws -> DemoServer {
        let tlsContext = try tls.map { identity throws(StressError) in try DemoTLSContext(identity) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let behavior = DemoBehavior(options: options, startedAt: NIODeadline.now())
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                do {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(DemoTLSHandler(context: tlsContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(DemoHandler(behavior: behavior))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            let bound = channel.localAddress?.port ?? port
            return DemoServer(port: bound, host: host, options: options, group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw StressError(.usage, "the demo target cannot listen on \(host):\(port)", hint: "\(error)")
        }
    }

    /// `http://host:port`.
    public var url: TargetURL { TargetURL(scheme: .http, host: host, port: port) }

    /// Stops listening, closes every connection and ends its threads.
    public func stop() async throws {
        try? await channel.close().get()
        try await group.shutdownGracefully()
    }
}

/// What the demo target has served, for its `/metrics` page.
final class DemoCounters: Sendable {
    /// Answers by route (`root`, `health`, `products`, `checkout`, `other`) and status class.
    private let answers = Mutex<[String: Int]>([:])
    private let orders = Atomic<Int>(0)

    func count(route: String, status: HTTPResponseStatus) {
        let key = "route=\"\(route)\",status=\"\(status.code / 100)xx\""
        answers.withLock { $0[key, default: 0] += 1 }
        if route == "checkout" && status == .created { orders.add(1, ordering: .relaxed) }
    }

    /// The Prometheus text exposition of the counters.
    func exposition() -> String {
        var text = "# HELP demo_requests_total Requests answered by the demo target.\n# TYPE demo_requests_total counter\n"
        for (labels, n) in answers.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            text += "demo_requests_total{\(labels)} \(n)\n"
        }
        text += "# HELP demo_orders_total Orders created through POST /checkout.\n# TYPE demo_orders_total counter\n"
        text += "demo_orders_total \(orders.load(ordering: .relaxed))\n"
        return text
    }
}

/// The demo target's knobs turned into decisions: when to answer, and whether with an error.
struct DemoBehavior: Sendable {
    let counters = DemoCounters()
    let latency: Int64
    let jitter: Int64
    let errorRate: Double
    let stallEvery: Int64?
    let stallFor: Int64
    let startedAt: NIODeadline

    init(options: DemoTargetOptions, startedAt: NIODeadline) {
        latency = max(0, options.latency.nanoseconds)
        jitter = max(0, options.jitter.nanoseconds)
        errorRate = min(1, max(0, options.errorRate))
        if let every = options.stallEvery?.nanoseconds, every > 0, let length = options.stallFor?.nanoseconds, length > 0 {
            stallEvery = every
            stallFor = min(length, every)
        } else {
            stallEvery = nil
            stallFor = 0
        }
        self.startedAt = startedAt
    }

    /// When a request arriving at `now` is answered: after the latency and jitter, held to the
    /// end of a stall window [k·every, k·every + for) if it falls inside one.
    func answerTime(arrivedAt now: NIODeadline) -> NIODeadline {
        var delay = latency
        if jitter > 0 { delay += Int64.random(in: 0...jitter) }
        var due = now + .nanoseconds(delay)
        if let every = stallEvery {
            let offset = (due - startedAt).nanoseconds
            if offset >= 0 {
                let phase = offset % every
                if phase < stallFor { due = due + .nanoseconds(stallFor - phase) }
            }
        }
        return due
    }

    func injectsError() -> Bool {
        errorRate > 0 && (errorRate >= 1 || Double.random(in: 0..<1) < errorRate)
    }
}

/// Answers one connection's requests, in order (the pipeline handler holds pipelined ones).
final class DemoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let behavior: DemoBehavior
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    private var orders = 0

    init(behavior: DemoBehavior) { self.behavior = behavior }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, body, contentType) = route(head)
            let keepAlive = head.isKeepAlive
            let due = behavior.answerTime(arrivedAt: .now())
            let context = NIOLoopBound(context, eventLoop: context.eventLoop)
            let version = head.version
            context.value.eventLoop.scheduleTask(deadline: due) {
                Self.respond(context: context.value, version: version, status: status, body: body, contentType: contentType, keepAlive: keepAlive)
            }
        }
    }

    private func route(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if path == "/metrics" && head.method == .GET {
            return (.ok, behavior.counters.exposition(), "text/plain; version=0.0.4")
        }
        let (name, status, body) = answer(head, path: path)
        behavior.counters.count(route: name, status: status)
        return (status, body, "application/json")
    }

    /// The route's name (for the counters), status and JSON body.
    private func answer(_ head: HTTPRequestHead, path: String) -> (String, HTTPResponseStatus, String) {
        if path == "/health" && (head.method == .GET || head.method == .HEAD) {
            return ("health", .ok, #"{"status":"ok"}"#)
        }
        if behavior.injectsError() {
            return (Self.routeName(path), .internalServerError, #"{"error":"injected failure"}"#)
        }
        switch (head.method, path) {
        case (.GET, "/"), (.HEAD, "/"):
            return ("root", .ok, #"{"service":"stress-ci demo target","routes":["GET /","GET /health","GET /products/{id}","GET /bytes/{n}","POST /checkout","GET /metrics"]}"#)
        case (.POST, "/checkout"):
            orders += 1
            return ("checkout", .created, #"{"order":"\#(orders)","status":"created","received_bytes":\#(bodyBytes)}"#)
        case (.GET, _) where path.hasPrefix("/bytes/"):
            // A body of N bytes (at most 16 MiB), for bandwidth and transfer tests.
            let count = path.dropFirst("/bytes/".count)
            guard !count.isEmpty, count.allSatisfy(\.isASCII), let n = Int(count), (0...Self.maxBytesBody).contains(n) else {
                return ("bytes", .notFound, #"{"error":"give a size from 0 to 16777216 bytes"}"#)
            }
            return ("bytes", .ok, String(repeating: "x", count: n))
        case (.GET, _) where path.hasPrefix("/products/"):
            let id = path.dropFirst("/products/".count)
            guard !id.isEmpty, id.allSatisfy(\.isASCII), let n = Int(id), n >= 0 else {
                return ("products", .notFound, #"{"error":"no such product"}"#)
            }
            return ("products", .ok, #"{"id":\#(n),"name":"Product \#(n)","price":\#(Double(n % 1000) + 0.99),"in_stock":\#(n % 7 != 0)}"#)
        default:
            return ("other", .notFound, #"{"error":"not found"}"#)
        }
    }

    /// The largest `GET /bytes/N`.
    static let maxBytesBody = 16 << 20

    private static func routeName(_ path: String) -> String {
        switch path {
        case "/": "root"
        case "/checkout": "checkout"
        case _ where path.hasPrefix("/products/"): "products"
        case _ where path.hasPrefix("/bytes/"): "bytes"
        default: "other"
        }
    }

    private static func respond(context: ChannelHandlerContext, version: HTTPVersion, status: HTTPResponseStatus, body: String, contentType: String, keepAlive: Bool) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.utf8.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
