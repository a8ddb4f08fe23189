import CLoadIO
import Core
import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// epoll_pwait2 refused (EPERM, as seccomp in older container runtimes answers): every loop falls
/// back to epoll_wait and the load runs. A poller that fails for good is the CLI's test
/// (`PollerFaultTests`): it breaks every loop of the process, so it runs in a process of its own.
@Suite("Poller fallback")
struct PollerFallbackTests {
    @Test func aRefusedPwait2FallsBackToEpollWait() async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions())
        defer { Task { try? await server.stop() } }
        // The next epoll_pwait2 call, of this run's loops or any other test's, fails with EPERM.
        cload_poller_simulate(EPERM, 0)
        let (result, _) = try await runLoad(makeScenario(level: 200, seconds: 1, connections: 4), port: server.port)
        #expect(cload_poller_uses_pwait2() == 0)
        let counters = result.metrics.cell().counters
        #expect(counters.requests >= 150, "\(counters.requests)")
        #expect(counters.errors.total == 0, "\(counters.errors)")
    }
}
