#if canImport(Glibc)
import Glibc
#endif
import CLoadIO

/// The production transport of a worker: non-blocking sockets (with OpenSSL for https) watched
/// by the worker's `Reactor`.
struct SocketTransport: WorkerTransport {
    let target: SocketTarget
    let reactor: Reactor

    func connect(token: UInt64) -> Transport? {
        guard let socket = target.address.withSockAddr({ Transport.connect(to: $0, length: $1) }) else { return nil }
        guard reactor.register(socket.fd, interest: .writable, token: token) else {
            socket.close()
            return nil
        }
        return socket
    }

    @inline(__always)
    func watch(_ socket: Transport, for interest: Reactor.Readiness, token: UInt64) {
        reactor.reregister(socket.fd, interest: interest, token: token)
    }

    func advanceConnect(_ socket: inout Transport, tcpConnected: inout Bool,
                        resume: UnsafeMutablePointer<cload_tls_resume>) -> ConnectProgress {
        if !tcpConnected {
            guard socket.connectSucceeded() else { return .failed }
            tcpConnected = true
            if let tls = target.tls {
                guard socket.startTLS(tls, serverName: target.serverHostname, checkHost: target.verifyHost,
                                      checkIsIP: target.verifyHostIsIP, resume: resume)
                else { return .failed }
            }
        }
        switch socket.handshake() {
        case .done: return .ready(resumedSession: socket.resumedSession)
        case .wantsRead: return .waitReadable
        case .wantsWrite: return .waitWritable
        case .failed: return .failed
        }
    }
}

extension Transport: WorkerSocket {
    @inline(__always)
    func mayHaveMore(afterReading n: Int, capacity: Int) -> Bool {
        // A plain socket that filled the buffer may hold more; TLS may hold decrypted bytes that
        // will not make the socket readable again.
        tls == nil ? n == capacity : hasBufferedInput
    }
}
