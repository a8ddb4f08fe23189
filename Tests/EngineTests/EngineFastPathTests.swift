import Core
import Foundation
import Metrics
import NIOCore
import NIOPosix
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// The engine's fast paths (issue [5/5]): direct sends on the socket, the timeout sweep, and a
/// file-descriptor limit raised to fit the connections.
@Suite(.serialized)
struct EngineFastPathTests {
    /// Collects a channel's bytes until it closes.
    final class Collect: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var bytes: [UInt8] = []
        let closed: EventLoopPromise<[UInt8]>
        init(closed: EventLoopPromise<[UInt8]>) { self.closed = closed }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += unwrapInboundIn(data).readableBytesView
        }
        func channelInactive(context: ChannelHandlerContext) { closed.succeed(bytes) }
    }

    @Test func directSendsReachTheServerAndAnswersComeBackThroughNIO() async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions())
        defer { Task { try? await server.stop() } }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let closed = loop.makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { $0.pipeline.addHandler(Collect(closed: closed)) }
            .connect(host: "127.0.0.1", port: server.port).get()

        let fd = try await loop.submit { DirectSocket.descriptor(of: channel) }.get()
        #expect(fd >= 0, "the descriptor of a connected TCP channel is found")
        var sent = 0
        let request = ByteBuffer(string: "GET /products/7 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let complete = try await loop.submit { DirectSocket.send(request, on: fd, sent: &sent) }.get()
        #expect(complete)
        let answer = String(decoding: try await closed.futureResult.get(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(80))")

        // Once NIO closed it, the channel has no descriptor to offer.
        #expect(try await loop.submit { DirectSocket.descriptor(of: channel) }.get() == -1)
    }

    @Test(arguments: [(Int64(200_000_000), Int64(20_000_000)), (5_000_000_000, 100_000_000), (2_000_000, 1_000_000)])
    func timeoutsAreSweptAtATenthOfTheTimeout(timeout: Int64, interval: Int64) {
        #expect(LoopWorker.sweepInterval(timeout: timeout) == .nanoseconds(interval))
    }

    @Test func theDescriptorLimitIsRaisedToFitTheConnections() throws {
        var saved = rlimit()
        try #require(getrlimit(resource, &saved) == 0)
        defer { _ = setrlimit(resource, &saved) }
        try #require(saved.rlim_max == rlim_t.max || saved.rlim_max >= 2000)

        var low = saved
        low.rlim_cur = 256
        try #require(setrlimit(resource, &low) == 0)
        #expect(DescriptorLimit.raise(toFit: 1000) == nil)
        var now = rlimit()
        _ = getrlimit(resource, &now)
        #expect(now.rlim_cur >= 1000 + rlim_t(DescriptorLimit.reserve))

        if saved.rlim_max != rlim_t.max {
            let warning = DescriptorLimit.raise(toFit: Int(saved.rlim_max) + 10)
            #expect(warning?.contains("ulimit -n \(Int(saved.rlim_max) + 10 + DescriptorLimit.reserve)") == true, "\(warning ?? "nil")")
        }
    }

    /// 1500 users need more descriptors than the usual soft limit of 1024 (twice over: the demo
    /// target runs in this process too); the run raises it and nothing fails.
    @Test func manyConnectionsWithoutErrors() async throws {
        var saved = rlimit()
        try #require(getrlimit(resource, &saved) == 0)
        defer { _ = setrlimit(resource, &saved) }
        try #require(saved.rlim_max == rlim_t.max || saved.rlim_max >= 4000, "this machine's hard descriptor limit is too low")
        var usual = saved
        usual.rlim_cur = 1024
        try #require(setrlimit(resource, &usual) == 0)

        let server = try await DemoServer.start(options: DemoTargetOptions(latency: .milliseconds(20)))
        defer { Task { try? await server.stop() } }
        let (result, _) = try await runLoad(makeScenario(model: .closed, level: 1500, seconds: 2, connections: 1500), port: server.port)
        let c = result.metrics.cell().counters
        #expect(c.errors.total == 0, "\(c.errors) of \(c.requests)")
        // Every user got through at least once (the debug-built demo target is the limit here).
        #expect(c.requests >= 1500, "\(c.requests)")
        var raised = rlimit()
        _ = getrlimit(resource, &raised)
        #expect(raised.rlim_cur >= 1500 + rlim_t(DescriptorLimit.reserve))
    }

    private var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
