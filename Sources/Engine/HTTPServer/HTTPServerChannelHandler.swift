import NIOCore
import NIOHTTP1

/// Hands each request of one connection to the server's handler and writes its response: a body
/// at once, or a stream chunk by chunk (skipping chunks while the peer does not read, so a stalled
/// reader cannot make the server buffer without limit). NIO's pipelining handler before it holds
/// a connection's next request until this response has ended.
final class HTTPServerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTPServer.Handler
    private var head: HTTPRequestHead?
    /// The stream being written, cancelled when the connection closes.
    private var streaming: Task<Void, Never>?

    init(handler: @escaping HTTPServer.Handler) { self.handler = handler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            // The control endpoints take no body; `RequestSizeGuard` bounds what may arrive.
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let (path, query) = HTTPServer.Request.split(target: head.uri)
            let request = HTTPServer.Request(method: head.method.rawValue, path: path, query: query,
                                             headers: head.headers.map { (name: $0.name, value: $0.value) })
            let keepAlive = head.isKeepAlive
            let version = head.version
            let handler = self.handler
            let promise = context.eventLoop.makePromise(of: HTTPServer.Response.self)
            promise.completeWithTask { await handler(request) }
            promise.futureResult.assumeIsolated().whenSuccess { response in
                self.respond(response, context: context, version: version, keepAlive: keepAlive)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        streaming?.cancel()
        streaming = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(_ response: HTTPServer.Response, context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        switch response.body {
        case .bytes(let bytes):
            headers.replaceOrAdd(name: "content-length", value: String(bytes.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        case .stream(let chunks):
            headers.remove(name: "content-length")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
            let channel = context.channel
            streaming = Task {
                for await chunk in chunks {
                    guard channel.isActive else { break }
                    // A reader that does not keep up misses chunks rather than piling them up here.
                    guard channel.isWritable else { continue }
                    let buffer = channel.allocator.buffer(string: chunk)
                    channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
                }
                guard channel.isActive else { return }
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                    if !keepAlive { channel.close(promise: nil) }
                }
            }
        }
    }
}

/// Refuses a connection on which more than `limit` bytes arrive without a blank line (`\r\n\r\n`,
/// the end of a request head) with a 431 answer, and passes nothing more on from it: no request
/// head, nor anything sent instead of one, can make the server buffer without limit.
final class RequestSizeGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: Int
    /// Bytes since the last blank line.
    private var pending = 0
    /// How much of `\r\n\r\n` the last bytes matched.
    private var matched = 0
    private var refused = false

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let buffer = unwrapInboundIn(data)
        var tooLong = false
        for byte in buffer.readableBytesView {
            pending += 1
            if pending > limit {
                tooLong = true
                break
            }
            switch (matched, byte) {
            case (0, UInt8(ascii: "\r")), (2, UInt8(ascii: "\r")): matched += 1
            case (1, UInt8(ascii: "\n")): matched = 2
            case (3, UInt8(ascii: "\n")):
                matched = 0
                pending = 0
            default: matched = byte == UInt8(ascii: "\r") ? 1 : 0
            }
        }
        guard !tooLong else {
            refused = true
            let answer = "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            let channel = context.channel
            // Half-close after the answer and read on (discarding) until the peer closes: closing
            // with unread bytes would reset the connection and could lose the answer. Closed
            // for good 2 s later whatever the peer does.
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: answer))).whenComplete { _ in
                channel.close(mode: .output, promise: nil)
            }
            context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
            return
        }
        context.fireChannelRead(data)
    }
}
