import Core
import Foundation
import Metrics
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// The engine's fast paths (issue [5/5]): the timeout sweep, and a file-descriptor limit raised
/// to fit the connections.
@Suite(.serialized)
struct EngineFastPathTests {
    @Test(arguments: [(Int64(200_000_000), Int64(20_000_000)), (5_000_000_000, 100_000_000), (2_000_000, 1_000_000)])
    func timeoutsAreSweptAtATenthOfTheTimeout(timeout: Int64, interval: Int64) {
        #expect(LoopWorker.sweepInterval(timeout: Nanos(timeout)) == Nanos(interval))
    }

    @Test func theDescriptorLimitIsRaisedToFitTheConnections() throws {
        var saved = rlimit()
        try #require(getrlimit(resource, &saved) == 0)
        defer { _ = setrlimit(resource, &saved) }
        try #require(saved.rlim_max == rlim_t.max || saved.rlim_max >= 2000)

        var low = saved
        low.rlim_cur = 256
        try #require(setrlimit(resource, &low) == 0)
        try DescriptorLimit.raise(toFit: 1000)
        var now = rlimit()
        _ = getrlimit(resource, &now)
        #expect(now.rlim_cur >= 1000 + rlim_t(DescriptorLimit.reserve))

        if saved.rlim_max != rlim_t.max && getuid() != 0 {
            // Beyond the hard limit: a clear error naming the numbers, before any load.
            let needed = Int(saved.rlim_max) + 10 + DescriptorLimit.reserve
            let error = #expect(throws: StressError.self) { try DescriptorLimit.raise(toFit: Int(saved.rlim_max) + 10) }
            #expect(error?.kind == .targetNotReady)
            #expect(error?.message.contains("need \(needed) file descriptors") == true, "\(error?.message ?? "")")
            #expect(error?.hint?.contains("ulimit -n \(needed)") == true, "\(error?.hint ?? "")")
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
