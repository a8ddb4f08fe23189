#if canImport(Glibc)
import Glibc
#endif
import CLoadIO
import Core

/// A client TLS configuration for the load engine (OpenSSL, the library wrk and nginx use):
/// TLS 1.2 or later, peer verification unless `insecure` — against `caFile`'s certificates, or
/// the system's roots (OpenSSL's `SSL_CERT_FILE` and `SSL_CERT_DIR` move those).
final class TLSClientContext: @unchecked Sendable {
    fileprivate let context: OpaquePointer

    init(insecure: Bool, caFile: String? = nil) throws(StressError) {
        // OpenSSL writes with write(2): a peer's reset must be an error, not a signal.
        signal(SIGPIPE, SIG_IGN)
        guard let context = cload_tls_context(insecure ? 0 : 1, caFile) else {
            throw StressError(caFile == nil ? .usage : .invalidInput,
                              caFile.map { "cannot read the CA certificates in \($0)" } ?? "cannot set up TLS",
                              hint: Self.lastError())
        }
        self.context = context
    }

    deinit { SSL_CTX_free(context) }

    /// OpenSSL's most recent error on this thread, as text.
    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no detail from OpenSSL" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The byte stream of one connection: a non-blocking TCP socket, with a TLS session over it
/// for https. No buffering of its own; every call is one system call (or OpenSSL's few).
struct Transport {
    enum ReadResult {
        case bytes(Int)
        /// Nothing now; `wantsWrite` when TLS must write before it can read (rare).
        case wouldBlock(wantsWrite: Bool)
        /// The peer closed the stream cleanly.
        case closed
        /// A reset or a TLS failure.
        case failed
    }

    enum WriteResult {
        case wrote(Int)
        /// Nothing written now; `wantsRead` when TLS must read first (rare).
        case wouldBlock(wantsRead: Bool)
        case failed
    }

    enum HandshakeResult {
        case done
        case wantsRead
        case wantsWrite
        case failed
    }

    let fd: CInt
    private(set) var tls: OpaquePointer?

    /// Starts a connect to `address`; the socket becomes writable when it completed, either way.
    static func connect(to address: UnsafePointer<sockaddr>, length: socklen_t) -> Transport? {
        let fd = cload_tcp_connect(address, length)
        return fd >= 0 ? Transport(fd: fd, tls: nil) : nil
    }

    /// After the socket became writable: did the connect succeed?
    func connectSucceeded() -> Bool { cload_socket_error(fd) == 0 }

    /// Puts a TLS session over the connected socket; false when OpenSSL refuses.
    /// `resume` offers the session kept there, and keeps the server's next one.
    mutating func startTLS(_ context: TLSClientContext, serverName: String?, checkHost: String?, checkIsIP: Bool,
                           resume: UnsafeMutablePointer<cload_tls_resume>?) -> Bool {
        tls = cload_tls_session(context.context, fd, serverName, checkHost, checkIsIP ? 1 : 0, resume)
        return tls != nil
    }

    /// After the handshake: the server accepted the offered session (no full handshake).
    var resumedSession: Bool {
        guard let tls else { return false }
        return SSL_session_reused(tls) == 1
    }

    /// Advances the TLS handshake.
    func handshake() -> HandshakeResult {
        guard let tls else { return .done }
        let rc = SSL_do_handshake(tls)
        if rc == 1 { return .done }
        switch SSL_get_error(tls, rc) {
        case SSL_ERROR_WANT_READ: return .wantsRead
        case SSL_ERROR_WANT_WRITE: return .wantsWrite
        default:
            ERR_clear_error()
            return .failed
        }
    }

    /// Reads what is there, up to `count` bytes.
    @inline(__always)
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> ReadResult {
        if let tls {
            let n = SSL_read(tls, buffer, CInt(count))
            if n > 0 { return .bytes(Int(n)) }
            switch SSL_get_error(tls, n) {
            case SSL_ERROR_WANT_READ: return .wouldBlock(wantsWrite: false)
            case SSL_ERROR_WANT_WRITE: return .wouldBlock(wantsWrite: true)
            case SSL_ERROR_ZERO_RETURN: return .closed
            case SSL_ERROR_SYSCALL where n == 0 && ERR_peek_error() == 0:
                // EOF without close_notify: many servers close that way.
                return .closed
            default:
                ERR_clear_error()
                return .failed
            }
        }
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock(wantsWrite: false)
            default: return .failed
            }
        }
    }

    /// True when TLS holds bytes already read from the socket but not yet returned: they will
    /// not make the socket readable again.
    var hasBufferedInput: Bool {
        guard let tls else { return false }
        return SSL_has_pending(tls) == 1
    }

    /// Writes as much of `bytes` as the socket takes now. TLS writes all or nothing, and a
    /// write that would block must be repeated with the same bytes.
    @inline(__always)
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .wrote(0) }
        if let tls {
            let n = SSL_write(tls, base, CInt(bytes.count))
            if n > 0 { return .wrote(Int(n)) }
            switch SSL_get_error(tls, n) {
            case SSL_ERROR_WANT_WRITE: return .wouldBlock(wantsRead: false)
            case SSL_ERROR_WANT_READ: return .wouldBlock(wantsRead: true)
            default:
                ERR_clear_error()
                return .failed
            }
        }
        while true {
            let n = send(fd, base, bytes.count, CInt(MSG_NOSIGNAL))
            if n >= 0 { return .wrote(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock(wantsRead: false)
            default: return .failed
            }
        }
    }

    /// Closes the socket (which also takes it out of epoll) and frees the TLS session.
    func close() {
        if let tls {
            // Counted as shut down (no close_notify is sent: the response is complete or the
            // connection is broken), so OpenSSL does not mark the session unresumable.
            SSL_set_shutdown(tls, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)
            SSL_free(tls)
        }
        _ = Glibc.close(fd)
    }
}
