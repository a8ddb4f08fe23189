import Foundation
import Testing
@testable import Reports
import Results

@Suite struct JUnitWriterTests {
    @Test func onePassingOneFailingCriterionIsValidWithOneFailure() throws {
        let xml = try JUnitWriter.render(junitFixtureResult())
        #expect(junitSchemaErrors(xml) == [])
        let root = try #require(parseXML(xml))
        #expect(root.name == "testsuites")
        #expect(root["name"] == "stress-ci")
        #expect(root["tests"] == "2")
        #expect(root["failures"] == "1")
        #expect(root["time"] == "65.500")

        let suites = root.children.filter { $0.name == "testsuite" }
        #expect(suites.map { $0["name"] } == ["criteria", "regressions"])
        let criteria = suites[0]
        #expect(criteria["tests"] == "2")
        #expect(criteria["failures"] == "1")
        #expect(criteria["errors"] == "0")
        #expect(criteria["hostname"] == "ci-runner-7")
        #expect(criteria["timestamp"] == "2026-01-01T00:00:00Z")

        let cases = criteria.all("testcase")
        #expect(cases.count == 2)
        #expect(cases.allSatisfy { $0["classname"] == "stress-ci.checkout.criteria" })
        #expect(cases.map { $0["name"] } == ["error_rate < 1%", "p95(latency) < 40ms"])
        #expect(cases[0].all("failure").isEmpty)
        let failures = root.all("failure")
        #expect(failures.count == 1)
        let failure = try #require(failures.first)
        #expect(failure["type"] == "criterion")
        #expect(failure["message"] == "measured 48.25ms, limit < 40ms")
        #expect(failure.text.contains("p95 over the 60s measured window was 48.25ms"))
        #expect(failure.text.contains("abort"))

        let out = try #require(criteria.all("system-out").first).text
        #expect(out.contains("FAIL: 1 of 2 criteria failed"))
        #expect(out.contains("warning: generator CPU above 90% for 3s"))
    }

    @Test func propertiesCarryTheRunsMetadata() throws {
        let root = try #require(parseXML(try JUnitWriter.render(junitFixtureResult())))
        for suite in root.all("testsuite") {
            let properties = Dictionary(uniqueKeysWithValues: suite.all("property").map { ($0["name"]!, $0["value"]!) })
            #expect(properties["run_id"] == "20260101_000000_checkout")
            #expect(properties["scenario"] == "checkout")
            #expect(properties["status"] == "completed")
            #expect(properties["partial"] == "false")
            #expect(properties["stop_reason"] == nil)
            #expect(properties["target"] == "http://127.0.0.1:8080")
            #expect(properties["tool_version"] == "0.1.0")
            #expect(properties["git_commit"] == "0123456789abcdef0123456789abcdef01234567")
            #expect(properties["git_branch"] == "main")
            #expect(properties["tag.team"] == "payments")
        }
    }

    @Test func partialRunIsMarked() throws {
        let xml = try JUnitWriter.render(junitFixtureResult(stopReason: "abort criterion failed: p95(latency) < 40ms"))
        #expect(junitSchemaErrors(xml) == [])
        let root = try #require(parseXML(xml))
        let properties = Dictionary(uniqueKeysWithValues: root.all("testsuite")[0].all("property").map { ($0["name"]!, $0["value"]!) })
        #expect(properties["status"] == "partial")
        #expect(properties["partial"] == "true")
        #expect(properties["stop_reason"] == "abort criterion failed: p95(latency) < 40ms")
        let out = try #require(root.all("system-out").first).text
        #expect(out.contains("PARTIAL: abort criterion failed"))
        #expect(out.contains("(partial run)"))
    }

    @Test func regressionChecksFillTheSecondSuite() throws {
        let checks = [
            JUnitRegressionCheck(name: "p95(latency) ±10%", passed: false, measured: "48.25ms (+21%)", limit: "39.9ms ±10%",
                                 evidence: "Mann-Whitney p < 0.001"),
            JUnitRegressionCheck(name: "error_rate ±0.5% absolute", passed: true, measured: "0.2%", limit: "0.1% ±0.5%", evidence: "within tolerance"),
        ]
        let xml = try JUnitWriter.render(junitFixtureResult(), regressions: checks)
        #expect(junitSchemaErrors(xml) == [])
        let root = try #require(parseXML(xml))
        #expect(root["tests"] == "4")
        #expect(root["failures"] == "2")
        let regressions = root.all("testsuite")[1]
        #expect(regressions["tests"] == "2")
        #expect(regressions["failures"] == "1")
        let failure = try #require(regressions.all("failure").first)
        #expect(failure["type"] == "regression")
        #expect(failure["message"] == "measured 48.25ms (+21%), limit 39.9ms ±10%")
        #expect(regressions.all("testcase").allSatisfy { $0["classname"] == "stress-ci.checkout.regressions" })
    }

    @Test func noCriteriaAndNoRegressionsIsStillValid() throws {
        let xml = try JUnitWriter.render(junitFixtureResult(criteria: [], warnings: []))
        #expect(junitSchemaErrors(xml) == [])
        let root = try #require(parseXML(xml))
        #expect(root.all("testsuite").map { $0["tests"] } == ["0", "0"])
        #expect(root.all("testcase").isEmpty)
    }

    static let hostile = "<script>alert(1)</script> <img src=x onerror=alert(1)> ]]> \"q\" 'a' & \u{0}\u{1}\u{8}\u{B}\u{C}\u{1B}[31m\u{7F}\u{85}\u{FFFE} tab\tend 🚀👩‍💻"
    static let hostileCleaned = "<script>alert(1)</script> <img src=x onerror=alert(1)> ]]> \"q\" 'a' & [31m tab\tend 🚀👩‍💻"

    @Test func hostileStringsAreEscapedAndTheDocumentStaysValid() throws {
        let criterion = ResultDocument.Criterion(
            criterion: "p95(\(Self.hostile)) < 1ms", passed: false, measured: 2, measuredText: Self.hostile,
            limit: "< 1ms", evidence: Self.hostile, abort: false)
        var result = junitFixtureResult(scenario: Self.hostile, criteria: [criterion], warnings: [Self.hostile])
        result.target = "http://x/\(Self.hostile)"
        result.tags = ["k\(Self.hostile)": Self.hostile]
        result.environment.host = Self.hostile
        let xml = try JUnitWriter.render(result, regressions: [
            JUnitRegressionCheck(name: Self.hostile, passed: false, measured: Self.hostile, limit: Self.hostile, evidence: Self.hostile),
        ])
        #expect(junitSchemaErrors(xml) == [])

        let text = try #require(String(data: xml, encoding: .utf8))
        for raw in ["<script", "<img", "]]>", "\u{0}", "\u{1}", "\u{1B}", "\u{7F}", "\u{85}", "\u{FFFE}"] {
            #expect(!text.contains(raw), "raw \(raw.debugDescription) in the output")
        }
        #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(text.contains("🚀👩‍💻"))

        // Read back, the values are the originals less the illegal characters.
        let root = try #require(parseXML(xml))
        let cases = root.all("testcase")
        #expect(cases.count == 2)
        #expect(cases[0]["classname"] == "stress-ci.\(Self.hostileCleaned).criteria")
        #expect(cases[0]["name"] == "p95(\(Self.hostileCleaned)) < 1ms")
        #expect(cases[1]["name"] == Self.hostileCleaned)
        let failures = root.all("failure")
        #expect(failures.count == 2)
        #expect(failures[0]["message"] == "measured \(Self.hostileCleaned), limit < 1ms")
        #expect(failures[0].text.hasPrefix(Self.hostileCleaned + "\n"))
        #expect(root.all("testsuite").allSatisfy { $0["hostname"] == Self.hostileCleaned })
        let properties = root.all("testsuite")[0].all("property")
        #expect(properties.contains { $0["name"] == "scenario" && $0["value"] == Self.hostileCleaned })
        #expect(properties.contains { $0["name"] == "tag.k\(Self.hostileCleaned)" && $0["value"] == Self.hostileCleaned })
        // <system-out> holds the terminal summary, whose lines show control characters as escapes.
        let summaryWarning = "warning: " + JUnitXMLTextWriter.xmlSafe(TerminalText.sanitize(Self.hostile))
        #expect(try #require(root.all("system-out").first).text.contains(summaryWarning))
        #expect(summaryWarning.contains(#"\u{0}\u{1}\u{8}\u{B}\u{C}\e[31m\u{7F}\u{85} tab\tend"#))
    }

    /// The schema check is only worth something if it can fail.
    @Test func validatorRejectsWhatTheXSDForbids() {
        let missingErrors = Data(#"<testsuites><testsuite name="a" tests="0" failures="0"/></testsuites>"#.utf8)
        #expect(!junitSchemaErrors(missingErrors).isEmpty)
        let badTime = Data(#"<testsuites><testsuite name="a" tests="0" failures="0" errors="0" time="-1"/></testsuites>"#.utf8)
        #expect(!junitSchemaErrors(badTime).isEmpty)
        let propertiesAtTop = Data(#"<testsuites><properties/></testsuites>"#.utf8)
        #expect(!junitSchemaErrors(propertiesAtTop).isEmpty)
        #expect(junitSchemaErrors(Data("<testsuites><".utf8)) == ["not well-formed XML"])
    }

    @Test func xmlSafeKeepsTabsNewlinesAndEmojiAndDropsControls() {
        #expect(JUnitXMLTextWriter.xmlSafe("a\tb\nc\rd") == "a\tb\nc\rd")
        #expect(JUnitXMLTextWriter.xmlSafe("a\u{0}b\u{1F}c\u{7F}d\u{9F}e\u{FFFF}f") == "abcdef")
        #expect(JUnitXMLTextWriter.xmlSafe("é 🚀 \u{E000}") == "é 🚀 \u{E000}")
    }

    @Test func timesMatchTheSurefirePattern() {
        #expect(JUnitWriter.seconds(65.5) == "65.500")
        #expect(JUnitWriter.seconds(-1) == "0.000")
        #expect(JUnitWriter.seconds(.nan) == "0.000")
        #expect(JUnitWriter.seconds(.infinity) == "0.000")
        #expect(JUnitWriter.seconds(1e7) == "10000000.000")
    }

    /// `Tests/Fixtures/junit/golden.xml`, byte for byte. Re-record on purpose with `RECORD_GOLDEN=1`.
    @Test func matchesTheGoldenFile() throws {
        let xml = try JUnitWriter.render(junitFixtureResult(), regressions: [
            JUnitRegressionCheck(name: "p95(latency) ±10%", passed: false, measured: "48.25ms (+21%)", limit: "39.9ms ±10%",
                                 evidence: "the p95 rose from 39.9ms to 48.25ms; Mann-Whitney p < 0.001"),
            JUnitRegressionCheck(name: "error_rate ±0.5% absolute", passed: true, measured: "0.2%", limit: "0.1% ±0.5%", evidence: "within tolerance"),
        ])
        let golden = junitFixtures.appendingPathComponent("golden.xml")
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try xml.write(to: golden, options: .atomic)
            Issue.record("re-recorded \(golden.path); unset RECORD_GOLDEN and run again")
            return
        }
        guard let expected = FileManager.default.contents(atPath: golden.path) else {
            Issue.record("\(golden.path) is missing; record it with RECORD_GOLDEN=1")
            return
        }
        #expect(junitSchemaErrors(expected) == [])
        #expect(xml == expected, "junit.xml differs from golden.xml:\n\(String(decoding: xml, as: UTF8.self))")
    }
}
