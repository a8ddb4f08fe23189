import Foundation
import NIOCore
import Synchronization
@testable import Engine

/// The upstream of the fault proxy's tests: a small HTTP/1.1 server (on `LoopbackServer`) that
/// records every request head it reads.
///
/// `GET /hello` (5 bytes), `GET /echo` and `POST /echo` (the request head and body as the server
/// read them), `GET /chunked`, `GET /big/N` (N bytes), `GET /close` (`Connection: close`),
/// `GET /eof` (no length: the body ends at the close), `GET /empty` (204); `HEAD` answers with
/// the head alone; anything else is 404.
final class ProxyTestUpstream: Sendable {
    private let server: LoopbackServer
    private let recorder: HeadRecorder

    private init(server: LoopbackServer, recorder: HeadRecorder) {
        self.server = server
        self.recorder = recorder
    }

    var port: Int { server.port }
    /// Every request head read so far, in order.
    var heads: [String] { recorder.all }

    static func start() async throws -> ProxyTestUpstream {
        let recorder = HeadRecorder()
        let server = try await LoopbackServer.start { channel in
            try channel.pipeline.syncOperations.addHandler(UpstreamHandler(record: { recorder.append($0) }))
        }
        return ProxyTestUpstream(server: server, recorder: recorder)
    }

    func stop() async throws { try await server.stop() }
}

/// Request heads, appended from the server's thread.
private final class HeadRecorder: Sendable {
    private let heads = Mutex<[String]>([])
    func append(_ head: String) { heads.withLock { $0.append(head) } }
    var all: [String] { heads.withLock { $0 } }
}

private final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let record: @Sendable (String) -> Void
    private var pending: [UInt8] = []

    init(record: @escaping @Sendable (String) -> Void) { self.record = record }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let (head, body, used) = nextRequest() {
            pending.removeFirst(used)
            record(head)
            answer(context, head: head, body: body)
        }
    }

    /// The first complete request in `pending`: its head, its body, and the bytes it took.
    private func nextRequest() -> (String, [UInt8], Int)? {
        guard pending.count >= 4 else { return nil }
        var end: Int?
        for i in 0...(pending.count - 4) where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            end = i + 4
            break
        }
        guard let end else { return nil }
        let head = String(decoding: pending[..<end], as: UTF8.self)
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        guard pending.count >= end + length else { return nil }
        return (head, Array(pending[end..<(end + length)]), end + length)
    }

    private func write(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    private func write(_ context: ChannelHandlerContext, _ text: String) { write(context, Array(text.utf8)) }

    private func answer(_ context: ChannelHandlerContext, head: String, body: [UInt8]) {
        let requestLine = head.prefix(while: { $0 != "\r" }).split(separator: " ")
        let method = requestLine.first.map(String.init) ?? ""
        let path = requestLine.count > 1 ? String(requestLine[1]) : ""
        if method == "HEAD" {
            return write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
        }
        switch path {
        case "/hello":
            write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Upstream: yes\r\nContent-Length: 5\r\n\r\nhello")
        case "/echo":
            let echoed = Array(head.utf8) + body
            write(context, Array("HTTP/1.1 200 OK\r\nContent-Length: \(echoed.count)\r\n\r\n".utf8) + echoed)
        case "/chunked":
            write(context, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n")
            write(context, "5\r\nhello\r\n")
            write(context, "1a\r\n, this body comes chunked\r\n")
            write(context, "0\r\n\r\n")
        case "/close":
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye")
            context.close(promise: nil)
        case "/eof":
            write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until close")
            context.close(promise: nil)
        case "/empty":
            write(context, "HTTP/1.1 204 No Content\r\n\r\n")
        case let big where big.hasPrefix("/big/"):
            let size = Int(big.dropFirst(5)) ?? 0
            write(context, Array("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n".utf8) + proxyTestPattern(size))
        default:
            write(context, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

/// `size` bytes that are not all alike, so a reordering or a lost chunk shows.
func proxyTestPattern(_ size: Int) -> [UInt8] { (0..<max(0, size)).map { UInt8(truncatingIfNeeded: $0 % 251) } }

/// A TCP server that sends back every byte it reads: the upstream for TLS passthrough.
enum EchoUpstream {
    static func start() async throws -> LoopbackServer {
        try await LoopbackServer.start { channel in try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
    }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

/// The scenario clock the tests move by hand.
final class FakeScenarioClock: Sendable {
    private let value = Atomic<Int64>(0)
    func set(_ nanos: Int64) { value.store(nanos, ordering: .sequentiallyConsistent) }
    var now: @Sendable () -> Int64 { { [self] in value.load(ordering: .sequentiallyConsistent) } }
}

/// Runs blocking socket code on a thread of its own, off the cooperative pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
