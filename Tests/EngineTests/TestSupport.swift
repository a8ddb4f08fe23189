import Core
import Engine
import Foundation
import Metrics
import NIOCore
import NIOPosix

/// A scenario for tests: one constant stage at `level` for `seconds` unless stages are given.
func makeScenario(
    model: LoadModel = .open, level: Double, seconds: Double, stages: [Stage]? = nil, start: Double? = nil,
    requests: [RequestSpec] = [RequestSpec(name: "product", path: Template(literal: "/products/1"))],
    connections: Int = 16, maxInFlight: Int = 1024, timeout: Duration = .seconds(5), warmup: Duration = .zero,
    keepalive: Bool = true, think: Duration = .zero
) -> Scenario {
    let load = LoadSpec(
        model: model, warmup: warmup, start: start ?? level,
        stages: stages ?? [Stage(name: "main", duration: .nanoseconds(Int64(seconds * 1e9)), target: level)],
        maxInFlight: maxInFlight, connections: connections, think: think, timeout: timeout, keepalive: keepalive)
    return Scenario(name: "test", target: TargetSpec(endpoint: .builtin(DemoTargetOptions())), load: load, requests: requests)
}

/// Runs a scenario against a local port; collects the per-second series too.
func runLoad(_ scenario: Scenario, port: Int, tls: Bool = false, insecure: Bool = false, threads: Int = 2) async throws -> (RunResultMetrics, [SecondStats]) {
    let seconds = SecondsBox()
    let generator = LoadGenerator(scenario: scenario, endpoint: Endpoint(host: "127.0.0.1", port: port, tls: tls, insecure: insecure), threads: threads)
    let result = try await generator.run { seconds.append($0) }
    return (result, seconds.all)
}

/// Collects `onSecond` calls from whatever thread makes them.
final class SecondsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [SecondStats] = []
    func append(_ s: SecondStats) { lock.lock(); items.append(s); lock.unlock() }
    var all: [SecondStats] { lock.lock(); defer { lock.unlock() }; return items }
}

/// A port nothing listens on, so a connect to it is refused: bound on 127.0.0.1 and kept bound,
/// never listening, for the rest of the test process. Closing it instead would let another
/// test's server (tests run in parallel) take the port meanwhile.
func closedPort() async throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else {
        close(fd)
        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE)
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A deliberately minimal HTTP server for framings the demo target does not produce.
final class RawServer: Sendable {
    enum Mode: Sendable {
        /// Chunked bodies, the head and each chunk flushed separately.
        case chunked
        /// Every response says `Connection: close`, and the server closes.
        case connectionClose
        /// Keep-alive, but a connection idle for `idleMillis` is closed by the server without notice.
        case idleClose(idleMillis: Int64)
        /// Keep-alive, but the server closes silently after every `n` responses.
        case closeAfter(Int)
        /// No length: the body ends when the server closes.
        case untilClose
        /// A `Content-Length` body of this many bytes (more than one read), ending in `END`.
        case largeBody(Int)
        /// Accepts connections and reads, never answers (and never speaks TLS).
        case silent
    }

    private let server: LoopbackServer
    private let accepted: NIOLockedCounter

    private init(server: LoopbackServer, accepted: NIOLockedCounter) {
        self.server = server
        self.accepted = accepted
    }

    var port: Int { server.port }

    /// Connections accepted so far.
    var connectionsAccepted: Int { accepted.value }

    static func start(_ mode: Mode) async throws -> RawServer {
        let accepted = NIOLockedCounter()
        let server = try await LoopbackServer.start { channel in
            accepted.increment()
            try channel.pipeline.syncOperations.addHandler(RawHandler(mode: mode))
        }
        return RawServer(server: server, accepted: accepted)
    }

    func stop() async throws { try await server.stop() }
}

/// A one-thread NIO server on an ephemeral 127.0.0.1 port; `configure` sets up each accepted
/// connection's pipeline. The test servers here are built on it.
struct LoopbackServer: Sendable {
    let port: Int
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup

    static func start(_ configure: @escaping @Sendable (Channel) throws -> Void) async throws -> LoopbackServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                do {
                    try configure(channel)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LoopbackServer(port: channel.localAddress?.port ?? 0, channel: channel, group: group)
    }

    func stop() async throws {
        try? await channel.close().get()
        try await group.shutdownGracefully()
    }
}

final class NIOLockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

private final class RawHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let mode: RawServer.Mode
    private var pending: [UInt8] = []
    private var answered = 0
    private var idleTimer: Scheduled<Void>?

    init(mode: RawServer.Mode) { self.mode = mode }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context: context)
        context.fireChannelActive()
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        guard case .idleClose(let millis) = mode else { return }
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: .milliseconds(millis)) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        idleTimer?.cancel()
        // Requests here are GETs without bodies: each ends with an empty line.
        while let end = headEnd() {
            pending.removeFirst(end)
            answer(context: context)
        }
    }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4) where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    private func write(_ context: ChannelHandlerContext, _ text: String, flush: Bool = true) {
        let buffer = context.channel.allocator.buffer(string: text)
        if flush { context.writeAndFlush(wrapOutboundOut(buffer), promise: nil) } else { context.write(wrapOutboundOut(buffer), promise: nil) }
    }

    private func answer(context: ChannelHandlerContext) {
        answered += 1
        switch mode {
        case .chunked:
            write(context, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n")
            write(context, "5\r\nhello\r\n")
            write(context, "1a\r\n, this body comes chunked\r\n")
            write(context, "0\r\n\r\n")
        case .connectionClose:
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            context.close(promise: nil)
        case .idleClose:
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            armIdleTimer(context: context)
        case .closeAfter(let n):
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            if answered % n == 0 { context.close(promise: nil) }
        case .untilClose:
            write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until close")
            context.close(promise: nil)
        case .largeBody(let size):
            let body = String(repeating: "x", count: max(0, size - 3)) + "END"
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        case .silent:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A self-signed certificate for 127.0.0.1 / localhost (P-256, valid until 2126), made with
/// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
/// -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1`. Test use only.
let testCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUP8wIxcq9Y8AH4g2TeGR5pp7Zl94wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzIxMTIwMFoYDzIxMjYxMTAz
MjExMjAwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATqLYaBUlWrSvqtfJTvTdT2/yGtqTHzloXK6xmZuwf/L4jP2OurWqIO
l5b7pagZDPO+FTmxEHN+b3m+jl4sTpyxo28wbTAdBgNVHQ4EFgQUNp52Ch8PemNv
BCGWOirZQdhDw+4wHwYDVR0jBBgwFoAUNp52Ch8PemNvBCGWOirZQdhDw+4wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIhAIV+WNsGX9w0WKb9+CoSVWp6cUNDja8ySuGpE8f6kJG9AiAm
l93Z/hqhsw4hAYSk07Hrb2lIdV0jPJFRbzOR7arhEQ==
-----END CERTIFICATE-----
"""

let testPrivateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKREaSwIPr9ur5xNF
oAKmaINSgLDiWMTpJLj8pik27IihRANCAATqLYaBUlWrSvqtfJTvTdT2/yGtqTHz
loXK6xmZuwf/L4jP2OurWqIOl5b7pagZDPO+FTmxEHN+b3m+jl4sTpyx
-----END PRIVATE KEY-----
"""
