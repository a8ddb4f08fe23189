#if canImport(Glibc)
import Glibc
#endif
import CLoadIO
import Core
import Foundation

/// One HTTP/1.1 GET on a fresh connection that closes after the response (`Connection: close`),
/// plain or TLS — what the readiness probe and the metrics scraper share.
///
/// It speaks through the load engine's own `Transport` (the system's OpenSSL, with the
/// endpoint's `caFile` and `insecure`, SNI and the host check exactly as the load does) and reads
/// with `HTTPResponseParser`, so a probe, a scrape and the load trust the same certificates and
/// read responses the same way. Each exchange runs on a thread of its own, blocking in poll(2)
/// for each step; everything — connect, handshake, request and response — ends by `timeout`.
enum OneShotGET {
    /// A complete response, with its body when it was asked for (at most 1 MiB of it, as
    /// `HTTPResponseParser` keeps).
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Why an exchange failed, worded for a one-line message.
    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case tlsSetup(String)
        case cannotResolve(String)
        case cannotConnect(errno: Int32)
        case timedOut
        case tlsHandshake(String)
        case closedEarly
        case broken
        case invalidResponse
        case tooLarge(Int)

        var description: String {
            switch self {
            case .tlsSetup(let detail): "TLS setup failed: \(detail)"
            case .cannotResolve(let host): "cannot resolve \(host)"
            case .cannotConnect(let code):
                switch code {
                case ECONNREFUSED: "connection refused"
                case ECONNRESET: "connection reset"
                case ETIMEDOUT: "connect timed out"
                case EHOSTUNREACH, ENETUNREACH: "host unreachable"
                default: String(cString: strerror(code))
                }
            case .timedOut: "timed out"
            case .tlsHandshake(let detail): "TLS handshake failed: \(detail)"
            case .closedEarly: "connection closed before a response"
            case .broken: "connection reset or TLS failure"
            case .invalidResponse: "not a valid HTTP/1.x response"
            case .tooLarge(let limit): "the response is larger than \(limit >> 20) MiB"
            }
        }
    }

    /// The TLS context an endpoint needs (nil for plain HTTP): made once per probe or scraper,
    /// since it loads the trust roots.
    static func tlsContext(for endpoint: Endpoint) -> Result<TLSClientContext?, Failure> {
        guard endpoint.tls else { return .success(nil) }
        do throws(StressError) {
            return .success(try TLSClientContext(insecure: endpoint.insecure, caFile: endpoint.caFile))
        } catch {
            return .failure(.tlsSetup(error.hint.map { "\(error.message) (\($0))" } ?? error.message))
        }
    }

    /// Sends `GET path` and reads the response: its head only unless `body`.
    ///
    /// - Parameters:
    ///   - extraHeaders: header lines, each ending in `\r\n`, after the standard ones.
    ///   - maxBytes: a response (head and body) longer than this fails with `.tooLarge`.
    static func run(endpoint: Endpoint, path: String, tls: TLSClientContext?, timeout: Duration,
                    extraHeaders: String = "", body: Bool = false, maxBytes: Int = 2 << 20) async -> Result<Response, Failure> {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\nUser-Agent: stress-ci\r\nConnection: close\r\n\(extraHeaders)\r\n".utf8)
        let deadline = ContinuousClock.now + timeout
        let once = LockedBox<CheckedContinuation<Result<Response, Failure>, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            // Every step but resolving a name keeps the deadline itself. The resolver has no
            // timeout: past the deadline (and a margin, so that a thread started late on a busy
            // machine still reports what happened), the caller stops waiting for it; the thread
            // ends when the resolver returns.
            let resolverTimer = Exchange.isIPLiteral(endpoint.host) ? nil : Task {
                // Cancelled: the exchange ended and answered.
                do { try await Task.sleep(until: deadline + .milliseconds(500), clock: .continuous) } catch { return }
                once.withLock { $0.take() }?.resume(returning: .failure(.timedOut))
            }
            let exchange = Exchange(endpoint: endpoint, tls: tls, request: request, deadline: deadline, body: body, maxBytes: maxBytes)
            Thread.detachNewThread {
                let result = exchange.run()
                let waiting = once.withLock { $0.take() }
                resolverTimer?.cancel()
                waiting?.resume(returning: result)
            }
        }
    }
}

/// One exchange's blocking steps, on its own thread.
private struct Exchange: Sendable {
    let endpoint: Endpoint
    /// Shared by the probe's or scraper's exchanges, read-only: OpenSSL contexts are thread-safe.
    let tls: TLSClientContext?
    let request: [UInt8]
    let deadline: ContinuousClock.Instant
    let body: Bool
    let maxBytes: Int

    func run() -> Result<OneShotGET.Response, OneShotGET.Failure> {
        var transport: Transport
        switch connect() {
        case .success(let connected): transport = connected
        case .failure(let failure): return .failure(failure)
        }
        defer { transport.close() }
        if let tls {
            if let failure = handshake(&transport, tls) { return .failure(failure) }
        }
        if let failure = send(transport) { return .failure(failure) }
        return receive(transport)
    }

    /// The first address that accepts the connection; the first address's failure otherwise.
    private func connect() -> Result<Transport, OneShotGET.Failure> {
        var hints = addrinfo()
        // An address literal needs no resolver.
        hints.ai_flags = Self.isIPLiteral(endpoint.host) ? AI_NUMERICHOST : 0
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let list else {
            return .failure(.cannotResolve(endpoint.host))
        }
        defer { freeaddrinfo(list) }
        var firstFailure: OneShotGET.Failure?
        var node: UnsafeMutablePointer<addrinfo>? = list
        while let current = node {
            node = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            guard let transport = Transport.connect(to: address, length: current.pointee.ai_addrlen) else {
                firstFailure = firstFailure ?? .cannotConnect(errno: errno)
                continue
            }
            guard wait(transport.fd, writable: true) else {
                transport.close()
                return .failure(.timedOut)
            }
            let error = cload_socket_error(transport.fd)
            if error == 0 { return .success(transport) }
            transport.close()
            firstFailure = firstFailure ?? .cannotConnect(errno: error)
        }
        return .failure(firstFailure ?? .cannotResolve(endpoint.host))
    }

    /// SNI with a host name, and unless `insecure` the certificate checked for the host name or
    /// IP address, as the load's connections do.
    private func handshake(_ transport: inout Transport, _ tls: TLSClientContext) -> OneShotGET.Failure? {
        let isIP = Self.isIPLiteral(endpoint.host)
        guard transport.startTLS(tls, serverName: isIP ? nil : endpoint.host, checkHost: endpoint.insecure ? nil : endpoint.host,
                                 checkIsIP: isIP, resume: nil) else {
            return .tlsHandshake(TLSClientContext.lastError())
        }
        guard let session = transport.tls else { return .tlsHandshake("no session") }
        // The handshake by hand rather than `Transport.handshake()`, to keep OpenSSL's reason.
        while true {
            let rc = SSL_do_handshake(session)
            if rc == 1 { return nil }
            switch SSL_get_error(session, rc) {
            case SSL_ERROR_WANT_READ: if !wait(transport.fd, writable: false) { return .timedOut }
            case SSL_ERROR_WANT_WRITE: if !wait(transport.fd, writable: true) { return .timedOut }
            default:
                defer { ERR_clear_error() }
                let verify = SSL_get_verify_result(session)
                if verify != Int(X509_V_OK), let text = X509_verify_cert_error_string(verify) { return .tlsHandshake(String(cString: text)) }
                let code = ERR_get_error()
                if code != 0, let reason = ERR_reason_error_string(code) { return .tlsHandshake(String(cString: reason)) }
                return .tlsHandshake("the server closed the connection")
            }
        }
    }

    private func send(_ transport: Transport) -> OneShotGET.Failure? {
        var sent = 0
        while sent < request.count {
            let result = request.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            switch result {
            case .wrote(let n): sent += n
            case .wouldBlock(let wantsRead): if !wait(transport.fd, writable: !wantsRead) { return .timedOut }
            case .failed: return .broken
            }
        }
        return nil
    }

    private func receive(_ transport: Transport) -> Result<OneShotGET.Response, OneShotGET.Failure> {
        var parser = HTTPResponseParser()
        parser.reset(expectsBody: body, captureBody: body)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 16 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            switch transport.read(into: buffer, count: 16 << 10) {
            case .bytes(let n):
                switch parser.feed(UnsafeRawBufferPointer(start: buffer, count: n)) {
                case .complete(let response): return .success(.init(status: response.status, body: response.body ?? []))
                case .invalid: return .failure(.invalidResponse)
                case .incomplete: if parser.bytesReceived > maxBytes { return .failure(.tooLarge(maxBytes)) }
                }
            case .wouldBlock(let wantsWrite):
                if !wait(transport.fd, writable: wantsWrite) { return .failure(.timedOut) }
            case .closed:
                if case .complete(let response) = parser.finishAtClose() {
                    return .success(.init(status: response.status, body: response.body ?? []))
                }
                return .failure(.closedEarly)
            case .failed:
                return .failure(.broken)
            }
        }
    }

    /// Blocks until `fd` is ready (or has an error a read or write will tell); false at the
    /// deadline. A socket already ready counts even past the deadline: a thread that started late
    /// on a busy machine still reports what happened ("connection refused") rather than "timed out".
    private func wait(_ fd: CInt, writable: Bool) -> Bool {
        while true {
            let remaining = (deadline - .now).nanoseconds
            var entry = pollfd(fd: fd, events: Int16(writable ? POLLOUT : POLLIN), revents: 0)
            let rc = poll(&entry, 1, remaining <= 0 ? 0 : Int32(clamping: remaining / 1_000_000 + 1))
            if rc > 0 || (rc < 0 && errno != EINTR) { return true }
            if remaining <= 0 { return false }
        }
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
