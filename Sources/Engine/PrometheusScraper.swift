import Core
import NIOCore
import NIOPosix
import NIOSSL

/// Fetches a target's Prometheus metrics page (SPEC §3 `target.metrics`): one GET on a fresh,
/// short connection per scrape, the whole body read whatever its framing (Content-Length,
/// chunked, or until the close).
///
/// Parsing and rates are the Metrics module's (`PrometheusParser`, `PromRateTracker`); the run
/// decides when to scrape.
public final class PrometheusScraper: Sendable {
    public let endpoint: Endpoint
    /// The page's path, always starting with `/`; the endpoint's base path is not prepended,
    /// as with `target.ready`.
    public let path: String
    /// The limit on one scrape: connect, request and the whole response.
    public let timeout: Duration
    /// Made once: building a TLS context loads the trust roots.
    private let tls: Result<NIOSSLContext?, any Error>

    /// The metrics page bigger than this is refused: `HTTPResponseParser` keeps at most 1 MiB of
    /// a body, and a cut page would read as valid but partial metrics.
    static let maxBody = 1 << 20

    public init(endpoint: Endpoint, path: String, timeout: Duration = .seconds(2)) {
        self.endpoint = endpoint
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.timeout = timeout
        self.tls = Result { try OneShotGET.tlsContext(for: endpoint) }
    }

    /// The metrics page's text.
    ///
    /// - Throws: `PrometheusScrapeError` when the target cannot be reached, times out, answers
    ///   other than 2xx, or sends a malformed or too large response.
    public func scrape() async throws -> String {
        let tls: NIOSSLContext?
        do { tls = try self.tls.get() } catch { throw PrometheusScrapeError(url: url, reason: "TLS setup failed: \(error)") }
        let response: OneShotGET.Response
        do {
            response = try await OneShotGET.run(
                endpoint: endpoint, path: path, tls: tls, timeout: .nanoseconds(timeout.nanoseconds),
                extraHeaders: "Accept: text/plain;version=0.0.4\r\n"
            ) { BodyHandler(promise: $0) }
        } catch is InvalidResponse {
            throw PrometheusScrapeError(url: url, reason: "not a valid HTTP/1.x response")
        } catch {
            throw PrometheusScrapeError(url: url, reason: ReadinessProbe.describe(error))
        }
        guard (200..<300).contains(response.status) else {
            throw PrometheusScrapeError(url: url, reason: "answered \(response.status)")
        }
        guard response.body.count < Self.maxBody else {
            throw PrometheusScrapeError(url: url, reason: "the page is larger than \(Self.maxBody >> 20) MiB")
        }
        return String(decoding: response.body, as: UTF8.self)
    }

    private var url: String {
        let h = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        return "\(endpoint.tls ? "https" : "http")://\(h):\(endpoint.port)\(path)"
    }
}

/// A failed scrape: which URL, and why ("connection refused", "timed out", "answered 404", …).
public struct PrometheusScrapeError: Error, Sendable, CustomStringConvertible {
    public let url: String
    public let reason: String

    public var description: String { "cannot scrape \(url): \(reason)" }
}

/// One HTTP/1.1 GET on a fresh connection that closes after the response (`Connection: close`),
/// plain or TLS — what the readiness probe and the metrics scraper share. The caller's handler
/// reads the response and completes the promise; the connection closes when it does, or when
/// `timeout` (connect, request and response together) fails it with `ProbeTimeout`.
enum OneShotGET {
    /// A complete response with its body.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// The TLS context an endpoint needs; nil for plain HTTP.
    static func tlsContext(for endpoint: Endpoint) throws -> NIOSSLContext? {
        guard endpoint.tls else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if endpoint.insecure { configuration.certificateVerification = .none }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Sends `GET path` and waits for `makeHandler`'s handler to complete the promise.
    ///
    /// - Parameter extraHeaders: header lines, each ending in `\r\n`, after the standard ones.
    static func run<Value: Sendable>(
        endpoint: Endpoint, path: String, tls: NIOSSLContext?, timeout: TimeAmount, extraHeaders: String = "",
        makeHandler: @escaping @Sendable (EventLoopPromise<Value>) -> any ChannelHandler
    ) async throws -> Value {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: Value.self)
        let isIPLiteral = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
        let hostname = isIPLiteral ? nil : endpoint.host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                do {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(makeHandler(promise))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let timer = loop.scheduleTask(in: timeout) { promise.fail(ProbeTimeout()) }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\nUser-Agent: stress-ci\r\nConnection: close\r\n\(extraHeaders)\r\n"
        bootstrap.connect(host: endpoint.host, port: endpoint.port).whenComplete { result in
            switch result {
            case .success(let channel):
                var buffer = channel.allocator.buffer(capacity: request.utf8.count)
                buffer.writeString(request)
                channel.writeAndFlush(buffer, promise: nil)
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
            case .failure(let error):
                promise.fail(error)
            }
        }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }
}

/// The response was not HTTP/1.x.
private struct InvalidResponse: Error {}

/// Reads a whole response with `HTTPResponseParser` and fulfils the promise with it.
private final class BodyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<OneShotGET.Response>
    private var parser = HTTPResponseParser()

    init(promise: EventLoopPromise<OneShotGET.Response>) {
        self.promise = promise
        parser.reset(expectsBody: true, captureBody: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch parser.feed(&buffer) {
        case .incomplete: break
        case .complete(let response): complete(response, context: context)
        case .invalid:
            promise.fail(InvalidResponse())
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .complete(let response) = parser.finishAtClose() {
            promise.succeed(OneShotGET.Response(status: response.status, body: response.body ?? []))
        } else {
            promise.fail(ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A TLS peer that closes without close_notify still ends a body delimited by the close.
        if let error = error as? NIOSSLError, case .uncleanShutdown = error { return }
        promise.fail(error)
        context.close(promise: nil)
    }

    private func complete(_ response: HTTPResponseParser.Response, context: ChannelHandlerContext) {
        promise.succeed(OneShotGET.Response(status: response.status, body: response.body ?? []))
        context.close(promise: nil)
    }
}
