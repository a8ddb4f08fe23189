import Foundation
import Testing

/// A target that cannot be reached or started is exit 69 ("the target never became ready"), at
/// once, with the reason; an event loop whose poller breaks fails the run instead of spinning.
@Suite struct TargetStartErrorTests {
    @Test func anUnresolvableHostExits69() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/unresolvable.yaml"), "--out", out.path, "--progress", "none"],
                                         timeout: .seconds(60))
        #expect(r.status == 69, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("cannot resolve the target's host nosuch.invalid"), "\(r.stderr)")
    }

    @Test func aTargetStartThatCannotBeExecutedExits69() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let script = out.appendingPathComponent("server.sh").path
        try "#!/bin/sh\nexec sleep 30\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o644)
        let missing = out.appendingPathComponent("no-such-server").path
        // The command comes from the environment, so the message shows it as `***` (a value from the
        // environment is redacted in every message); the reason is there in full.
        for (command, reason) in [(script, "***: Permission denied"), (missing, "*** does not exist")] {
            let started = ContinuousClock.now
            let r = try await CLIProcess.run(
                ["run", CLIProcess.fixture("cli/start-command.yaml"), "--out", out.appendingPathComponent("out").path, "--progress", "none"],
                environment: ["PORT": "\(try freeLoopbackPort())", "COMMAND": command])
            #expect(r.status == 69, "stderr: \(r.stderr)")
            #expect(r.stderr.contains("cannot start the target: \(reason)"), "\(r.stderr)")
            #expect(!r.stderr.contains(command))
            // At once: not after the 30 s readiness timeout.
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    /// 1000 connections to the embedded target (both ends in this process) under a hard limit of
    /// 256 descriptors that cannot be raised (as root: without CAP_SYS_RESOURCE).
    @Test func tooFewDescriptorsExits69BeforeAnyLoad() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"ulimit -n 256 && if [ "$(id -u)" = 0 ]; then exec setpriv --bounding-set -sys_resource "$0" "$@"; else exec "$0" "$@"; fi"#,
                             CLIProcess.executable.path, "run", CLIProcess.fixture("cli/many-connections.yaml"), "--out", out.path,
                             "--store", out.appendingPathComponent("store").path, "--progress", "none"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 69, "\(stderr)")
        #expect(stderr.contains("1000 connections to the embedded demo target (both ends in this process) need 2064 file descriptors, but this process may open at most 256"), "\(stderr)")
        #expect(stderr.contains("ulimit -n 2064"), "\(stderr)")
        // Before any load: nothing was measured, so nothing was stored.
        let stored = (try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("store/runs").path)) ?? []
        #expect(stored.isEmpty, "\(stored)")
    }

    /// epoll_pwait2 refused once with EPERM (as seccomp answers in older container runtimes):
    /// every loop falls back to epoll_wait and the run completes with its requests.
    @Test func aRefusedPwait2FallsBackAndTheRunCompletes() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/short.yaml"), "--out", out.path, "--progress", "none"],
                                         environment: ["STRESS_CI_TEST_POLLER_FAULT": "once:\(EPERM)"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let data = try Data(contentsOf: out.appendingPathComponent("result.json"))
        let summary = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["summary"] as? [String: Any])
        #expect((summary["requests"] as? Int ?? 0) >= 50, "\(summary)")
    }

    /// Every wait refused (EBADF): the run fails with the reason instead of spinning forever.
    @Test func aBrokenPollerFailsTheRun() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let started = ContinuousClock.now
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/short.yaml"), "--out", out.path, "--progress", "none"],
                                         environment: ["STRESS_CI_TEST_POLLER_FAULT": "always:\(EBADF)"], timeout: .seconds(60))
        #expect(r.status == 70, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("the load engine cannot go on: event loop stress-ci-load"), "\(r.stderr)")
        #expect(r.stderr.contains("epoll_wait failed: Bad file descriptor"), "\(r.stderr)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
