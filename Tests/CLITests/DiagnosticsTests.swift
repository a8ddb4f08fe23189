import Foundation
import StressCI
import Testing

/// Issues and recommendations as a pipeline gets them: a real run against a demo target that
/// freezes, through result.json, report.md and the terminal summary (SPEC §9, §10).
@Suite(.serialized)
struct DiagnosticsTests {
    @Test func aFreezingTargetShowsAnErrorBurstWithItsEvidenceInEveryArtifact() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/diagnostics.yaml"), "--out", out.path, "--progress", "none"])
        #expect(r.status == 0, "stdout: \(r.stdout) stderr: \(r.stderr)")
        let resultURL = out.appendingPathComponent("result.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: resultURL)) as? [String: Any])
        let issues = try #require(json["issues"] as? [[String: Any]])

        // The freeze's timeouts: a burst inside the measured 4 s, with its count, rate and class.
        let burst = try #require(issues.first { $0["kind"] as? String == "error_burst" }, "issues: \(issues)")
        let evidence = try #require(burst["evidence"] as? [String: Any])
        let from = try #require(evidence["from_s"] as? Double), to = try #require(evidence["to_s"] as? Double)
        #expect(from >= 0 && to > from && to <= 4, "window \(from)–\(to)")
        #expect(evidence["metric"] as? String == "error_rate")
        #expect((evidence["count"] as? Int ?? 0) >= 5)
        #expect((evidence["value"] as? Double ?? 0) >= 0.05)
        #expect((evidence["detail"] as? String)?.hasPrefix("timeout") == true, "\(evidence)")
        let summary = try #require(burst["summary"] as? String)
        #expect(summary.hasPrefix("Error burst "), "\(summary)")
        // Requests that waited out the freeze: a latency spike.
        #expect(issues.contains { $0["kind"] as? String == "latency_spike" }, "issues: \(issues)")
        let recommendations = try #require(json["recommendations"] as? [String])
        #expect(recommendations.contains { $0.hasPrefix("Look at the target's logs around") && $0.contains("timeout") }, "\(recommendations)")
        #expect(try schemaViolations(of: resultURL) == [])

        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("### Issues"))
        #expect(md.contains("error burst | \(summary)"), "\(md)")
        #expect(md.contains("### Recommendations"))
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<span class=\"muted\">error burst</span>"))
        // One line per issue in the terminal summary.
        #expect(r.stdout.contains("issue (\(burst["severity"] as? String ?? "")): \(summary)"), "\(r.stdout)")
    }
}
