import Foundation
import Testing

/// Network faults through the fault proxy, from the CLI, in the shape: three 5 s stages
/// at 100/s against the embedded target answering in 5 ms, one fault covering the middle stage
/// (README, *Failure injection*). Each fixture states the expected figures as its criteria, so
/// `run` exiting 0 is the check; the tests add what criteria cannot say.
@Suite(.serialized)
struct NetworkFaultTests {
    struct Run {
        let outcome: CLIProcess.Outcome
        let json: [String: Any]
        let out: URL

        var fault: [String: Any] { (json["faults"] as? [[String: Any]])?.first ?? [:] }

        func errors(in stage: String) -> [String: Int] {
            let stages = (json["metrics"] as? [String: Any])?["per_stage"] as? [[String: Any]] ?? []
            let stats = stages.first { $0["name"] as? String == stage }?["stats"] as? [String: Any]
            return stats?["errors_by_class"] as? [String: Int] ?? [:]
        }
    }

    func run(_ kind: String) async throws -> Run {
        let out = try temporaryDirectory()
        let outcome = try await CLIProcess.run(["run", CLIProcess.fixture("cli/fault-\(kind).yaml"), "--out", out.path, "--progress", "none"])
        let data = try Data(contentsOf: out.appendingPathComponent("result.json"))
        let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(try schemaViolations(of: out.appendingPathComponent("result.json")) == [])
        return Run(outcome: outcome, json: json, out: out)
    }

    @Test func latencyDelaysTheFaultStageOnly() async throws {
        let r = try await run("latency")
        defer { try? FileManager.default.removeItem(at: r.out) }
        #expect(r.outcome.status == 0, "\(r.outcome.stdout)")
        #expect(r.fault["affected"] as? Int == r.fault["requests"] as? Int)
        #expect((r.fault["requests"] as? Int ?? 0) > 400)
        let recovery = try #require(r.fault["recovery_s"] as? Double)
        #expect(recovery < 2)
    }

    @Test func errorAnswersAShareWithItsStatus() async throws {
        let r = try await run("error")
        defer { try? FileManager.default.removeItem(at: r.out) }
        #expect(r.outcome.status == 0, "\(r.outcome.stdout)")
        // Every error the load saw is one the proxy answered.
        #expect(r.errors(in: "fault")["status"] == r.fault["affected"] as? Int)
        let md = try String(contentsOf: r.out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("requests answered 503"))
    }

    @Test func resetBreaksConnectionsDuringTheFaultOnly() async throws {
        let r = try await run("reset")
        defer { try? FileManager.default.removeItem(at: r.out) }
        #expect(r.outcome.status == 0, "\(r.outcome.stdout)")
        let during = r.errors(in: "fault")
        #expect((during["reset"] ?? 0) >= 20, "\(during)")
        #expect(during["reset"] == r.fault["affected"] as? Int)
        #expect(r.errors(in: "before").values.reduce(0, +) == 0)
        #expect(r.errors(in: "after").values.reduce(0, +) == 0)
    }

    @Test func blackholeTimesRequestsOut() async throws {
        let r = try await run("blackhole")
        defer { try? FileManager.default.removeItem(at: r.out) }
        #expect(r.outcome.status == 0, "\(r.outcome.stdout)")
        #expect((r.errors(in: "fault")["timeout"] ?? 0) > 400)
    }

    @Test func bandwidthSlowsLargeResponses() async throws {
        let r = try await run("bandwidth")
        defer { try? FileManager.default.removeItem(at: r.out) }
        #expect(r.outcome.status == 0, "\(r.outcome.stdout)")
        let html = try String(contentsOf: r.out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("bandwidth-1"))
        let junit = try String(contentsOf: r.out.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("name=\"fault.bandwidth-1\""))
    }
}
