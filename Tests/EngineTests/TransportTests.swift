import Core
import Foundation
import Metrics
import Testing
@testable import Engine

/// What the load engine's own sockets must get right beyond the usual small exchange: requests
/// larger than the socket takes at once, responses larger than one read, TLS verification, and
/// connects (TCP and TLS) that never complete.
@Suite struct TransportTests {
    /// 8 MiB bodies: the socket takes only part of each at once, the rest goes out as it drains.
    @Test(arguments: [false, true])
    func requestsLargerThanTheSocketBufferGoOutWhole(tls: Bool) async throws {
        let server = try await DemoServer.start(
            options: DemoTargetOptions(),
            tls: tls ? DemoServer.TLSIdentity(certificatePEM: testCertificatePEM, privateKeyPEM: testPrivateKeyPEM) : nil)
        defer { Task { try? await server.stop() } }
        let size = 8 << 20
        let body = String(repeating: "b", count: size)
        let requests = [RequestSpec(name: "upload", method: "POST", path: Template(literal: "/checkout"),
                                    body: Template(literal: body),
                                    expect: Expectation(status: [201], bodyContains: "\"received_bytes\":\(size)"))]
        let (result, _) = try await runLoad(
            makeScenario(model: .closed, level: 2, seconds: 1, requests: requests, connections: 2),
            port: server.port, tls: tls, insecure: true)
        let c = result.metrics.cell().counters
        #expect(c.requests >= 2)
        #expect(c.errors.total == 0, "\(c.errors)")
        #expect(c.bytesOut >= c.requests * size)
    }

    /// Bodies of 300 kB and 5 MB: several reads of the loop's 64 KiB buffer each. The marker at
    /// the very end of the smaller one is found only if every byte went through the parser (an
    /// expectation sees at most the first 1 MiB of a body, so the larger one checks its framing
    /// only: a miscount would break the keep-alive exchange that follows).
    @Test(arguments: [(300_000, "END"), (5_000_000, "xxx")])
    func responsesLargerThanOneReadArriveWhole(size: Int, marker: String) async throws {
        let server = try await RawServer.start(.largeBody(size))
        defer { Task { try? await server.stop() } }
        let requests = [RequestSpec(name: "big", path: Template(literal: "/"), expect: Expectation(bodyContains: marker))]
        let (result, _) = try await runLoad(makeScenario(level: 20, seconds: 1, requests: requests, connections: 2), port: server.port)
        let c = result.metrics.cell().counters
        #expect(c.requests == 20)
        #expect(c.errors.total == 0, "\(c.errors)")
        #expect(c.bytesIn >= 20 * size)
        #expect(server.connectionsAccepted <= 2, "keep-alive holds across large bodies")
    }

    /// A CA file that holds the target's certificate makes verified TLS succeed, by IP address
    /// (the certificate's IP SAN) and by name (its DNS SAN, sent as SNI).
    @Test(arguments: ["127.0.0.1", "localhost"])
    func verifiedTLSWithATrustedCertificate(host: String) async throws {
        let server = try await DemoServer.start(
            options: DemoTargetOptions(), tls: DemoServer.TLSIdentity(certificatePEM: testCertificatePEM, privateKeyPEM: testPrivateKeyPEM))
        defer { Task { try? await server.stop() } }
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("stress-ci-ca-\(UUID().uuidString).pem")
        try testCertificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: caFile) }

        var endpoint = Endpoint(host: host, port: server.port, tls: true)
        endpoint.caFile = caFile.path
        let generator = LoadGenerator(scenario: makeScenario(level: 50, seconds: 1, connections: 2), endpoint: endpoint, threads: 1)
        let result = try await generator.run { _ in }
        let c = result.metrics.cell().counters
        #expect(c.requests == 50)
        #expect(c.errors.total == 0, "\(c.errors)")
    }

    /// A new connection per request over https: each slot resumes the TLS session its previous
    /// connection got, as browsers and wrk do, rather than paying a full handshake every time.
    @Test func connectionChurnOverTLSResumesSessions() async throws {
        let server = try await DemoServer.start(
            options: DemoTargetOptions(), tls: DemoServer.TLSIdentity(certificatePEM: testCertificatePEM, privateKeyPEM: testPrivateKeyPEM))
        defer { Task { try? await server.stop() } }
        let (result, _) = try await runLoad(makeScenario(level: 100, seconds: 1, connections: 4, keepalive: false),
                                            port: server.port, tls: true, insecure: true, threads: 1)
        let c = result.metrics.cell().counters
        #expect(c.requests == 100)
        #expect(c.errors.total == 0, "\(c.errors)")
        // Pre-connect opens 4, then one per request.
        #expect(result.connectionsOpened >= 100)
        // All but each slot's first handshake can resume.
        #expect(result.tlsSessionsResumed >= 90, "\(result.tlsSessionsResumed) of \(result.connectionsOpened)")
    }

    @Test func aMissingCAFileIsAnInvalidInput() async throws {
        var endpoint = Endpoint(host: "127.0.0.1", port: 1, tls: true)
        endpoint.caFile = "/nonexistent/ca.pem"
        let generator = LoadGenerator(scenario: makeScenario(level: 1, seconds: 1), endpoint: endpoint, threads: 1)
        let error = await #expect(throws: StressError.self) { try await generator.run { _ in } }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("/nonexistent/ca.pem") == true)
    }

    /// A server that accepts but never answers the TLS handshake: each connect fails after the
    /// connect timeout (the request timeout here), not never.
    @Test func aHandshakeThatNeverCompletesTimesOut() async throws {
        let server = try await RawServer.start(.silent)
        defer { Task { try? await server.stop() } }
        let started = ContinuousClock.now
        let (result, _) = try await runLoad(
            makeScenario(model: .closed, level: 2, seconds: 1, timeout: .milliseconds(300)),
            port: server.port, tls: true, insecure: true, threads: 1)
        let c = result.metrics.cell().counters
        // Each user: a 300 ms handshake wait, a 100 ms backoff, again — two or three per second.
        #expect(c.errors.connect == c.requests)
        #expect(c.requests >= 2 && c.requests <= 8, "\(c.requests)")
        #expect(ContinuousClock.now - started < .seconds(3))
    }
}
