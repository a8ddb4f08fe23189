import Core
import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DescriptorLimitTests {
    @Test func socketsAreTheConnectionsOrThePeakUsers() {
        let open = LoadSpec(model: .open, warmup: .zero, start: 500, stages: [Stage(name: "s", duration: .seconds(1), target: 500)],
                            maxInFlight: 10, connections: 64, think: .zero, timeout: .seconds(1), keepalive: true)
        #expect(DescriptorLimit.sockets(for: open) == 64)
        var closed = open
        closed.model = .closed
        closed.stages.append(Stage(name: "peak", duration: .seconds(1), target: 1500.5))
        #expect(DescriptorLimit.sockets(for: closed) == 1501)
        // Absurd levels are clamped, never trap.
        closed.stages.append(Stage(name: "absurd", duration: .seconds(1), target: 1e300))
        #expect(DescriptorLimit.sockets(for: closed) == 1_000_000_000_000_000)
        #expect(DescriptorLimit.descriptors(for: Int.max, inProcessTarget: true) == rlim_t.max)
    }

    @Test func aFewConnectionsFit() throws {
        try DescriptorLimit.check(sockets: 100)
        try DescriptorLimit.check(sockets: 100, inProcessTarget: true)
    }

    /// More than the kernel allows any process (fs.nr_open, 1M by default): not even root can
    /// raise the limit that far.
    @Test func beyondWhatCanBeRaisedIsAClearError() throws {
        let nrOpen = try #require(Int(String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let sockets = nrOpen + 1
        let error = #expect(throws: StressError.self) { try DescriptorLimit.check(sockets: sockets) }
        #expect(error?.kind == .targetNotReady)
        #expect(error?.message.hasPrefix("\(sockets) connections need \(sockets + DescriptorLimit.reserve) file descriptors, but this process may open at most ") == true,
                "\(error?.message ?? "")")
        #expect(error?.hint?.contains("ulimit -n \(sockets + DescriptorLimit.reserve)") == true)
    }
}
