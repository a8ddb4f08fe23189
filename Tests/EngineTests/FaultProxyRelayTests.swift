#if canImport(Glibc)
import Glibc
#endif
import Core
import Foundation
import Metrics
import Testing
@testable import Engine

/// The fault proxy's edges: pipelining, closes on either side, garbage, the faults it refuses,
/// TLS passthrough, and what it costs with no fault.
@Suite(.serialized) struct FaultProxyRelayTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withUpstream { upstream in
            _ = try await withProxy(upstreamPort: upstream.port, faults: []) { rig in
                let bodies = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    try socket.send(getRequest("/hello") + getRequest("/echo") + getRequest("/big/100000"))
                    return try (0..<3).map { _ in try socket.response().body.count }
                }
                #expect(bodies == [5, getRequest("/echo").utf8.count, 100_000])
            }
        }
    }

    @Test func theClientConnectionClosesWithTheUpstreams() async throws {
        try await withUpstream { upstream in
            _ = try await withProxy(upstreamPort: upstream.port, faults: []) { rig in
                let (closeBody, closeEnd, eofBody) = try await onThread {
                    let closing = try TestSocket(port: rig.port)
                    try closing.send(getRequest("/close"))
                    let closeBody = try closing.response().body
                    let closeEnd = try closing.readToEnd()
                    let untilClose = try TestSocket(port: rig.port)
                    try untilClose.send(getRequest("/eof"))
                    return (closeBody, closeEnd, try untilClose.response().body)
                }
                #expect(closeBody == Array("bye".utf8) && closeEnd.isEmpty)
                #expect(eofBody == Array("streamed until close".utf8))
            }
        }
    }

    @Test func aDownUpstreamClosesTheClient() async throws {
        let report = try await withProxy(upstreamPort: try await closedPort(), faults: []) { rig in
            let state = try await onThread {
                let socket = try TestSocket(port: rig.port)
                try? socket.send(getRequest("/hello"))
                return socket.state(within: 5000)
            }
            #expect(state == .eof || state == .failed(ECONNRESET))
        }
        #expect(report.connections == 1)
    }

    @Test func garbageAndOversizedHeadsCloseTheConnection() async throws {
        try await withUpstream { upstream in
            _ = try await withProxy(upstreamPort: upstream.port, faults: []) { rig in
                let (garbage, oversized, conflicting, status) = try await onThread {
                    let garbage = try TestSocket(port: rig.port)
                    try garbage.send([0, 1, 2, 255, 13, 10, 13, 10])
                    let oversized = try TestSocket(port: rig.port)
                    try? oversized.send("GET / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 70_000))
                    let conflicting = try TestSocket(port: rig.port)
                    try conflicting.send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
                    let good = try TestSocket(port: rig.port)
                    try good.send(getRequest("/hello"))
                    return (garbage.state(within: 5000), oversized.state(within: 5000), conflicting.state(within: 5000),
                            try good.response().status)
                }
                for state in [garbage, oversized, conflicting] { #expect(state == .eof || state == .failed(ECONNRESET)) }
                #expect(status == 200)
            }
            #expect(upstream.heads.count == 1)
        }
    }

    @Test func randomBytesNeverBreakTheProxy() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .latency(delay: proxyMillisecond, jitter: proxyMillisecond), start: 0, end: .max),
            ]) { rig in
                let status = try await onThread {
                    var rng = SplitMix64(seed: 11)
                    for round in 0..<40 {
                        let socket = try TestSocket(port: rig.port)
                        // Some rounds start with a valid head, so the garbage lands in a body or a next head.
                        let prefix = round % 2 == 0 ? "POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n" : ""
                        let garbage = (0..<(1 + rng.below(20_000))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                        try? socket.send(Array(prefix.utf8) + garbage)
                        _ = socket.state(within: 20)
                    }
                    let good = try TestSocket(port: rig.port)
                    try good.send(getRequest("/hello"))
                    return try good.response().status
                }
                #expect(status == 200)
            }
            #expect(report.connections == 41)
        }
    }

    @Test func garbageFromTheUpstreamClosesTheClient() async throws {
        // An echo server answers a request with the request itself: not an HTTP response.
        let echo = try await EchoUpstream.start()
        _ = try await withProxy(upstreamPort: echo.port, faults: []) { rig in
            let state = try await onThread {
                let socket = try TestSocket(port: rig.port)
                try socket.send(getRequest("/hello"))
                return socket.state(within: 5000)
            }
            #expect(state == .eof || state == .failed(ECONNRESET))
        }
        try await echo.stop()
    }

    @Test func aChunkedRequestIsRelayedUnchangedWithoutFaults() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .error(status: 503, rate: 1), start: 0, end: .max),
            ]) { rig in
                let head = "POST /echo HTTP/1.1\r\nHost: upstream.test\r\nTransfer-Encoding: chunked\r\n"
                let (first, second) = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    try socket.send(head + "x-stress-ci-request: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                    return (try socket.response(), try socket.response())
                }
                // The test upstream knows no chunked bodies: it echoes the head, then answers the
                // chunks as if they were a request (404). Both come back through the relay.
                #expect(first.status == 200 && String(decoding: first.body, as: UTF8.self) == head + "\r\n")
                #expect(second.status == 404)
            }
            #expect(report.faults[0].requests == 0 && report.requests == 1)
        }
    }

    @Test func connectionsOverTheBoundAreClosed() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [], maxConnections: 2) { rig in
                let (statuses, third, later) = try await onThread {
                    var first: TestSocket? = try TestSocket(port: rig.port)
                    let second = try TestSocket(port: rig.port)
                    var statuses: [Int] = []
                    for socket in [first, second].compactMap({ $0 }) {
                        try socket.send(getRequest("/hello"))
                        statuses.append(try socket.response().status)
                    }
                    let third = try TestSocket(port: rig.port)
                    let refused = third.state(within: 5000)
                    // Once one closes, a new connection is served (as soon as the proxy saw the close).
                    first = nil
                    let deadline = Date().addingTimeInterval(5)
                    var later = 0
                    while later != 200 && Date() < deadline {
                        let socket = try TestSocket(port: rig.port)
                        try? socket.send(getRequest("/hello"))
                        later = (try? socket.response(within: 1).status) ?? 0
                    }
                    _ = first
                    return (statuses, refused, later)
                }
                #expect(statuses == [200, 200])
                #expect(third == .eof || third == .failed(ECONNRESET))
                #expect(later == 200)
            }
            #expect(report.refused >= 1 && report.connections >= 3)
        }
    }

    @Test func faultsThatCannotApplyAreRefused() throws {
        let endpoint = Endpoint(host: "127.0.0.1", port: 8080)
        let refused: [(ProxyFault, Bool)] = [
            (ProxyFault(kind: .error(status: 503, rate: 1), start: 0, end: 10), true),
            (ProxyFault(kind: .blackhole, start: 0, end: 10, requestIndex: 1), true),
            (ProxyFault(kind: .error(status: 503, rate: 1.5), start: 0, end: 10), false),
            (ProxyFault(kind: .error(status: 99, rate: 1), start: 0, end: 10), false),
            (ProxyFault(kind: .reset(rate: .nan), start: 0, end: 10), false),
            (ProxyFault(kind: .latency(delay: -1, jitter: 0), start: 0, end: 10), false),
            (ProxyFault(kind: .bandwidth(bytesPerSecond: 0), start: 0, end: 10), false),
            (ProxyFault(kind: .blackhole, start: 10, end: 10), false),
        ]
        for (fault, passthrough) in refused {
            #expect(throws: StressError.self) {
                _ = try FaultProxy(upstream: endpoint, passthroughTLS: passthrough, faults: [fault], seed: 1, now: { 0 })
            }
        }
    }

    @Test func passthroughRelaysBytesUnchanged() async throws {
        let echo = try await EchoUpstream.start()
        let payload = (0..<300_000).map { _ in UInt8.random(in: 0...255) }
        let report = try await withProxy(upstreamPort: echo.port, passthrough: true, faults: []) { rig in
            let echoed = try await onThread {
                let socket = try TestSocket(port: rig.port)
                // Write from another thread while this one reads: both directions flow at once.
                let fd = socket.fd
                Thread.detachNewThread {
                    payload.withUnsafeBytes { raw in
                        var offset = 0
                        while offset < raw.count {
                            let n = send(fd, raw.baseAddress! + offset, min(16_384, raw.count - offset), CInt(MSG_NOSIGNAL))
                            if n <= 0 { return }
                            offset += n
                        }
                    }
                }
                return try socket.read(exactly: payload.count, within: 30)
            }
            #expect(echoed == payload)
        }
        try await echo.stop()
        #expect(report.connections == 1 && report.requests > 0)
    }

    @Test func passthroughCarriesTLS() async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions(), tls: DemoServer.TLSIdentity(
            certificatePEM: testCertificatePEM, privateKeyPEM: testPrivateKeyPEM))
        let report = try await withProxy(upstreamPort: server.port, passthrough: true, faults: [
            ProxyFault(kind: .latency(delay: 50 * proxyMillisecond, jitter: 0), start: 0, end: .max),
        ]) { rig in
            let endpoint = Endpoint(host: "127.0.0.1", port: rig.port, tls: true, insecure: true)
            let tls = try OneShotGET.tlsContext(for: endpoint).get()
            let result = await OneShotGET.run(endpoint: endpoint, path: "/health", tls: tls, timeout: .seconds(20))
            #expect((try? result.get().status) == 200)
        }
        try await server.stop()
        // The handshake and the request: at least two chunks of client bytes, each delayed.
        #expect(report.faults[0].affected >= 2 && report.faults[0].affected == report.faults[0].requests)
    }

    @Test func passthroughLatencyAndBlackholeApply() async throws {
        let echo = try await EchoUpstream.start()
        let report = try await withProxy(upstreamPort: echo.port, passthrough: true, faults: [
            ProxyFault(kind: .latency(delay: 200 * proxyMillisecond, jitter: 0), start: 0, end: proxySecond),
            ProxyFault(kind: .blackhole, start: proxySecond, end: 2 * proxySecond),
        ]) { rig in
            let (delayed, elapsed, swallowed, after) = try await onThread {
                let delayedSocket = try TestSocket(port: rig.port)
                let started = Date()
                try delayedSocket.send("ping")
                let delayed = try delayedSocket.read(exactly: 4)
                let elapsed = Date().timeIntervalSince(started)
                rig.clock.set(proxySecond)
                let swallowedSocket = try TestSocket(port: rig.port)
                try swallowedSocket.send("lost")
                let swallowed = swallowedSocket.state(within: 300)
                rig.clock.set(2 * proxySecond)
                let afterSocket = try TestSocket(port: rig.port)
                try afterSocket.send("pong")
                return (delayed, elapsed, swallowed, try afterSocket.read(exactly: 4))
            }
            #expect(delayed == Array("ping".utf8) && elapsed >= 0.2)
            #expect(swallowed == .nothing)
            #expect(after == Array("pong".utf8))
        }
        try await echo.stop()
        #expect(report.faults[0] == ProxyCounts(requests: 1, affected: 1, firstAffected: 0, lastAffected: 0))
        #expect(report.faults[1] == ProxyCounts(requests: 1, affected: 1, firstAffected: proxySecond, lastAffected: proxySecond))
    }

    @Test func theLoadEngineRunsThroughTheProxy() async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions())
        let scenario = makeScenario(level: 500, seconds: 2, connections: 16)
        var total = Counters()
        let report = try await withProxy(upstreamPort: server.port, faults: [
            ProxyFault(kind: .error(status: 503, rate: 0.2), start: 0, end: .max),
        ]) { rig in
            let (result, _) = try await runLoad(scenario, port: rig.port)
            total = result.metrics.cell().counters
        }
        try await server.stop()
        let answered = total.responses(inClass: 2) + total.responses(withStatus: 503)
        #expect(total.requests > 900 && answered == total.requests, "\(total.requests) sent, \(answered) answered")
        #expect(total.errors.connect == 0 && total.errors.reset == 0 && total.errors.timeout == 0)
        #expect(report.requests == total.requests && report.faults[0].affected == total.responses(withStatus: 503))
        let share = Double(total.responses(withStatus: 503)) / Double(max(1, total.requests))
        #expect(share > 0.15 && share < 0.25, "\(share)")
    }

    /// 1000 sequential requests on one connection, direct and through the proxy; prints the
    /// medians. The bound is loose: a shared machine's scheduling is not the proxy's cost.
    @Test func withoutFaultsTheProxyAddsLittle() async throws {
        try await withUpstream { upstream in
            @Sendable func medianMicros(port: Int) throws -> Double {
                let socket = try TestSocket(port: port)
                let request = getRequest("/hello")
                var times: [Double] = []
                for _ in 0..<1000 {
                    let started = DispatchTime.now().uptimeNanoseconds
                    try socket.send(request)
                    _ = try socket.response()
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1000)
                }
                return times.sorted()[times.count / 2]
            }
            let direct = try await onThread { try medianMicros(port: upstream.port) }
            _ = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .error(status: 503, rate: 1), start: proxySecond, end: 2 * proxySecond),
            ]) { rig in
                let proxied = try await onThread { try medianMicros(port: rig.port) }
                print("fault proxy: p50 direct \(Int(direct)) µs, through the proxy \(Int(proxied)) µs")
                #expect(proxied < direct + 20_000)
            }
        }
    }
}
