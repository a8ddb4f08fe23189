import Foundation
import Testing
import Core

/// A launched target (`target.start`) never outlives stress-ci: not when stress-ci is killed
/// with SIGKILL (nothing of stress-ci runs then: the kernel's PR_SET_PDEATHSIG does it), not when
/// a second SIGINT makes it exit at once.
@Suite(.serialized)
struct ProcessLifetimeTests {
    /// The launched target is the built stress-ci's own `demo-server` on a port of its own.
    private func startRun(port: Int, latency: String, out: URL, scenario: String = "cli/launched-long.yaml") throws -> CLIProcess {
        try CLIProcess(
            ["run", CLIProcess.fixture(scenario), "--out", out.path, "--store", out.appendingPathComponent("store").path,
             "--progress", "plain"],
            environment: ["PORT": "\(port)", "STRESS_CI_BIN": CLIProcess.executable.path, "LATENCY": latency])
    }

    /// Launched directly (PR_SET_PDEATHSIG), and by a shell (the guardian kills the group).
    @Test(arguments: ["cli/launched-long.yaml", "cli/launched-by-shell.yaml"])
    func aKilledRunTakesItsTargetWithIt(scenario: String) async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = try freeLoopbackPort()
        let run = try startRun(port: port, latency: "1ms", out: out, scenario: scenario)
        // The first progress line: the target answered /health and the load runs.
        #expect(await run.waitForStderr(containing: "[RUNNING]", timeout: .seconds(60)), "stderr: \(run.stderr)")
        let target = try #require(demoServerPIDs(port: port).first, "no demo-server on port \(port)")
        #expect(canConnect(port: port))

        run.signal(SIGKILL)
        let killed = ContinuousClock.now
        _ = await run.wait(timeout: .seconds(10))
        #expect(await processIsGone(target, within: .seconds(2) - (ContinuousClock.now - killed)), "target \(target) outlived stress-ci")
        #expect(!canConnect(port: port))
    }

    /// A crash (here SIGABRT, as `abort()` raises it): the crash report is written, the process
    /// ends by the signal (the Swift runtime's backtracer alone would let a sent one go on), and
    /// the target goes first.
    @Test func aCrashTakesTheTargetWithIt() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = try freeLoopbackPort()
        let run = try startRun(port: port, latency: "1ms", out: out)
        #expect(await run.waitForStderr(containing: "[RUNNING]", timeout: .seconds(60)), "stderr: \(run.stderr)")
        let target = try #require(demoServerPIDs(port: port).first, "no demo-server on port \(port)")

        run.signal(SIGABRT)
        let sent = ContinuousClock.now
        let outcome = await run.wait(timeout: .seconds(30))
        #expect(outcome.status == SIGABRT, "stderr: \(outcome.stderr)")
        #expect(await processIsGone(target, within: .seconds(2) - (ContinuousClock.now - sent)), "target \(target) outlived stress-ci")
    }

    @Test func aSecondSignalExitsAtOnceAndTakesTheTargetWithIt() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = try freeLoopbackPort()
        // Every answer takes 1.5 s, so the graceful stop of the first signal waits that long for
        // the requests in flight: the second signal comes while it does.
        let run = try startRun(port: port, latency: "1500ms", out: out)
        #expect(await run.waitForStderr(containing: "[RUNNING]", timeout: .seconds(60)), "stderr: \(run.stderr)")
        let target = try #require(demoServerPIDs(port: port).first, "no demo-server on port \(port)")

        run.signal(SIGINT)
        #expect(await run.waitForStderr(containing: "SIGINT received", timeout: .seconds(10)))
        run.signal(SIGINT)
        let sent = ContinuousClock.now
        let outcome = await run.wait(timeout: .seconds(10))
        #expect(outcome.status == 130, "stderr: \(outcome.stderr)")
        #expect(await processIsGone(target, within: .seconds(2) - (ContinuousClock.now - sent)), "target \(target) outlived stress-ci")
        #expect(!canConnect(port: port))
    }
}

/// A signal during the readiness wait ends it at once: no load ran, so nothing is written; the
/// launched target is stopped.
@Suite struct ReadinessWaitSignalTests {
    @Test func aSignalEndsTheReadinessWaitAtOnce() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = try freeLoopbackPort()
        let run = try CLIProcess(
            ["run", CLIProcess.fixture("cli/launched-never-ready.yaml"), "--out", out.path, "--store", out.appendingPathComponent("store").path,
             "--progress", "plain"],
            environment: ["PORT": "\(port)", "STRESS_CI_BIN": CLIProcess.executable.path])
        // The target is up and answering (404 on the ready path): stress-ci is in its readiness wait.
        let deadline = ContinuousClock.now + .seconds(30)
        while !(canConnect(port: port) && !demoServerPIDs(port: port).isEmpty), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let target = try #require(demoServerPIDs(port: port).first, "no demo-server on port \(port)")
        run.signal(SIGINT)
        let sent = ContinuousClock.now
        let outcome = await run.wait(timeout: .seconds(20))
        #expect(outcome.status == 130, "stderr: \(outcome.stderr)")
        // The wait's own timeout is 60 s; the stop took the target's graceful stop at most.
        #expect(ContinuousClock.now - sent < .seconds(6), "the readiness wait went on after the signal")
        #expect(await processIsGone(target, within: .seconds(2)), "target \(target) outlived the run")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("result.json").path))
        #expect(!outcome.stderr.contains("[RUNNING]"))
    }
}

/// Processes running `stress-ci demo-server … --port PORT …` (from /proc: not zombies, whose
/// command line is empty).
func demoServerPIDs(port: Int) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard arguments.contains("demo-server"), let flag = arguments.firstIndex(of: "--port") else { return false }
        return arguments.index(after: flag) < arguments.endIndex && arguments[flag + 1] == "\(port)"
    }
}

/// True once `pid` runs no more (gone, or a zombie its new parent has not reaped yet) — polled
/// until `within` passed.
func processIsGone(_ pid: Int32, within: Duration) async -> Bool {
    let deadline = ContinuousClock.now + max(within, .zero)
    while true {
        if kill(pid, 0) != 0 { return true }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")"), stat.index(close, offsetBy: 2) < stat.endIndex,
           stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
