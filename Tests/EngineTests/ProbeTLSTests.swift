import Core
@testable import Engine
import Foundation
import Metrics
import Testing

/// The readiness probe and the metrics scraper speak https through the load's own transport: they
/// refuse a certificate the load would refuse, and trust what the load trusts (`insecure`, or a
/// CA file) — by IP address and by host name (SNI and the name check).
@Suite struct ProbeTLSTests {
    private static let identity = DemoServer.TLSIdentity(certificatePEM: testCertificatePEM, privateKeyPEM: testPrivateKeyPEM)

    @Test(arguments: ["127.0.0.1", "localhost"])
    func probeTrustsWhatTheLoadTrusts(host: String) async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions(), tls: Self.identity)
        defer { Task { try? await server.stop() } }
        let verified = Endpoint(host: host, port: server.port, tls: true)

        let refused = await ReadinessProbe(endpoint: verified, path: "/health").attempt()
        #expect(refused == .failed("TLS handshake failed: self-signed certificate"))
        do {
            try await ReadinessProbe(endpoint: verified, path: "/health", timeout: .milliseconds(400)).wait()
            Issue.record("a self-signed certificate must not pass without insecure or a CA file")
        } catch let error as StressError {
            #expect(error.kind == .targetNotReady)
            #expect(error.hint == "last attempt: TLS handshake failed: self-signed certificate")
        }

        var insecure = verified
        insecure.insecure = true
        let health = await ReadinessProbe(endpoint: insecure, path: "/health").attempt()
        #expect(health == .ready(status: 200), "\(health)")
        #expect(await ReadinessProbe(endpoint: insecure, path: "/nope").attempt() == .status(404))

        try await withCAFile { path in
            var trusted = verified
            trusted.caFile = path
            try await ReadinessProbe(endpoint: trusted, path: "/health", timeout: .seconds(5)).wait()
            let attempt = await ReadinessProbe(endpoint: trusted, path: "/products/7").attempt()
            #expect(attempt == .ready(status: 200), "\(attempt)")
        }
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func scrapeTrustsWhatTheLoadTrusts(host: String) async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions(), tls: Self.identity)
        defer { Task { try? await server.stop() } }
        let verified = Endpoint(host: host, port: server.port, tls: true)

        let error = await #expect(throws: PrometheusScrapeError.self) {
            _ = try await PrometheusScraper(endpoint: verified, path: "/metrics").scrape()
        }
        #expect(error?.reason == "TLS handshake failed: self-signed certificate")

        var insecure = verified
        insecure.insecure = true
        let page = try await PrometheusScraper(endpoint: insecure, path: "/metrics").scrape()
        #expect(page.contains("# TYPE demo_orders_total counter\n"))

        try await withCAFile { path in
            var trusted = verified
            trusted.caFile = path
            let text = try await PrometheusScraper(endpoint: trusted, path: "/metrics").scrape()
            // Parsed whole: the series and the final counter line are there.
            let samples = try PrometheusParser.parse(text)
            #expect(text.hasSuffix("demo_orders_total 0\n"), "\(text)")
            #expect(!samples.isEmpty)
        }
    }

    /// As for the load: the wait fails at once with an invalid input; an attempt or a scrape
    /// says why it failed.
    @Test func anUnreadableCAFileIsAnInvalidInput() async throws {
        var endpoint = Endpoint(host: "127.0.0.1", port: 1, tls: true)
        endpoint.caFile = "/nonexistent/ca.pem"
        let started = ContinuousClock.now
        let waitError = await #expect(throws: StressError.self) {
            try await ReadinessProbe(endpoint: endpoint, timeout: .seconds(20)).wait()
        }
        #expect(waitError?.kind == .invalidInput)
        #expect(waitError?.message == "cannot read the CA certificates in /nonexistent/ca.pem")
        #expect(ContinuousClock.now - started < .seconds(5))
        let attempt = await ReadinessProbe(endpoint: endpoint).attempt()
        guard case .failed(let reason) = attempt else {
            Issue.record("expected a failure, got \(attempt)")
            return
        }
        #expect(reason.hasPrefix("TLS setup failed: cannot read the CA certificates in /nonexistent/ca.pem"))
        let error = await #expect(throws: PrometheusScrapeError.self) {
            _ = try await PrometheusScraper(endpoint: endpoint, path: "/metrics").scrape()
        }
        #expect(error?.reason.hasPrefix("TLS setup failed: cannot read the CA certificates in /nonexistent/ca.pem") == true)
    }

    /// https against a plain HTTP server fails the handshake as soon as the answer comes, rather
    /// than waiting out the attempt's timeout (10 s here; the margin is for a busy machine).
    @Test func httpsAgainstPlainHTTPFailsTheHandshake() async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions())
        defer { Task { try? await server.stop() } }
        let started = ContinuousClock.now
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port, tls: true, insecure: true)
        let attempt = await ReadinessProbe(endpoint: endpoint).attempt(timeout: .seconds(10))
        guard case .failed(let reason) = attempt else {
            Issue.record("expected a failure, got \(attempt)")
            return
        }
        #expect(reason.hasPrefix("TLS handshake failed: "), "\(reason)")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// A target that accepts and never answers: a cancelled wait ends at once, not when the
    /// attempt's 2-second timeout would (the margin is for a busy machine).
    @Test func aCancelledWaitStopsAtOnce() async throws {
        let server = try await RawServer.start(.silent)
        defer { Task { try? await server.stop() } }
        let probe = ReadinessProbe(endpoint: Endpoint(host: "127.0.0.1", port: server.port), path: "/health", timeout: .seconds(30))
        let waiting = Task { try await probe.wait() }
        // The first attempt is under way once the server has its connection.
        while server.connectionsAccepted == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let cancelled = ContinuousClock.now
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(ContinuousClock.now - cancelled < .milliseconds(1500))
    }

    @Test func aSilentTargetTimesOutTheAttempt() async throws {
        let server = try await RawServer.start(.silent)
        defer { Task { try? await server.stop() } }
        let started = ContinuousClock.now
        let attempt = await ReadinessProbe(endpoint: Endpoint(host: "127.0.0.1", port: server.port)).attempt(timeout: .milliseconds(300))
        #expect(attempt == .failed("timed out"))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2))
    }

    private func withCAFile(_ body: (String) async throws -> Void) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stress-ci-ca-\(UUID().uuidString).pem")
        try testCertificatePEM.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try await body(file.path)
    }
}
