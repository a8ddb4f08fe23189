import Foundation
import StressCI
import TestSupport
import Testing
import Reports
import Results

/// The four artifacts as a pipeline gets them (SPEC §10).
@Suite(.serialized)
struct ArtifactsTests {
    static let hostile = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>check</b>"]

    @Test func aRunWritesEveryArtifactWhateverTheVerdict() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let summary = out.appendingPathComponent("step-summary.md")
        let r = try await CLIProcess.run(
            ["run", CLIProcess.fixture("cli/artifacts.yaml"), "--out", out.path, "--progress", "none"],
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary.path])
        #expect(r.status == 1, "stderr: \(r.stderr)")
        for file in ["result.json", "report.md", "report.html", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
        }
        // GitHub Actions: the failed criterion as an annotation, the Markdown report in the job summary.
        #expect(r.stdout.contains("::error title=stress-ci criterion failed"))
        #expect(r.stdout.contains("error_rate > 50%"))
        let step = try String(contentsOf: summary, encoding: .utf8)
        #expect(step.contains("1 of 2 criteria failed"))

        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        for text in Self.hostile {
            #expect(!html.contains(text), "raw \(text) in report.html")
            #expect(!junit.contains(text), "raw \(text) in junit.xml")
            #expect(!md.contains(text), "raw \(text) in report.md")
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(junit.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))

        // result.json holds to the shipped JSON Schema.
        #expect(try schemaViolations(of: out.appendingPathComponent("result.json")) == [])

        // Self-contained: inline SVG charts, no scripts, nothing from the network.
        #expect(html.contains("<svg"))
        #expect(!html.lowercased().contains("<script"))
        #expect(html.range(of: #"(src|href)\s*=\s*["']?(https?:)?//"#, options: [.regularExpression, .caseInsensitive]) == nil)
        #expect(!html.contains("@import") && !html.contains("url(http"))

        // JUnit: valid against the Jenkins XSD; two suites, one testcase per criterion, the
        // failure carries measured value and limit.
        let xsd = CLIProcess.fixture("junit/junit-10.xsd")
        #expect(XMLSchemaValidation.errors(in: Data(junit.utf8), schemaPath: xsd) == [])
        #expect(junit.contains("message=\"measured 0%, limit &gt; 50%\""))
        #expect(junit.contains("<testsuite name=\"criteria\""))
        #expect(junit.contains("<testsuite name=\"regressions\""))
        #expect(junit.components(separatedBy: "<testcase ").count - 1 == 2)
        #expect(junit.components(separatedBy: "<failure ").count - 1 == 1)
        #expect(md.contains("| ❌ fail |"))
    }

    @Test func formatChoosesTheArtifacts() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", out.path, "--progress", "none", "--format", "junit,md"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files == ["junit.xml", "report.md"])
        #expect(try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--format", "pdf"]).status == 64)
    }

    @Test func reportReRendersAStoredResult() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let first = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", out.path, "--progress", "none", "--format", "json"])
        #expect(first.status == 0)
        let again = out.appendingPathComponent("again")
        let templates = out.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try Data("custom report for {{scenario.name}}: {{verdict.text}}\n".utf8).write(to: templates.appendingPathComponent("report.md.mustache"))
        let r = try await CLIProcess.run(["report", out.appendingPathComponent("result.json").path, "--out", again.path, "--templates", templates.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let md = try String(contentsOf: again.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md == "custom report for cli-pass: PASS: all 3 criteria met\n")
        // The built-in HTML template is used where the directory has none.
        #expect(try String(contentsOf: again.appendingPathComponent("report.html"), encoding: .utf8).contains("<svg"))
        // Re-rendered JSON equals the original.
        let a = try Data(contentsOf: out.appendingPathComponent("result.json"))
        let b = try Data(contentsOf: again.appendingPathComponent("result.json"))
        #expect(a == b)
    }

    @Test func reportTakesAStoredRunIdOrABaseline() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let first = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--out", dir.appendingPathComponent("out").path,
                                              "--store", store, "--save-baseline", "main", "--progress", "none", "--format", "json"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let original = try Data(contentsOf: dir.appendingPathComponent("out/result.json"))
        let id = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])["test_id"] as? String
        let byId = dir.appendingPathComponent("by-id")
        let r = try await CLIProcess.run(["report", try #require(id), "--store", store, "--out", byId.path, "--format", "json,md"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(try Data(contentsOf: byId.appendingPathComponent("result.json")) == original)
        #expect(FileManager.default.fileExists(atPath: byId.appendingPathComponent("report.md").path))
        let byBaseline = try await CLIProcess.run(["report", "main", "--store", store, "--out", dir.appendingPathComponent("by-name").path, "--format", "json"])
        #expect(byBaseline.status == 0, "stderr: \(byBaseline.stderr)")
        let missing = try await CLIProcess.run(["report", "20990101_000000_nothing", "--store", store])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("20990101_000000_nothing"))
    }

    @Test func reportRefusesBadInput() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = dir.appendingPathComponent("truncated.json")
        try Data(#"{"schema_version": 1, "test_id": "x""#.utf8).write(to: truncated)
        let bad = try await CLIProcess.run(["report", truncated.path, "--out", dir.path])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("truncated.json"))
        #expect(try await CLIProcess.run(["report", dir.appendingPathComponent("missing.json").path]).status == 66)
        let brokenTemplates = dir.appendingPathComponent("tpl")
        try FileManager.default.createDirectory(at: brokenTemplates, withIntermediateDirectories: true)
        try Data("{{#open}} never closed".utf8).write(to: brokenTemplates.appendingPathComponent("report.html.mustache"))
        let t = try await CLIProcess.run(["run", CLIProcess.fixture("cli/pass.yaml"), "--templates", brokenTemplates.path, "--out", dir.path])
        #expect(t.status == 65)
        #expect(t.stderr.contains("report.html.mustache"))
    }
}
