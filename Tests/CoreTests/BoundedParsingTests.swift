import Foundation
import Testing
@testable import Core

/// The parsers never trap, whatever the text: they return nil for what is not of their kind and
/// values beyond every bound as they are, for the reader to refuse with "must be at most".
@Suite struct BoundedParsingTests {
    static let extremes = [
        "1e400s", "9223372036854775807s", "9223372036854775808s", "99999999999999999999999h", ".", "..s", "1.s", ".5s",
        "1e-300/s", "1e400/s", "-1e400/s", "nan/s", "inf/s", "0x10/s", "1e400%", "nan%", "1e400GiB", "-1KiB",
        "99999999999999999999", "٣s", "½s", "", "   ", "1m1e9s", String(repeating: "9", count: 400) + "s",
    ]

    @Test(arguments: extremes)
    func parsersNeverTrap(text: String) {
        _ = Units.parseDuration(text)
        _ = Units.parseDurationSeconds(text)
        _ = Units.parseRate(text)
        _ = Units.parsePercent(text)
        _ = Units.parseSize(text)
        _ = Units.parseSizeBytes(text)
        _ = try? CriterionParser.parse("p95(latency) < \(text)")
        _ = try? CriterionParser.parse("throughput > \(text)")
        _ = try? CriterionParser.parse("errors < \(text)")
        _ = try? CriterionParser.parse("prom:up > \(text)")
        _ = try? CriterionParser.parse("error_rate < 1% for \(text)")
    }

    @Test func hugeDurationsAreValuesNotDurations() throws {
        #expect(Units.parseDuration("9223372036854775807s") == nil)
        #expect(Units.parseDurationSeconds("9223372036854775807s") == 9223372036854775807.0)
        #expect(Units.parseDuration("10000000000s") == nil)
        #expect(try #require(Units.parseDurationSeconds(String(repeating: "9", count: 400) + "s")).isInfinite)
        // Not durations at all: `e` is not a unit, `.` is not a number.
        #expect(Units.parseDurationSeconds("1e400s") == nil)
        #expect(Units.parseDurationSeconds(".") == nil)
        #expect(Units.parseDuration("7d") == nil)
        #expect(Units.parseDuration("168h") == .seconds(604_800))
    }

    @Test func ratesMayBeTinyOrHugeButNeverNaN() throws {
        #expect(try #require(Units.parseRate("1e-300/s")).perSecond == 1e-300)
        #expect(try #require(Units.parseRate("1e400/s")).perSecond.isInfinite)
        #expect(Units.parseRate("nan/s") == nil)
        #expect(Units.parseRate("inf/s") == nil)
        #expect(Units.parseRate("0x10/s") == nil)
        #expect(Units.parsePercent("nan%") == nil)
    }

    @Test func sizesBeyondIntAreNotInts() throws {
        #expect(Units.parseSize("1e400GiB") == nil)
        #expect(try #require(Units.parseSizeBytes("1e400GiB")).isInfinite)
        #expect(Units.parseSize("99999999999999999999") == nil)
        #expect(Units.parseSize("64KiB") == 65_536)
    }

    @Test func durationConversionsSaturate() {
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.seconds(Int64.min).nanoseconds == .min)
        #expect(Units.duration(seconds: .infinity) == nil)
        #expect(Units.duration(seconds: .nan) == nil)
        #expect(Units.duration(seconds: 1e300) == nil)
        #expect(Units.formatMilliseconds(1e300) != "")
        #expect(Units.formatMilliseconds(.nan) == "0s")
        #expect(Units.formatDuration(.seconds(Int64.max)) != "")
    }

    @Test(arguments: [
        ("p95(latency) < 10000000000s", "out of range"), ("throughput > 1e400/s", "out of range"),
        ("throughput > 1e10", "out of range"), ("errors < 99999999999999999999", "out of range"),
        ("prom:up > -1e301", "out of range"), ("error_rate < 1% for 9223372036854775807s", "at most 7d"),
        ("error_rate < nan", "expected a percentage"),
    ])
    func criterionThresholdsHaveBounds(text: String, message: String) {
        #expect(throws: Problem.self) { try CriterionParser.parse(text) }
        do { _ = try CriterionParser.parse(text) } catch { #expect(error.message.contains(message), "\(error)") }
    }

    @Test func tinyRatesNeverOverflowTheSchedule() {
        let load = LoadSpec(model: .open, stages: [Stage(name: "a", duration: .seconds(604_800), target: 1e-300),
                                                   Stage(name: "b", duration: .seconds(10), target: 1e-300)])
        let schedule = ArrivalSchedule(load)
        #expect(schedule.arrivalCount == 0)
        #expect(schedule.arrivalTime(0) == nil)
        #expect(schedule.arrivals(before: schedule.duration) == 0)
        // The largest accepted profile: 10,000,000/s for 7 days, ramped from 0.
        let peak = ArrivalSchedule(LoadSpec(model: .open, stages: [Stage(name: "r", duration: ScenarioBounds.maxRunDuration, target: ScenarioBounds.maxRatePerSecond)]))
        #expect(peak.arrivalTime(peak.arrivalCount - 1).map { $0 <= peak.duration } == true)
    }

    @Test func theYAMLGuardCountsAliasesWithoutExpandingThem() {
        var text = "name: t\ntarget: { builtin: demo }\nload: { rate: 1/s, duration: 1s }\nx:\n  a: &a [l, l, l, l, l, l, l, l, l, l]\n"
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        for i in 1..<26 { text += "  \(letters[i]): &\(letters[i]) [\(Array(repeating: "*\(letters[i - 1])", count: 10).joined(separator: ", "))]\n" }
        // 10^26 values if expanded: refused at once, at the first list past the budget.
        let error = loadError(text)
        #expect(error?.problems.count == 1)
        #expect(error?.problems.first?.message.contains("expands to more than 100,000 YAML nodes") == true)
        #expect(error?.problems.first?.location.line == 9)
    }

    @Test func aliasesWithinTheBudgetStillWork() throws {
        let text = """
        name: t
        target: { builtin: demo }
        load: { rate: 1/s, duration: 1s }
        requests:
          - { name: a, path: /a, headers: &common { accept: "*/*", x-trace: "1" } }
          - { name: b, path: /b, headers: *common }
        """
        let s = try ScenarioLoader(environment: [:]).load(text: text, file: "t.yaml")
        #expect(s.requests[1].headers.map(\.name) == ["accept", "x-trace"])
        #expect(s.requests[0].headers.first?.value.constantText == "*/*")
    }

    @Test func templatesNextToAColonAreNotComplexKeys() throws {
        let text = """
        name: t
        target: { url: "http://${HOST:-127.0.0.1}:${PORT:-8080}" }
        load: { rate: 1/s, duration: 1s }
        """
        let s = try ScenarioLoader(environment: [:]).load(text: text, file: "t.yaml")
        #expect(s.target.endpoint == .url(TargetURL(scheme: .http, host: "127.0.0.1", port: 8080)))
    }

    @Test func headerNamesAndURLsCannotSplitRequests() {
        let text = """
        name: t
        target: { url: "http://${HOST}:8080" }
        load: { rate: 1/s, duration: 1s }
        requests:
          - { path: "/a b", headers: { x-a: "${V}" } }
        """
        let error = loadError(text, environment: ["HOST": "a\nb", "V": "x\u{0}y"])
        #expect(problem(error, containing: "the URL contains a line feed (LF)")?.location.line == 2)
        #expect(problem(error, containing: "the path contains a space")?.location.line == 5)
        #expect(problem(error, containing: "(through `${V}`) contains a NUL character")?.location.line == 5)
    }
}
