#if canImport(Glibc)
import Glibc
#endif
import Core
import Foundation
import Testing
@testable import Engine

/// A started proxy and the clock its faults follow.
struct ProxyRig: Sendable {
    let proxy: FaultProxy
    let port: Int
    let clock: FakeScenarioClock
}

/// Starts a proxy in front of `upstreamPort`, runs `body`, stops it and returns its report.
func withProxy(upstreamPort: Int, passthrough: Bool = false, faults: [ProxyFault], seed: UInt64 = 7,
               maxConnections: Int = ProxyLoop.defaultMaxConnections,
               _ body: (ProxyRig) async throws -> Void) async throws -> ProxyReport {
    let clock = FakeScenarioClock()
    let proxy = try FaultProxy(upstream: Endpoint(host: "127.0.0.1", port: upstreamPort), passthroughTLS: passthrough,
                               faults: faults, seed: seed, maxConnections: maxConnections, now: clock.now)
    let port = try proxy.start()
    do {
        try await body(ProxyRig(proxy: proxy, port: port, clock: clock))
    } catch {
        _ = proxy.stop()
        throw error
    }
    return proxy.stop()
}

/// Starts the recording upstream, runs `body`, and stops it.
func withUpstream(_ body: (ProxyTestUpstream) async throws -> Void) async throws {
    let upstream = try await ProxyTestUpstream.start()
    do {
        try await body(upstream)
    } catch {
        try? await upstream.stop()
        throw error
    }
    try await upstream.stop()
}

let proxyMillisecond: Int64 = 1_000_000
let proxySecond: Int64 = 1_000_000_000

/// The fault proxy in plain HTTP mode, on loopback, against a recording upstream.
@Suite(.serialized) struct FaultProxyTests {
    @Test func withoutFaultsResponsesPassUnchanged() async throws {
        try await withUpstream { upstream in
            // Keep-alive, a chunked body, more than 1 MB, HEAD, 204, a POST body, and the head as
            // the server read it (/echo): byte for byte what going direct gives.
            let exchanges: [(String, Bool)] = [
                (getRequest("/hello"), false), (getRequest("/chunked"), false), (getRequest("/big/1500000"), false),
                ("HEAD /hello HTTP/1.1\r\nHost: upstream.test\r\n\r\n", true), (getRequest("/empty"), false),
                ("POST /echo HTTP/1.1\r\nHost: upstream.test\r\nContent-Length: 11\r\n\r\nhello=world", false),
                (getRequest("/echo", extra: "Accept: */*\r\n"), false), (getRequest("/hello"), false),
            ]
            @Sendable func run(port: Int) throws -> [[UInt8]] {
                let socket = try TestSocket(port: port)
                return try exchanges.map { request, isHEAD in
                    try socket.send(request)
                    return try socket.response(toHEAD: isHEAD).raw
                }
            }
            let direct = try await onThread { try run(port: upstream.port) }
            let report = try await withProxy(upstreamPort: upstream.port, faults: []) { rig in
                let proxied = try await onThread { try run(port: rig.port) }
                #expect(proxied.count == direct.count)
                for (a, b) in zip(proxied, direct) { #expect(a == b) }
            }
            #expect(direct[2].count > 1_500_000)
            #expect(report.connections == 1 && report.requests == exchanges.count && report.faults.isEmpty)
        }
    }

    @Test func theIndexHeaderNeverReachesTheUpstream() async throws {
        try await withUpstream { upstream in
            _ = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .latency(delay: 0, jitter: 0), start: 0, end: .max, requestIndex: 2),
            ]) { rig in
                let responses = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    try socket.send(getRequest("/echo", extra: "X-Stress-CI-Request: 2\r\nAccept: */*\r\n"))
                    let first = try socket.response()
                    try socket.send(getRequest("/echo", extra: "Accept: */*\r\nx-stress-ci-request: 0\r\n"))
                    return [first, try socket.response()]
                }
                let expected = getRequest("/echo", extra: "Accept: */*\r\n")
                for response in responses {
                    #expect(response.status == 200)
                    #expect(String(decoding: response.body, as: UTF8.self) == expected)
                }
            }
            #expect(upstream.heads.count == 2)
            #expect(upstream.heads.allSatisfy { !$0.lowercased().contains("x-stress-ci-request") && $0.contains("Accept: */*\r\n") })
        }
    }

    @Test func latencyDelaysForwarding() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .latency(delay: 200 * proxyMillisecond, jitter: 0), start: 0, end: proxySecond),
                ProxyFault(kind: .latency(delay: 150 * proxyMillisecond, jitter: 50 * proxyMillisecond), start: proxySecond, end: 2 * proxySecond),
            ]) { rig in
                let timed = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    return try [0, proxySecond, 2 * proxySecond].map { at in
                        rig.clock.set(at)
                        let started = Date()
                        try socket.send(getRequest("/hello"))
                        let status = try socket.response().status
                        return (status, Date().timeIntervalSince(started))
                    }
                }
                #expect(timed.map(\.0) == [200, 200, 200])
                // Lower bounds only: the machine may be slow, never fast.
                #expect(timed[0].1 >= 0.2)
                #expect(timed[1].1 >= 0.1)
            }
            #expect(report.faults[0] == ProxyCounts(requests: 1, affected: 1, firstAffected: 0, lastAffected: 0))
            #expect(report.faults[1] == ProxyCounts(requests: 1, affected: 1, firstAffected: proxySecond, lastAffected: proxySecond))
        }
    }

    @Test func anErrorRateOfOneAnswersEveryRequestItself() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .error(status: 503, rate: 1), start: 0, end: .max),
            ]) { rig in
                rig.clock.set(5 * proxyMillisecond)
                let responses = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    return try (0..<20).map { i in
                        // A body is read and dropped; the next request on the connection still parses.
                        try socket.send(i % 2 == 0 ? getRequest("/hello")
                                                   : "POST /echo HTTP/1.1\r\nHost: upstream.test\r\nContent-Length: 4\r\n\r\nbody")
                        return try socket.response()
                    }
                }
                for response in responses {
                    #expect(response.status == 503)
                    #expect(response.header("Content-Length") == "0")
                    #expect(response.body.isEmpty)
                }
            }
            #expect(upstream.heads.isEmpty)
            #expect(report.faults == [ProxyCounts(requests: 20, affected: 20, firstAffected: 5 * proxyMillisecond, lastAffected: 5 * proxyMillisecond)])
        }
    }

    @Test func anErrorRateIsSeededAndNearItsShare() async throws {
        try await withUpstream { upstream in
            let fault = ProxyFault(kind: .error(status: 500, rate: 0.2), start: 0, end: .max)
            var patterns: [[Bool]] = []
            for _ in 0..<2 {
                var pattern: [Bool] = []
                let report = try await withProxy(upstreamPort: upstream.port, faults: [fault], seed: 2024) { rig in
                    pattern = try await onThread {
                        let socket = try TestSocket(port: rig.port)
                        return try (0..<500).map { _ in
                            try socket.send(getRequest("/hello"))
                            return try socket.response().status == 500
                        }
                    }
                }
                let errors = pattern.filter { $0 }.count
                #expect((50...150).contains(errors), "\(errors) of 500")
                #expect(report.faults[0].requests == 500 && report.faults[0].affected == errors)
                patterns.append(pattern)
            }
            #expect(patterns[0] == patterns[1])
            #expect(upstream.heads.count == 2 * patterns[0].filter { !$0 }.count)
        }
    }

    @Test func aResetRateOfOneResetsTheConnection() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .reset(rate: 1), start: 0, end: .max),
            ]) { rig in
                let outcome = try await onThread { () -> TestSocketError? in
                    let socket = try TestSocket(port: rig.port)
                    try socket.send(getRequest("/hello"))
                    do {
                        _ = try socket.response(within: 5)
                        return nil
                    } catch let error as TestSocketError {
                        return error
                    }
                }
                #expect(outcome == .failed(ECONNRESET))
            }
            #expect(upstream.heads.isEmpty)
            #expect(report.faults[0].requests == 1 && report.faults[0].affected == 1)
        }
    }

    @Test func aBlackholeSwallowsRequestsUntilItsWindowEnds() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .blackhole, start: 0, end: proxySecond),
            ]) { rig in
                let (during, status, after, again) = try await onThread {
                    let swallowed = try TestSocket(port: rig.port)
                    try swallowed.send(getRequest("/hello"))
                    let during = swallowed.state(within: 300)
                    rig.clock.set(proxySecond)
                    let answered = try TestSocket(port: rig.port)
                    try answered.send(getRequest("/hello"))
                    let status = try answered.response().status
                    let after = swallowed.state(within: 50)
                    try swallowed.send(getRequest("/hello"))
                    return (during, status, after, swallowed.state(within: 100))
                }
                #expect(during == .nothing)
                #expect(status == 200)
                // The first connection is still open, and still unanswered.
                #expect(after == .nothing && again == .nothing)
            }
            #expect(upstream.heads.count == 1)
            #expect(report.faults[0] == ProxyCounts(requests: 1, affected: 1, firstAffected: 0, lastAffected: 0))
            #expect(report.connections == 2)
        }
    }

    @Test func bandwidthThrottlesAResponse() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .bandwidth(bytesPerSecond: 100 * 1024), start: 0, end: .max),
            ]) { rig in
                let (elapsed, body) = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    let started = Date()
                    try socket.send(getRequest("/big/200000"))
                    let response = try socket.response(within: 30)
                    return (Date().timeIntervalSince(started), response.body)
                }
                #expect(body == proxyTestPattern(200_000))
                // 200 KB at 100 KiB/s, less a 10 KiB burst: about 1.9 s.
                #expect(elapsed >= 1.5)
                #expect(elapsed < 30)
            }
            #expect(report.faults[0].affected == 1)
        }
    }

    @Test func aRequestIndexScopesAFault() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .error(status: 429, rate: 1), start: 0, end: .max, requestIndex: 3),
            ]) { rig in
                let statuses = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    return try ["1", "3", "2", nil, "03", "x"].map { index in
                        try socket.send(getRequest("/hello", extra: index.map { "x-stress-ci-request: \($0)\r\n" } ?? ""))
                        return try socket.response().status
                    }
                }
                #expect(statuses == [200, 429, 200, 200, 429, 200])
            }
            #expect(report.faults[0].requests == 2 && report.faults[0].affected == 2)
            #expect(upstream.heads.count == 4)
        }
    }

    @Test func faultsApplyOnlyInsideTheirWindow() async throws {
        try await withUpstream { upstream in
            let report = try await withProxy(upstreamPort: upstream.port, faults: [
                ProxyFault(kind: .error(status: 503, rate: 1), start: 1000, end: 2000),
            ]) { rig in
                let statuses = try await onThread {
                    let socket = try TestSocket(port: rig.port)
                    return try [0, 999, 1000, 1999, 2000, 5000].map { (at: Int64) in
                        rig.clock.set(at)
                        try socket.send(getRequest("/hello"))
                        return try socket.response().status
                    }
                }
                #expect(statuses == [200, 200, 503, 503, 200, 200])
            }
            #expect(report.faults == [ProxyCounts(requests: 2, affected: 2, firstAffected: 1000, lastAffected: 1999)])
        }
    }
}
