import CLoadIO

/// The byte stream of one connection, as a worker uses it. In production a `Transport` (a
/// non-blocking socket, with TLS for https); in tests a scripted fake.
protocol WorkerSocket {
    /// Reads what is there, up to `count` bytes.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Transport.ReadResult
    /// After a read of `n` bytes into a buffer of `capacity`: more may be readable now without a
    /// new readiness event, so the worker reads again.
    func mayHaveMore(afterReading n: Int, capacity: Int) -> Bool
    /// Writes as much of `bytes` as the stream takes now.
    func write(_ bytes: UnsafeRawBufferPointer) -> Transport.WriteResult
    /// Closes the stream; its events stop.
    func close()
}

/// How a connect attempt stands after an event on its socket.
enum ConnectProgress {
    /// The connection can carry requests (TCP connected; with TLS, the handshake done).
    case ready(resumedSession: Bool)
    /// Still under way: the socket must become readable first.
    case waitReadable
    /// Still under way: the socket must become writable first.
    case waitWritable
    case failed
}

/// Where a worker's connections come from, and how their events reach it: connect, watch,
/// finish a connect. Events come back through the worker's `handle(_:_:)` with the token given
/// here.
///
/// The worker is generic over it (not an existential), so the production path is specialized
/// and calls the socket code directly.
protocol WorkerTransport {
    associatedtype Socket: WorkerSocket

    /// Starts a connect whose events come to the worker under `token` (first: writable, when
    /// it completed either way); nil when it failed at once.
    func connect(token: UInt64) -> Socket?
    /// Changes what the socket's events are watched for (and their token).
    func watch(_ socket: Socket, for interest: Reactor.Readiness, token: UInt64)
    /// A connecting socket had an event: finishes the TCP connect (`tcpConnected` records that
    /// it did), then the TLS handshake, offering the session kept in `resume`.
    func advanceConnect(_ socket: inout Socket, tcpConnected: inout Bool,
                        resume: UnsafeMutablePointer<cload_tls_resume>) -> ConnectProgress
}
