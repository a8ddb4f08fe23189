import Testing
@testable import Core

@Suite struct UnitsTests {
    @Test(arguments: [
        ("500ms", 0.5), ("30s", 30), ("5m", 300), ("1h", 3600), ("250us", 0.000_25), ("250µs", 0.000_25),
        ("1.5s", 1.5), ("1m30s", 90), ("0", 0), ("10ns", 0.000_000_01), (" 2s ", 2),
    ])
    func parsesDurations(text: String, seconds: Double) throws {
        let d = try #require(Units.parseDuration(text))
        #expect(abs(d.seconds - seconds) < 1e-12)
    }

    @Test(arguments: ["", "fast", "5", "-5s", "5x", "s", "1.2.3s", "inf s"])
    func rejectsBadDurations(text: String) {
        #expect(Units.parseDuration(text) == nil)
    }

    @Test(arguments: [("200/s", 200.0), ("12000/m", 200), ("36000/h", 10), ("200/sec", 200), ("200 rps", 200), ("0/s", 0), ("-5/s", -5)])
    func parsesRates(text: String, perSecond: Double) throws {
        let rate = try #require(Units.parseRate(text))
        #expect(abs(rate.perSecond - perSecond) < 1e-9)
    }

    @Test(arguments: ["200", "200/d", "/s", "fast/s", "200/s/s"])
    func rejectsBadRates(text: String) {
        #expect(Units.parseRate(text) == nil)
    }

    @Test func parsesPercentages() {
        #expect(Units.parsePercent("1%") == 0.01)
        #expect(Units.parsePercent("0.5%") == 0.005)
        #expect(Units.parsePercent("100%") == 1)
        #expect(Units.parsePercent("1") == nil)
        #expect(Units.parsePercent("%") == nil)
        #expect(Units.parsePercent("abc%") == nil)
    }

    @Test func parsesSizes() {
        #expect(Units.parseSize("64KiB") == 65_536)
        #expect(Units.parseSize("1MiB") == 1_048_576)
        #expect(Units.parseSize("512B") == 512)
        #expect(Units.parseSize("10KB") == 10_000)
        #expect(Units.parseSize("100") == 100)
        #expect(Units.parseSize("-1KiB") == nil)
        #expect(Units.parseSize("abc") == nil)
    }

    @Test func formatsDurations() {
        #expect(Units.formatDuration(.microseconds(820)) == "820µs")
        #expect(Units.formatDuration(.microseconds(12_300)) == "12.3ms")
        #expect(Units.formatDuration(.milliseconds(1500)) == "1.5s")
        #expect(Units.formatDuration(.seconds(125)) == "2m05s")
        #expect(Units.formatDuration(.seconds(120)) == "2m")
    }

    @Test func formatsNumbers() {
        #expect(Units.formatNumber(12.3) == "12.3")
        #expect(Units.formatNumber(1000) == "1000")
        #expect(Units.formatNumber(0.05) == "0.05")
        #expect(Units.formatNumber(123.45) == "123.5")
    }

    @Test func durationComponents() {
        let d = Duration.milliseconds(1500)
        #expect(d.seconds == 1.5)
        #expect(d.nanoseconds == 1_500_000_000)
        #expect(d.microseconds == 1_500_000)
        #expect(Rate(perSecond: 200).description == "200/s")
    }
}

@Suite struct SuggestTests {
    @Test func suggestsCloseSpellings() {
        #expect(Suggest.closest("lod", in: ScenarioReader.topLevelKeys) == "load")
        #expect(Suggest.closest("latncy", in: ["latency", "throughput"]) == "latency")
        #expect(Suggest.closest("requets", in: ScenarioReader.topLevelKeys) == "requests")
        #expect(Suggest.closest("criterias", in: ScenarioReader.topLevelKeys) == "criteria")
    }

    @Test func suggestsByPrefix() {
        #expect(Suggest.closest("thr", in: ["latency", "throughput"]) == "throughput")
        #expect(Suggest.closest("max_in_flight_requests", in: ScenarioReader.loadKeys) == "max_in_flight")
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(Suggest.closest("xyzzy", in: ["latency", "throughput"]) == nil)
        #expect(Suggest.closest("", in: ["a"]) == nil)
        #expect(Suggest.closest("load", in: ["load"]) == nil)
        #expect(Suggest.hint(for: "lod", in: ["load"]) == "did you mean `load`?")
    }

    @Test func prefersTheClosest() {
        #expect(Suggest.closest("peek", in: ["warm", "peak", "cool"]) == "peak")
        #expect(Suggest.closest("stage1", in: ["stage-1", "stage-2"]) == "stage-1")
    }
}
