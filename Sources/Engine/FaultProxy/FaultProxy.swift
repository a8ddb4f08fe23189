#if canImport(Glibc)
import Glibc
#endif
import CLoadIO
import Core
import NIOCore
import Synchronization

/// A loopback proxy that puts network faults between the load and the target: latency, error
/// answers, resets, a blackhole, a bandwidth cap — each during a window of the scenario clock,
/// for every request or only those of one scenario request (`x-stress-ci-request`).
///
/// It runs on one reactor thread of its own (the engine's epoll `Reactor`, as a load worker
/// does): a ready socket is read into the loop's one buffer and written straight to the other
/// side; only what a socket does not take is copied, and only then is writable interest asked
/// for. A side is not read while more than 256 KiB wait for the other. With no fault active a
/// request costs a few system calls more than going direct. At most 10,000 client connections
/// are open at once; more are closed as soon as they are accepted.
///
/// Plain HTTP (`passthroughTLS == false`): HTTP/1.1-aware. Each request head is read whole (at
/// most 64 KiB), its fault decided from the faults active at `now()` — error, reset and
/// blackhole first, since they end the request, then latency and bandwidth — the
/// `x-stress-ci-request` header taken out, and the request forwarded on the connection's own
/// upstream connection; the response is relayed until `HTTPResponseParser` says it ended, then
/// the next request is looked at. When either side closes or fails, so does the other.
///
/// TLS passthrough: a TCP relay; faults apply to each chunk of client bytes (see
/// `ProxyLoop+Tunnel.swift`); error answers and request indexes cannot apply and are refused.
///
/// Decisions draw from one `SplitMix64` seeded with `seed`: the same requests in the same order
/// meet the same faults. `start`, `stop` and `deinit` may be called from any thread.
public final class FaultProxy: Sendable {
    private enum Lifecycle {
        case created
        case running(port: Int)
        case stopped(ProxyReport)
    }

    private let reactor: Reactor
    private let loop: ProxyLoop
    private let faultCount: Int
    private let lifecycle = Mutex<Lifecycle>(.created)

    /// Checks the faults and resolves the upstream's address (blocking while a host name resolves).
    ///
    /// - Parameters:
    ///   - upstream: the target; its host and port are what the proxy connects to.
    ///   - passthroughTLS: relay bytes without reading HTTP (the target speaks TLS).
    ///   - seed: seeds the rate decisions and jitter.
    ///   - now: the scenario clock (ns since the load started, paused time excluded; 0 before
    ///     the start). Called on the proxy's thread for each request while faults are given.
    /// - Throws: `StressError(.invalidInput)` for a fault out of its bounds or not applicable,
    ///   `.targetNotReady` when the host does not resolve, `.internalError` when the loop cannot
    ///   be set up.
    public convenience init(upstream: Endpoint, passthroughTLS: Bool, faults: [ProxyFault], seed: UInt64,
                            now: @escaping @Sendable () -> Int64) throws(StressError) {
        try self.init(upstream: upstream, passthroughTLS: passthroughTLS, faults: faults, seed: seed,
                      maxConnections: ProxyLoop.defaultMaxConnections, now: now)
    }

    /// `maxConnections`: client connections open at once (at least 1); more are closed at once.
    init(upstream: Endpoint, passthroughTLS: Bool, faults: [ProxyFault], seed: UInt64, maxConnections: Int,
         now: @escaping @Sendable () -> Int64) throws(StressError) {
        try ProxyFault.check(faults, passthroughTLS: passthroughTLS)
        guard (1...65535).contains(upstream.port) else {
            throw StressError(.invalidInput, "the fault proxy's upstream port \(upstream.port) is not between 1 and 65535")
        }
        let address = try Self.resolve(upstream)
        do {
            reactor = try Reactor(name: "stress-ci-proxy")
        } catch {
            throw StressError(.internalError, "cannot start the fault proxy: \(error)")
        }
        loop = ProxyLoop(reactor: reactor, upstream: address, passthrough: passthroughTLS,
                         plan: FaultPlan(faults: faults, seed: seed), maxConnections: maxConnections, clock: now)
        faultCount = faults.count
    }

    deinit { _ = stop() }

    /// Listens on 127.0.0.1 on an ephemeral port, starts relaying, and returns the port.
    ///
    /// - Throws: `StressError(.usage)` when started before, `.internalError` when the socket
    ///   cannot listen.
    public func start() throws(StressError) -> Int {
        try lifecycle.withLock { state throws(StressError) -> Int in
            guard case .created = state else { throw StressError(.usage, "a fault proxy starts once") }
            var port: CInt = 0
            let fd = cload_tcp_listen_loopback(0, 1024, &port)
            guard fd >= 0 else {
                throw StressError(.internalError, "the fault proxy cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
            }
            guard loop.listen(on: fd) else {
                close(fd)
                throw StressError(.internalError, "the fault proxy cannot watch its socket: \(String(cString: strerror(errno)))")
            }
            let loop = self.loop
            reactor.onEvent = { token, readiness in loop.handle(token, readiness) }
            reactor.start()
            state = .running(port: Int(port))
            return Int(port)
        }
    }

    /// Stops accepting, closes every connection, ends the proxy's thread, and reports what it
    /// did. Later calls return the same report; before `start`, all counts are zero.
    public func stop() -> ProxyReport {
        lifecycle.withLock { state in
            switch state {
            case .created:
                let report = ProxyReport(faults: Array(repeating: ProxyCounts(), count: faultCount))
                state = .stopped(report)
                return report
            case .stopped(let report):
                return report
            case .running:
                let result = Mutex<ProxyReport?>(nil)
                let loop = self.loop
                reactor.execute { result.withLock { $0 = loop.shutdown() } }
                reactor.shutdown()
                // The thread is gone: let go of the loop the event handler held.
                reactor.onEvent = { _, _ in }
                let report = result.withLock { $0 } ?? ProxyReport(faults: Array(repeating: ProxyCounts(), count: faultCount))
                state = .stopped(report)
                return report
            }
        }
    }

    /// The upstream's address: an IP literal as it is, a host name's first address otherwise.
    private static func resolve(_ endpoint: Endpoint) throws(StressError) -> ConnectAddress {
        let resolved: SocketAddress
        if let literal = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            resolved = literal
        } else {
            do {
                resolved = try SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port)
            } catch {
                throw StressError(.targetNotReady, "the fault proxy cannot resolve the target's host \(endpoint.host)",
                                  hint: "check the host name in target.url, and that this machine's DNS can resolve it")
            }
        }
        return resolved.withSockAddr { ConnectAddress($0, length: $1) }
    }
}
