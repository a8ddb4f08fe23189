import CLoadIO
@testable import Engine

/// A transport without sockets for the worker's state tests: connects succeed, fail or are
/// refused as told; each request written is answered (or not) as `answer` says, on the manual
/// clock; events reach the worker through `deliver`.
final class FakeTransport: WorkerTransport {
    /// What a connect does.
    enum ConnectOutcome {
        /// Connects after `connectLatency`.
        case accept
        /// Fails after `connectLatency` (a refused or reset connect).
        case fail
        /// Fails at once, without a socket (out of descriptors, say).
        case refuseAtOnce
    }

    /// What the server does with a request.
    enum Answer {
        /// A `200` response with a 2-byte body, this long after the request.
        case respond(after: Nanos)
        /// Nothing, ever.
        case silence
        /// Closes the connection without a byte, this long after the request.
        case close(after: Nanos)
    }

    static let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)

    let clock: ManualClock
    /// Where events go: the worker's `handle`.
    var deliver: (UInt64, Reactor.Readiness) -> Void = { _, _ in }
    var connectOutcome = ConnectOutcome.accept
    var connectLatency = Nanos.zero
    /// The server's answer to the `n`th request (0-based) written on a socket.
    var answer: (_ socket: FakeSocket, _ n: Int) -> Answer = { _, _ in .respond(after: .zero) }
    /// Every socket handed out, in order.
    private(set) var sockets: [FakeSocket] = []
    /// The scenario time of every connect attempt.
    private(set) var connectAttempts: [Nanos] = []

    init(clock: ManualClock) { self.clock = clock }

    /// Requests written on every socket: their scenario times, in order.
    var requestTimes: [Nanos] { sockets.flatMap(\.requests).sorted() }

    func connect(token: UInt64) -> FakeSocket? {
        connectAttempts.append(clock.now())
        if case .refuseAtOnce = connectOutcome { return nil }
        let socket = FakeSocket(transport: self, index: sockets.count, token: token, failsConnect: connectOutcome == .fail)
        sockets.append(socket)
        clock.schedule(in: connectLatency) { [self] in
            guard !socket.isClosed else { return }
            deliver(socket.token, .writable)
        }
        return socket
    }

    func watch(_ socket: FakeSocket, for interest: Reactor.Readiness, token: UInt64) {
        socket.token = token
        socket.interest = interest
    }

    func advanceConnect(_ socket: inout FakeSocket, tcpConnected: inout Bool,
                        resume: UnsafeMutablePointer<cload_tls_resume>) -> ConnectProgress {
        if socket.failsConnect { return .failed }
        tcpConnected = true
        return .ready(resumedSession: false)
    }

    /// A whole request went out on `socket`: the server answers it.
    fileprivate func requestWritten(on socket: FakeSocket) {
        switch answer(socket, socket.requests.count - 1) {
        case .respond(let delay):
            clock.schedule(in: delay) { [self] in
                guard !socket.isClosed else { return }
                socket.inbound.append(Self.response)
                deliver(socket.token, .readable)
            }
        case .silence:
            break
        case .close(let delay):
            clock.schedule(in: delay) { [self] in
                guard !socket.isClosed else { return }
                socket.peerClosed = true
                deliver(socket.token, .readable)
            }
        }
    }
}

/// One connection of `FakeTransport`: what was written on it and what the server sends back.
final class FakeSocket: WorkerSocket {
    private unowned let transport: FakeTransport
    /// Its place among the transport's sockets (0: the first connected).
    let index: Int
    var token: UInt64
    var interest: Reactor.Readiness = .writable
    let failsConnect: Bool
    /// Scenario times at which whole requests were written.
    private(set) var requests: [Nanos] = []
    /// Bytes the server sent that the worker has not read yet.
    var inbound: [[UInt8]] = []
    /// The server closed its end (after what is in `inbound`).
    var peerClosed = false
    /// The most a write takes at once (nil: everything); 0 makes writes block.
    var writeLimit: Int?
    /// Bytes of a request written so far, until its head ends.
    private(set) var partial: [UInt8] = []
    private(set) var isClosed = false

    init(transport: FakeTransport, index: Int, token: UInt64, failsConnect: Bool) {
        self.transport = transport
        self.index = index
        self.token = token
        self.failsConnect = failsConnect
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Transport.ReadResult {
        guard !inbound.isEmpty else { return peerClosed ? .closed : .wouldBlock(wantsWrite: false) }
        let chunk = inbound.removeFirst()
        let n = min(count, chunk.count)
        chunk.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: n) }
        if n < chunk.count { inbound.insert(Array(chunk[n...]), at: 0) }
        return .bytes(n)
    }

    func mayHaveMore(afterReading n: Int, capacity: Int) -> Bool { !inbound.isEmpty }

    func write(_ bytes: UnsafeRawBufferPointer) -> Transport.WriteResult {
        guard !isClosed, !peerClosed else { return .failed }
        let n = min(bytes.count, writeLimit ?? bytes.count)
        if n == 0 { return .wouldBlock(wantsRead: false) }
        partial += bytes.prefix(n)
        // The test requests are GETs: a request is whole when its head is.
        if partial.suffix(4).elementsEqual("\r\n\r\n".utf8) {
            partial = []
            requests.append(transport.clock.now())
            transport.requestWritten(on: self)
        }
        return .wrote(n)
    }

    func close() { isClosed = true }
}
