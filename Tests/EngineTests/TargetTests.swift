import Core
import Engine
import Foundation
import Testing

private func temporaryLog() -> String {
    NSTemporaryDirectory() + "stress-ci-target-\(UUID().uuidString).log"
}

@Suite("Target process and readiness")
struct TargetTests {
    @Test func stopTerminatesAndReaps() async throws {
        let process = try TargetProcess.launch(["/bin/sh", "-c", "sleep 30"], logPath: temporaryLog())
        #expect(kill(process.pid, 0) == 0)
        #expect(!process.hasExited)
        let status = await process.stop()
        #expect(status != nil)
        #expect(process.hasExited)
        // Reaped: the pid no longer exists, not even as a zombie.
        #expect(kill(process.pid, 0) == -1 && errno == ESRCH)
    }

    @Test func stopKillsWhatIgnoresSIGTERM() async throws {
        let log = temporaryLog()
        let process = try TargetProcess.launch(["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done"], logPath: log)
        // Stop only once the trap is in place (the shell says so in its log).
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ready") != true && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let status = await process.stop(grace: .milliseconds(300))
        #expect(status == -SIGKILL)
        #expect(kill(process.pid, 0) == -1 && errno == ESRCH)
    }

    @Test func outputGoesToTheLogAndStatusIsKept() async throws {
        let log = temporaryLog()
        try "earlier line\n".write(toFile: log, atomically: true, encoding: .utf8)
        let process = try TargetProcess.launch(["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"], logPath: log)
        let status = await process.waitForExit(timeout: .seconds(10))
        #expect(status == 3)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasPrefix("earlier line\n"))
        #expect(text.contains("to-stdout") && text.contains("to-stderr"))
    }

    @Test func missingExecutableMeansTheTargetIsNotReady() {
        for command in ["no-such-binary-\(UUID().uuidString)", "./definitely/not/here"] {
            let error = #expect(throws: StressError.self) { _ = try TargetProcess.launch([command], logPath: temporaryLog()) }
            #expect(error?.kind == .targetNotReady)
            #expect(error?.message.contains(command) == true, "\(error?.message ?? "")")
        }
    }

    @Test func probeTimesOutOnAClosedPort() async throws {
        let port = try await closedPort()
        let probe = ReadinessProbe(endpoint: Endpoint(host: "127.0.0.1", port: port), path: "/health", timeout: .seconds(1))
        let started = ContinuousClock.now
        do {
            try await probe.wait()
            Issue.record("the probe should fail")
        } catch let error as StressError {
            #expect(error.kind == .targetNotReady)
            #expect(error.message == "target http://127.0.0.1:\(port) did not answer 2xx on /health within 1s")
            #expect(error.hint == "last attempt: connection refused")
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func probeSucceedsAgainstTheDemoTarget() async throws {
        let server = try await DemoServer.start(options: DemoTargetOptions())
        defer { Task { try? await server.stop() } }
        let endpoint = Endpoint(host: "127.0.0.1", port: server.port)
        try await ReadinessProbe(endpoint: endpoint, path: "/health", timeout: .seconds(5)).wait()
        #expect(await ReadinessProbe(endpoint: endpoint, path: "/").attempt() == .ready(status: 200))
        #expect(await ReadinessProbe(endpoint: endpoint, path: "/products/42").attempt() == .ready(status: 200))
        #expect(await ReadinessProbe(endpoint: endpoint, path: "/products/abc").attempt() == .status(404))
        #expect(await ReadinessProbe(endpoint: endpoint, path: "/checkout").attempt() == .status(404))
    }

    @Test func probeFailsFastWhenTheProcessExits() async throws {
        let port = try await closedPort()
        let log = temporaryLog()
        let process = try TargetProcess.launch(["sh", "-c", "echo boom; exit 7"], logPath: log)
        let started = ContinuousClock.now
        do {
            try await ReadinessProbe(endpoint: Endpoint(host: "127.0.0.1", port: port), path: "/health", timeout: .seconds(20)).wait(for: process)
            Issue.record("the probe should fail")
        } catch let error as StressError {
            #expect(error.kind == .targetNotReady)
            #expect(error.message.contains("exited with status 7"))
            #expect(error.hint?.contains(log) == true)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
