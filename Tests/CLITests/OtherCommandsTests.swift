import Foundation
import Testing

@Suite struct RedactionTests {
    @Test func secretsNeverReachTheResultOrTheTerminal() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(
            ["run", CLIProcess.fixture("cli/secrets.yaml"), "--out", out.path, "--progress", "none"],
            environment: ["API_TOKEN": "tok-s3cr3t-123", "NOTE": "private-note-xyz"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let result = try String(contentsOf: out.appendingPathComponent("result.json"), encoding: .utf8)
        for secret in ["tok-s3cr3t-123", "private-note-xyz", "literal-key-value"] {
            #expect(!result.contains(secret), "\(secret) leaked into result.json")
            #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret))
        }
        #expect(result.contains("***"))
        // The requests really carried the values: the demo target answered 201 to every checkout.
        #expect(result.contains("\"2xx\" : "))
    }
}

@Suite struct InitCommandTests {
    @Test func writesAStarterThatValidatesAndRefusesToOverwrite() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("perf.yaml").path
        let first = try await CLIProcess.run(["init", path])
        #expect(first.status == 0)
        let validate = try await CLIProcess.run(["validate", path])
        #expect(validate.status == 0, "\(validate.stderr)")
        let again = try await CLIProcess.run(["init", path])
        #expect(again.status == 64)
        #expect(again.stderr.contains("--force"))
        #expect(try await CLIProcess.run(["init", path, "--force"]).status == 0)
    }
}

@Suite struct DemoServerCommandTests {
    @Test func knobsHaveTheScenarioBounds() async throws {
        for args in [["--latency", "2h"], ["--jitter", "1e12s"], ["--stall-every", "8d", "--stall-for", "1s"], ["--threads", "5000"]] {
            let r = try await CLIProcess.run(["demo-server", "--port", "0"] + args, timeout: .seconds(20))
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(args[0]), "\(args): \(r.stderr)")
        }
    }

    @Test func servesUntilInterrupted() async throws {
        let p = try CLIProcess(["demo-server", "--port", "0", "--latency", "1ms"])
        let deadline = ContinuousClock.now + .seconds(30)
        var port: Int?
        while port == nil && ContinuousClock.now < deadline {
            if let range = p.stdout.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(p.stdout[range].split(separator: ":").last ?? "")
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let listening = try #require(port)
        #expect(canConnect(port: listening))
        p.signal(SIGINT)
        let r = await p.wait(timeout: .seconds(10))
        #expect(r.status == 0)
        #expect(!canConnect(port: listening))
    }

    @Test func rejectsBadKnobs() async throws {
        #expect(try await CLIProcess.run(["demo-server", "--latency", "soon"]).status == 64)
        #expect(try await CLIProcess.run(["demo-server", "--error-rate", "150%"]).status == 64)
        #expect(try await CLIProcess.run(["demo-server", "--host", "0.0.0.0"]).status == 64)
    }
}
