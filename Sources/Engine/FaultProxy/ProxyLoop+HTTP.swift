/// Plain HTTP/1.1: each request's head is read whole, its fault decided, then it goes upstream
/// without the `x-stress-ci-request` header (or is answered, reset or swallowed here), its body
/// after it by `Content-Length`; the response is relayed as it comes, `HTTPResponseParser`
/// telling where it ends, and only then is the next request looked at.
///
/// A request with a `Transfer-Encoding` body (chunked) or a `CONNECT`, and the connection after
/// a `101 Switching Protocols`, are relayed unchanged both ways for the rest of the connection,
/// without faults: the load engine never sends them, and the proxy does not parse them.
extension ProxyLoop {
    /// Bytes just read from the client.
    func fromClient(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) {
        if passthrough { return tunnelFromClient(s, bytes) }
        switch s.phase {
        case .tunnel: return sendToUpstream(s, bytes, releaseAt: 0)
        case .blackholed, .closing: return
        case .waiting: return s.backlog.append(contentsOf: bytes)
        case .head, .body: break
        }
        guard s.backlog.isEmpty else { return s.backlog.append(contentsOf: bytes) }
        let used = consume(s, bytes)
        if used < bytes.count && s.ending == nil { s.backlog.append(contentsOf: bytes[used...]) }
    }

    /// Bytes just read from upstream.
    func fromUpstream(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) {
        if passthrough { return tunnelFromUpstream(s, bytes) }
        // Bytes with no request waiting for them (a tunnel, a server's parting 408) go through as they are.
        guard s.awaitingResponse else { return sendToClient(s, bytes) }
        var consumed = 0
        switch s.responseParser.feed(bytes, endingAt: &consumed) {
        case .incomplete:
            sendToClient(s, bytes)
        case .invalid:
            // Not HTTP: the client could not make sense of it either.
            s.ending = .close
        case .complete(let response):
            sendToClient(s, UnsafeRawBufferPointer(rebasing: bytes[..<consumed]))
            responseComplete(s, response)
            // After a 101, the bytes are the new protocol's; otherwise the server sent more than
            // it was asked for, which goes through as it is.
            if consumed < bytes.count, s.phase.isOpen {
                sendToClient(s, UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
            }
        }
    }

    /// Takes client bytes for the current request and the ones after it; returns how many were
    /// used (fewer when a request waits for its response first).
    private func consume(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < bytes.count && s.ending == nil {
            switch s.phase {
            case .head:
                i += takeHead(s, UnsafeRawBufferPointer(rebasing: bytes[i...]))
            case .body(let remaining):
                let n = min(remaining, bytes.count - i)
                if !s.discardBody { sendToUpstream(s, UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]), releaseAt: s.releaseAt) }
                i += n
                guard case .body = s.phase else { continue }  // the upstream went away meanwhile
                if n == remaining { requestSent(s) } else { s.phase = .body(remaining: remaining - n) }
            case .waiting:
                return i
            case .tunnel:
                sendToUpstream(s, UnsafeRawBufferPointer(rebasing: bytes[i...]), releaseAt: 0)
                return bytes.count
            case .blackholed, .closing:
                return bytes.count
            }
        }
        return bytes.count
    }

    /// Adds bytes to the request head; when it is complete, starts the request. Returns how many
    /// bytes belonged to the head.
    private func takeHead(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) -> Int {
        var start = 0
        if s.head.isEmpty {
            // Blank lines before a request line are tolerated (RFC 9112, 2.2).
            while start < bytes.count && (bytes[start] == 13 || bytes[start] == 10) { start += 1 }
            if start == bytes.count { return start }
        }
        let old = s.head.count
        let take = min(bytes.count - start, Self.maxHead - old)
        s.head.append(contentsOf: bytes[start..<(start + take)])
        let end = s.head.withUnsafeBytes { RequestHead.end(in: $0, from: old - 3) }
        guard let end else {
            if s.head.count >= Self.maxHead { s.ending = .close }  // a head this long is refused
            return start + take
        }
        s.head.removeLast(s.head.count - end)
        beginRequest(s)
        return start + (end - old)
    }

    /// A request head is complete: decides its fate and sets the exchange going.
    private func beginRequest(_ s: ProxySession) {
        defer { s.head.removeAll(keepingCapacity: s.head.capacity <= 4096) }
        guard let head = s.head.withUnsafeBytes({ RequestHead.parse($0) }) else {
            s.ending = .close
            return
        }
        requests &+= 1
        if head.tunnel {
            forwardHead(s, head, releaseAt: 0)
            throttle(s, bytesPerSecond: nil, up: true, down: true)
            s.phase = .tunnel
            return
        }
        let decision = plan.isEmpty ? FaultPlan.Decision() : plan.decide(requestIndex: head.requestIndex, now: clock())
        switch decision.ending {
        case .reset:
            // The connection breaks mid-response: the start of a status line, then an RST. A
            // reset before any response byte on a reused connection is an idle close to an HTTP
            // client, which retries it elsewhere (the load engine does); these bytes make it a
            // failed request, as a crash mid-answer is.
            if s.toClient.isEmpty { Self.resetPrefix.withUnsafeBytes { sendToClient(s, $0) } }
            s.ending = .reset
        case .blackhole:
            // Nothing more goes upstream; the client waits until it gives up.
            closeUpstream(s)
            s.phase = .blackholed
        case .error(let status):
            // A client waiting for `100 Continue` may never send the body: end the connection.
            let close = head.close || head.expectsContinue
            throttle(s, bytesPerSecond: nil, up: true, down: true)
            Self.errorResponse(status: status, close: close).withUnsafeBytes { sendToClient(s, $0) }
            s.awaitingResponse = false
            if close {
                s.phase = .closing
                s.closeWhenFlushed = true
            } else {
                s.discardBody = true
                startBody(s, length: head.contentLength)
            }
        case nil:
            s.releaseAt = decision.delay > 0 ? Reactor.monotonicNow() &+ decision.delay : 0
            throttle(s, bytesPerSecond: decision.bytesPerSecond, up: true, down: true)
            s.responseParser.reset(expectsBody: !head.isHEAD, captureBody: false)
            s.awaitingResponse = true
            s.discardBody = false
            forwardHead(s, head, releaseAt: s.releaseAt)
            startBody(s, length: head.contentLength)
        }
    }

    /// The head is through: the body follows, if any. Not when the upstream went away meanwhile.
    private func startBody(_ s: ProxySession, length: Int) {
        guard s.phase.isOpen else { return }
        if length > 0 { s.phase = .body(remaining: length) } else { requestSent(s) }
    }

    /// The request's last byte is read: wait for its response, or go on with the next request.
    private func requestSent(_ s: ProxySession) {
        guard s.phase.isOpen else { return }
        s.phase = s.awaitingResponse ? .waiting : .head
    }

    /// Sends the head upstream without its `x-stress-ci-request` lines.
    private func forwardHead(_ s: ProxySession, _ head: RequestHead, releaseAt: Int64) {
        guard !head.stripped.isEmpty else { return s.head.withUnsafeBytes { sendToUpstream(s, $0, releaseAt: releaseAt) } }
        scratch.removeAll(keepingCapacity: true)
        var from = 0
        for range in head.stripped {
            scratch.append(contentsOf: s.head[from..<range.lowerBound])
            from = range.upperBound
        }
        scratch.append(contentsOf: s.head[from...])
        scratch.withUnsafeBytes { sendToUpstream(s, $0, releaseAt: releaseAt) }
    }

    /// The response to the current request has been relayed whole.
    private func responseComplete(_ s: ProxySession, _ response: HTTPResponseParser.Response) {
        s.awaitingResponse = false
        if response.status == 101 {
            // Another protocol from here on: relay it, and what the client already sent.
            s.phase = .tunnel
            let backlog = s.backlog
            s.backlog = []
            backlog.withUnsafeBytes { sendToUpstream(s, $0, releaseAt: 0) }
            return
        }
        if response.close {
            closeUpstream(s)
            s.phase = .closing
            s.closeWhenFlushed = true
            s.backlog = []
            return
        }
        guard case .waiting = s.phase else { return }
        s.phase = .head
        guard !s.backlog.isEmpty else { return }
        let pending = s.backlog
        s.backlog = []
        let used = pending.withUnsafeBytes { consume(s, $0) }
        if used < pending.count && s.ending == nil { s.backlog = Array(pending[used...]) }
    }

    /// What a reset request receives before the RST.
    static let resetPrefix = Array("HTTP/1.1 ".utf8)

    /// The proxy's own answer: the status, no body.
    static func errorResponse(status: Int, close: Bool) -> [UInt8] {
        let reason = switch status {
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Injected Fault"
        }
        let connection = close ? "Connection: close\r\n" : ""
        return Array("HTTP/1.1 \(status) \(reason)\r\nContent-Length: 0\r\n\(connection)\r\n".utf8)
    }
}
