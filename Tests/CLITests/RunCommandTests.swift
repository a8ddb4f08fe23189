import Foundation
import Testing

/// End-to-end: the built `stress-ci` binary, real HTTP over loopback, asserted on exit codes and result.json.
@Suite(.serialized)
struct RunCommandTests {
    func result(in dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("result.json"))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func passingScenarioExitsZeroAndWritesResult() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", out.path, "--progress", "none"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("PASS: all 3 criteria met"))
        let json = try result(in: out)
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["status"] as? String == "completed")
        let id = try #require(json["test_id"] as? String)
        #expect(id.hasSuffix("_cli-pass"))
        #expect(id.range(of: #"^\d{8}_\d{6}_"#, options: .regularExpression) != nil)
        let summary = try #require(json["summary"] as? [String: Any])
        let requests = try #require(summary["requests"] as? Int)
        // 100/s for 3 measured seconds (warmup excluded).
        #expect((285...315).contains(requests))
        let perSecond = try #require((json["metrics"] as? [String: Any])?["per_second"] as? [[String: Any]])
        #expect(perSecond.count == 3)
        #expect(try schemaViolations(of: out.appendingPathComponent("result.json")) == [])
    }

    @Test func failingCriterionExitsOne() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/fail.yaml"), "--out", out.path, "--progress", "none"])
        #expect(r.status == 1, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("FAIL: 1 of 2 criteria failed"))
        let criteria = try #require(try result(in: out)["success_criteria"] as? [[String: Any]])
        #expect(criteria.map { $0["passed"] as? Bool } == [false, true])
        // --fail-on none turns the same run green.
        let none = try await CLIProcess.run(["run", CLIProcess.fixture("cli/fail.yaml"), "--out", out.path, "--progress", "none", "--fail-on", "none"])
        #expect(none.status == 0)
    }

    @Test func quietPrintsOnlyTheVerdict() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/fail.yaml"), "--out", out.path, "--quiet"])
        #expect(r.status == 1)
        #expect(r.stdout == "FAIL: 1 of 2 criteria failed\n")
        #expect(r.stderr.isEmpty)
    }

    @Test func openModelHoldsItsRate() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/rate1000.yaml"), "--out", out.path, "--progress", "none"])
        #expect(r.status == 0, "stdout: \(r.stdout) stderr: \(r.stderr)")
        let summary = try #require(try result(in: out)["summary"] as? [String: Any])
        let throughput = try #require(summary["throughput"] as? Double)
        #expect(abs(throughput - 1000) <= 10, "throughput \(throughput)/s")
        #expect(summary["errors"] as? Int == 0)
    }

    /// No coordinated omission: a target that freezes 1 s in every 5 s shows in the percentiles.
    @Test func stalledTargetShowsInPercentiles() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/stalls.yaml"), "--out", out.path, "--progress", "none"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try #require(try result(in: out)["summary"] as? [String: Any])
        let latency = try #require((summary["latency"] as? [String: Any])?["percentiles"] as? [String: Double])
        let p50 = try #require(latency["p50"]), p95 = try #require(latency["p95"]), p99 = try #require(latency["p99"])
        #expect(p50 < 50, "p50 \(p50) ms")
        // As in the engine's test: p95 ≈ 750 ms, p99 ≈ 950 ms, with ~100 ms of room for the host
        // pausing this VM.
        #expect((650...900).contains(p95), "p95 \(p95) ms")
        #expect((880...1100).contains(p99), "p99 \(p99) ms")
    }

    @Test func sigintStopsGracefullyWithPartialResult() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let p = try CLIProcess(["run", CLIProcess.fixture("cli/long.yaml"), "--out", out.path, "--progress", "plain"])
        // The first progress line means the load is running.
        #expect(await p.waitForStderr(containing: "[RUNNING]", timeout: .seconds(30)))
        let sent = ContinuousClock.now
        p.signal(SIGINT)
        let r = await p.wait(timeout: .seconds(10))
        #expect(r.status == 130, "stderr: \(r.stderr)")
        #expect(ContinuousClock.now - sent < .seconds(5))
        let json = try result(in: out)
        #expect(json["status"] as? String == "partial")
        #expect(json["stop_reason"] as? String == "SIGINT")
        // Every artifact is written for a partial run too, and says so.
        for file in ["report.md", "report.html", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
        }
        #expect(try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8).contains("Partial run"))
        #expect(try schemaViolations(of: out.appendingPathComponent("result.json")) == [])
    }

    @Test func sigtermExits143() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let p = try CLIProcess(["run", CLIProcess.fixture("cli/long.yaml"), "--out", out.path, "--progress", "plain"])
        #expect(await p.waitForStderr(containing: "[RUNNING]", timeout: .seconds(30)))
        p.signal(SIGTERM)
        let r = await p.wait(timeout: .seconds(10))
        #expect(r.status == 143)
        #expect(try result(in: out)["status"] as? String == "partial")
    }

    @Test func targetThatNeverBecomesReadyExits69() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = try freeLoopbackPort()
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/never-ready.yaml"), "--out", out.path], environment: ["PORT": "\(port)"])
        #expect(r.status == 69, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("/health"))
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func launchedTargetIsStartedAndStopped() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let port = try freeLoopbackPort()
        let r = try await CLIProcess.run(
            ["run", CLIProcess.fixture("cli/launched.yaml"), "--out", out.path, "--progress", "none"],
            environment: ["PORT": "\(port)", "STRESS_CI_BIN": CLIProcess.executable.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("target.log").path))
        // The launched server is gone: nothing listens on its port any more.
        #expect(!(canConnect(port: port)))
    }

    @Test func unwritableOutputExits73() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", file.appendingPathComponent("sub").path])
        #expect(r.status == 73)
        #expect(r.stderr.contains("a-file/sub"))
    }

    @Test func badCommandLinesExit64() async throws {
        #expect(try await CLIProcess.run(["run"]).status == 64)
        #expect(try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--fail-on", "sometimes"]).status == 64)
        #expect(try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--tag", "novalue"]).status == 64)
        #expect(try await CLIProcess.run(["frobnicate"]).status == 64)
    }

    @Test func missingScenarioExits66() async throws {
        let r = try await CLIProcess.run(["run", "/nonexistent/scenario.yaml"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("/nonexistent/scenario.yaml"))
    }
}

@Suite struct ValidateCommandTests {
    @Test func validExampleExitsZero() async throws {
        for example in ["examples/quickstart.yaml", "examples/checkout.yaml", "examples/resilience.yaml"] {
            let r = try await CLIProcess.run(["validate", CLIProcess.repositoryRoot.appendingPathComponent(example).path])
            #expect(r.status == 0, "\(example): \(r.stderr)")
        }
    }

    @Test func everyProblemIsReportedWithItsLocation() async throws {
        let path = CLIProcess.fixture("cli/invalid.yaml")
        let r = try await CLIProcess.run(["validate", path])
        #expect(r.status == 65)
        #expect(r.stderr.contains("\(path):3:1:"), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean `load`?"))
        #expect(r.stderr.contains("\(path):5:"))  // FETCH
        #expect(r.stderr.contains("\(path):7:"))  // latncy
        #expect(r.stderr.contains("did you mean `latency`?"))
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func missingFileExits66() async throws {
        #expect(try await CLIProcess.run(["validate", "/nonexistent.yaml"]).status == 66)
    }

    @Test func helpListsExitCodes() async throws {
        let r = try await CLIProcess.run(["run", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("143"))
    }
}

func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
    return Int(UInt16(bigEndian: addr.sin_port))
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
