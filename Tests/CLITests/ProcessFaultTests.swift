import Foundation
import Testing

/// `kill` and `pause` faults on a launched target, from the CLI (README, *Failure injection*).
@Suite(.serialized)
struct ProcessFaultTests {
    func run(_ fixture: String) async throws -> (CLIProcess.Outcome, [String: Any], URL) {
        let out = try temporaryDirectory()
        let port = try freeLoopbackPort()
        let r = try await CLIProcess.run(
            ["run", CLIProcess.fixture(fixture), "--out", out.path, "--progress", "none"],
            environment: ["PORT": "\(port)", "STRESS_CI_BIN": CLIProcess.executable.path])
        let data = try Data(contentsOf: out.appendingPathComponent("result.json"))
        let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (r, json, out)
    }

    @Test func aKilledTargetIsStartedAgainAndItsRecoveryIsMeasured() async throws {
        let (r, json, out) = try await run("cli/fault-kill.yaml")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(r.status == 0, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        let faults = try #require(json["faults"] as? [[String: Any]])
        #expect(faults.count == 1)
        let crash = try #require(faults.first)
        #expect(crash["name"] as? String == "crash")
        #expect(crash["kind"] as? String == "kill")
        let restart = try #require(crash["restart"] as? [String: Any])
        let killed = try #require(restart["killed_s"] as? Double)
        let started = try #require(restart["started_s"] as? Double)
        let ready = try #require(restart["ready_s"] as? Double)
        #expect(killed >= 5 && killed < 6)
        #expect(started >= killed)
        // The restarted server waits 1.5 s before it listens.
        #expect(ready - started >= 1.4)
        let recovery = try #require(crash["recovery_s"] as? Double)
        #expect(recovery >= 1 && recovery <= 4, "recovery \(recovery)")
        // Requests failed while it was down, and only then (a request in flight at the kill,
        // sent in `before`, is reset).
        let perStage = try #require((json["metrics"] as? [String: Any])?["per_stage"] as? [[String: Any]])
        let errors = Dictionary(uniqueKeysWithValues: perStage.map { ($0["name"] as? String ?? "", ($0["stats"] as? [String: Any])?["errors"] as? Int ?? -1) })
        #expect((0...3).contains(errors["before"] ?? -1))
        #expect((errors["fault"] ?? 0) > 50)
        #expect(errors["after"] == 0)
        // The restart issue names the fault that caused it.
        let issues = try #require(json["issues"] as? [[String: Any]])
        #expect(issues.contains { $0["kind"] as? String == "target_restart" && $0["fault"] as? String == "crash" })
        #expect(try schemaViolations(of: out.appendingPathComponent("result.json")) == [])
        // Shown in every artifact.
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("### Faults"))
        #expect(md.contains("| crash | kill |"))
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<h2>Faults</h2>"))
        #expect(html.contains("band-fault"))
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("name=\"fault.crash\""))
        #expect(r.stdout.contains("crash (kill) in force"))
    }

    @Test func aPausedTargetHoldsItsRequests() async throws {
        let (r, json, out) = try await run("cli/fault-pause.yaml")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(r.status == 0, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        let fault = try #require((json["faults"] as? [[String: Any]])?.first)
        #expect(fault["name"] as? String == "pause-1")
        let actual = try #require(fault["actual"] as? [String: Any])
        let start = try #require(actual["start_s"] as? Double), end = try #require(actual["end_s"] as? Double)
        #expect(start >= 6 && end - start >= 1)
        #expect(fault["recovery_s"] is Double)
    }
}
