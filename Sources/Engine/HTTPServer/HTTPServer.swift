import Core
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server on SwiftNIO for the run's control endpoints (README, *Live control and
/// dashboard*): one event-loop thread of its own, off the load's reactors, handing each request to
/// an async handler. Keep-alive and pipelining are handled (answers go out in order); a response
/// can be a body or a stream of text chunks (Server-Sent Events).
///
/// Bounded by design: at most `maxConnections` connections; at most `maxUnterminatedBytes` may
/// arrive on a connection without a blank line (the end of a request head), so a head — or a body,
/// which the control endpoints do not take — cannot grow without limit (431, then the connection closes).
public final class HTTPServer: Sendable {
    /// A request as the handler sees it.
    public struct Request: Sendable {
        /// `GET`, `POST`, …
        public var method: String
        /// The path without the query, as sent (`/status`).
        public var path: String
        /// The query's parameters, percent-decoded (the first of each name).
        public var query: [String: String]
        /// Header fields in the order received.
        public var headers: [(name: String, value: String)]

        public init(method: String, path: String, query: [String: String] = [:], headers: [(name: String, value: String)] = []) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
        }

        /// The first header named `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        /// Splits a request target into its path and percent-decoded query parameters.
        public static func split(target: String) -> (path: String, query: [String: String]) {
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts.first.map(String.init) ?? target
            var query: [String: String] = [:]
            if parts.count > 1 {
                for pair in parts[1].split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let decode = { (s: Substring) in
                        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
                    }
                    let name = decode(kv[0])
                    if query[name] == nil { query[name] = kv.count > 1 ? decode(kv[1]) : "" }
                }
            }
            return (path, query)
        }
    }

    /// A response: a status, header fields, and a body or a stream of chunks.
    public struct Response: Sendable {
        public enum Body: Sendable {
            /// The whole body; `content-length` is set from it.
            case bytes([UInt8])
            /// Chunks written as they come (chunked transfer encoding) until the stream finishes.
            case stream(AsyncStream<String>)
        }

        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: Body

        public init(status: Int, headers: [(name: String, value: String)] = [], body: Body) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A text body with its content type.
        public static func text(_ status: Int, _ text: String, contentType: String,
                                headers: [(name: String, value: String)] = []) -> Response {
            Response(status: status, headers: [("content-type", contentType)] + headers, body: .bytes(Array(text.utf8)))
        }
    }

    /// Answers one request.
    public typealias Handler = @Sendable (Request) async -> Response

    /// At most this many bytes may arrive on a connection without a blank line.
    public static let maxUnterminatedBytes = 16 * 1024
    /// Connections beyond this many are closed at once.
    public static let maxConnections = 64

    /// The address it listens on, as given, and the port (the one picked when 0 was asked for).
    public let host: String
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let connections: ConnectionSet

    private init(host: String, port: Int, group: MultiThreadedEventLoopGroup, channel: Channel, connections: ConnectionSet) {
        self.host = host
        self.port = port
        self.group = group
        self.channel = channel
        self.connections = connections
    }

    /// Starts listening on `host:port` (port 0 picks a free one). Throws `StressError(.usage)` when
    /// it cannot listen there.
    public static func start(host: String, port: Int, handler: @escaping Handler) async throws -> HTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionSet()
        // Above the guard's limit, so the guard's 431 comes first; they only back it up.
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 2 * maxUnterminatedBytes
        limits.maxHeaderListSize = 2 * maxUnterminatedBytes
        limits.maxHeaderFieldCount = 100
        let decoderLimits = limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                do {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(RequestSizeGuard(limit: maxUnterminatedBytes))
                    try sync.configureHTTPServerPipeline(withErrorHandling: true, withEncoderConfiguration: .init(),
                                                         withDecoderLimitConfiguration: decoderLimits)
                    try sync.addHandler(HTTPServerChannelHandler(handler: handler))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return HTTPServer(host: host, port: channel.localAddress?.port ?? port, group: group, channel: channel, connections: connections)
        } catch {
            try? await group.shutdownGracefully()
            throw StressError(.usage, "cannot listen on \(host):\(port): \(error)", hint: "choose another address or port (port 0 picks a free one)")
        }
    }

    /// Stops listening, closes every connection (ending their streams) and ends its thread.
    public func stop() async {
        try? await channel.close().get()
        for connection in connections.all() {
            try? await connection.close().get()
        }
        try? await group.shutdownGracefully()
    }
}

/// The open connections, to refuse those beyond the limit and close the rest on `stop`.
private final class ConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: Channel]>([:])

    func admit(_ channel: Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = channels.withLock { c -> Bool in
            guard c.count < HTTPServer.maxConnections else { return false }
            c[id] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.channels.withLock { _ = $0.removeValue(forKey: id) }
            }
        }
        return admitted
    }

    func all() -> [Channel] { channels.withLock { Array($0.values) } }
}
