import Core
@testable import Engine
import Foundation
import Metrics
import NIOCore
import NIOPosix
import Testing

@Suite struct PrometheusScraperTests {
    @Test(arguments: [MetricsServer.Framing.contentLength, .chunked, .untilClose])
    func scrapesWholeBodyAndCounterRate(framing: MetricsServer.Framing) async throws {
        let server = try await MetricsServer.start(framing)
        let scraper = PrometheusScraper(endpoint: Endpoint(host: "127.0.0.1", port: server.port), path: "metrics")
        var tracker = PromRateTracker()
        var readings: [[String: Double]] = []
        for scrape in 0..<3 {
            let text = try await scraper.scrape()
            #expect(text.hasSuffix("# EOF-marker\n"), "the whole body is read")
            #expect(text.contains("demo_requests_total \((scrape + 1) * 100)\n"))
            readings.append(tracker.update(try PrometheusParser.parse(text), at: .seconds(scrape)))
        }
        #expect(readings[0]["demo_requests_total"] == nil)
        #expect(readings[1]["demo_requests_total"] == 100)
        #expect(readings[2]["demo_requests_total"] == 100)
        #expect(readings[2]["demo_padding"] == 500)
        #expect(server.requests.last?.hasPrefix("GET /metrics HTTP/1.1\r\n") == true)
        try await server.stop()
    }

    @Test func non2xxThrows() async throws {
        let server = try await MetricsServer.start(.contentLength)
        let scraper = PrometheusScraper(endpoint: Endpoint(host: "127.0.0.1", port: server.port), path: "/nope")
        await #expect {
            _ = try await scraper.scrape()
        } throws: { error in
            (error as? PrometheusScrapeError)?.reason == "answered 404"
        }
        try await server.stop()
    }

    @Test func closedPortThrowsQuickly() async throws {
        let port = try await closedPort()
        let scraper = PrometheusScraper(endpoint: Endpoint(host: "127.0.0.1", port: port), path: "/metrics")
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await scraper.scrape()
        } throws: { error in
            // Usually "connection refused"; another test may briefly reuse the port meanwhile.
            guard let error = error as? PrometheusScrapeError else { return false }
            return error.description == "cannot scrape http://127.0.0.1:\(port)/metrics: \(error.reason)" && !error.reason.isEmpty
        }
        #expect(clock.now - start < .seconds(1))
    }

    @Test func silentTargetTimesOut() async throws {
        let server = try await MetricsServer.start(.silent)
        let scraper = PrometheusScraper(endpoint: Endpoint(host: "127.0.0.1", port: server.port), path: "/metrics", timeout: .milliseconds(300))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await scraper.scrape()
        } throws: { error in
            (error as? PrometheusScrapeError)?.reason == "timed out"
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2))
        try await server.stop()
    }

    @Test func httpsWithASelfSignedCertificate() async throws {
        let server = try await DemoServer.start(
            options: DemoTargetOptions(), tls: DemoServer.TLSIdentity(certificatePEM: testCertificatePEM, privateKeyPEM: testPrivateKeyPEM))
        let insecure = PrometheusScraper(endpoint: Endpoint(host: "127.0.0.1", port: server.port, tls: true, insecure: true), path: "/health")
        #expect(try await insecure.scrape() == #"{"status":"ok"}"#)
        let verified = PrometheusScraper(endpoint: Endpoint(host: "127.0.0.1", port: server.port, tls: true), path: "/health")
        await #expect(throws: PrometheusScrapeError.self) { _ = try await verified.scrape() }
        try await server.stop()
    }

    @Test func readinessProbeStillWorks() async throws {
        let server = try await MetricsServer.start(.chunked)
        let probe = ReadinessProbe(endpoint: Endpoint(host: "127.0.0.1", port: server.port), path: "/metrics")
        #expect(await probe.attempt() == .ready(status: 200))
        #expect(await ReadinessProbe(endpoint: probe.endpoint, path: "/nope").attempt() == .status(404))
        try await server.stop()
    }
}

/// A tiny metrics endpoint: `GET /metrics` answers a counter that grows by 100 per request, then
/// ~40 KB of padding (so bodies span many reads) and a final marker line; anything else is 404.
final class MetricsServer: Sendable {
    enum Framing: Sendable, CustomStringConvertible {
        case contentLength
        /// The body in several chunks, each flushed on its own.
        case chunked
        /// No length: the body ends at the close.
        case untilClose
        /// Accepts, reads, never answers.
        case silent

        var description: String {
            switch self {
            case .contentLength: "content-length"
            case .chunked: "chunked"
            case .untilClose: "until-close"
            case .silent: "silent"
            }
        }
    }

    private let server: LoopbackServer
    private let log: RequestLog

    private init(server: LoopbackServer, log: RequestLog) {
        self.server = server
        self.log = log
    }

    var port: Int { server.port }

    /// The request heads received so far.
    var requests: [String] { log.all }

    static func start(_ framing: Framing) async throws -> MetricsServer {
        let log = RequestLog()
        let server = try await LoopbackServer.start { channel in
            try channel.pipeline.syncOperations.addHandler(MetricsHandler(framing: framing, log: log))
        }
        return MetricsServer(server: server, log: log)
    }

    func stop() async throws { try await server.stop() }
}

private final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var heads: [String] = []
    func append(_ head: String) -> Int { lock.lock(); defer { lock.unlock() }; heads.append(head); return heads.count }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return heads }
}

private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let framing: MetricsServer.Framing
    private let log: RequestLog
    private var pending = ""

    init(framing: MetricsServer.Framing, log: RequestLog) {
        self.framing = framing
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readString(length: buffer.readableBytes) ?? ""
        guard let end = pending.range(of: "\r\n\r\n") else { return }
        let head = String(pending[..<end.upperBound])
        pending = ""
        let n = log.append(head)
        if case .silent = framing { return }
        guard head.hasPrefix("GET /metrics ") else {
            write(context, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")
            context.close(promise: nil)
            return
        }
        var body = "# HELP demo_requests_total Requests served.\n# TYPE demo_requests_total counter\ndemo_requests_total \(n * 100)\n"
        body += "# TYPE demo_padding gauge\n"
        for i in 0..<1000 { body += "demo_padding{series=\"\(i)\"} 0.5\n" }
        body += "# EOF-marker\n"
        switch framing {
        case .contentLength:
            write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            context.close(promise: nil)
        case .chunked:
            write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nTransfer-Encoding: chunked\r\n\r\n")
            let bytes = Array(body.utf8)
            var offset = 0
            while offset < bytes.count {
                let piece = bytes[offset..<min(bytes.count, offset + 7000)]
                write(context, String(piece.count, radix: 16) + "\r\n" + String(decoding: piece, as: UTF8.self) + "\r\n")
                offset += piece.count
            }
            write(context, "0\r\n\r\n")
        case .untilClose:
            write(context, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n\(body)")
            context.close(promise: nil)
        case .silent:
            break
        }
    }

    private func write(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
