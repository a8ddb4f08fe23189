import Testing
@testable import Core

/// `Problem`: each form of location's description, and re-anchoring as a problem travels outward.
@Suite struct ProblemTests {
    static let metric = Problem(.offset(4), "unknown metric `latncy`", hint: "did you mean `latency`?")

    @Test func describesEachForm() {
        #expect(Problem(.file("a.yaml", line: 3, column: 7), "missing `load`", hint: "add `load:`").description
            == "a.yaml:3:7: error: missing `load` (add `load:`)")
        #expect(Problem(.file("a.yaml", line: 1, column: 1), "the file is not UTF-8 text").description
            == "a.yaml:1:1: error: the file is not UTF-8 text")
        #expect(Problem(.text(line: 2, column: 5), "a list or mapping cannot be a mapping key").description
            == "2:5: a list or mapping cannot be a mapping key")
        #expect(Problem(.path("load.connections"), "connections must be above 0, got 0").description
            == "load.connections: connections must be above 0, got 0")
        #expect(Problem(.path("criteria[0]", offset: 24), "unknown stage `mian`", hint: "did you mean `main`?").description
            == "criteria[0]: unknown stage `mian` (did you mean `main`?)")
        #expect(Self.metric.description == "at 4: unknown metric `latncy` (did you mean `latency`?)")
    }

    @Test func locationParts() {
        let file = Problem.Location.file("a.yaml", line: 3, column: 7)
        #expect(file.line == 3)
        #expect(file.column == 7)
        #expect(file.path == nil)
        #expect(file.offset == nil)
        #expect(file.shifted(by: 2) == .file("a.yaml", line: 3, column: 9))
        let path = Problem.Location.path("criteria[1]", offset: 4)
        #expect(path.line == nil)
        #expect(path.path == "criteria[1]")
        #expect(path.offset == 4)
        #expect(Problem.Location.path("name").offset == nil)
        #expect(Problem.Location.offset(4).offset == 4)
        #expect(path.description == "criteria[1], at character 5")
    }

    /// The criterion parser's offset, placed at a scenario path by the builder, then reported in
    /// the builder's name: the text `ScenarioBuilder` always gave.
    @Test func offsetThenPathThenFlattenedIntoAFile() {
        let placed = Self.metric.within("criteria[1]")
        #expect(placed.location == .path("criteria[1]", offset: 4))
        #expect(placed.description == "criteria[1]: unknown metric `latncy` (did you mean `latency`?)")
        let reported = placed.flattened(into: "ScenarioBuilder(smoke)")
        #expect(reported.location == .file("ScenarioBuilder(smoke)", line: 1, column: 1))
        #expect(reported.message == "criteria[1]: unknown metric `latncy` (at character 5)")
        #expect(reported.hint == "did you mean `latency`?")
        #expect(reported.description
            == "ScenarioBuilder(smoke):1:1: error: criteria[1]: unknown metric `latncy` (at character 5) (did you mean `latency`?)")
        // A path without an offset, as the validator reports most problems.
        #expect(Problem(.path("load.connections"), "connections must be above 0, got 0").flattened(into: "ScenarioBuilder(x)").description
            == "ScenarioBuilder(x):1:1: error: load.connections: connections must be above 0, got 0")
    }

    /// The scenario reader moves a parser's problem to where its text was written: the message and
    /// hint are untouched.
    @Test func offsetThenPathThenMovedToAFilePosition() {
        let moved = Self.metric.within("criteria[1]").moved(to: .file("test.yaml", line: 20, column: 9))
        #expect(moved.description == "test.yaml:20:9: error: unknown metric `latncy` (did you mean `latency`?)")
        #expect(moved == Problem(.file("test.yaml", line: 20, column: 9), "unknown metric `latncy`", hint: "did you mean `latency`?"))
    }

    @Test func textPositionsGoIntoTheirFile() {
        let guarded = Problem(.text(line: 9, column: 3), "this value expands to more than 100,000 YAML nodes")
        #expect(guarded.inFile("big.yaml").description == "big.yaml:9:3: error: this value expands to more than 100,000 YAML nodes")
        #expect(guarded.flattened(into: "big.yaml") == guarded.inFile("big.yaml"))
    }

    @Test func reAnchoringOnlyMovesOutward() {
        let file = Problem(.file("a.yaml", line: 2, column: 1), "m")
        #expect(file.within("name") == file)
        #expect(file.inFile("b.yaml") == file)
        #expect(file.flattened(into: "b.yaml") == file)
        let path = Problem(.path("name"), "m", dependsOn: ["load"])
        #expect(path.within("other") == path)
        #expect(path.inFile("b.yaml") == path)
        #expect(path.moved(to: .file("a.yaml", line: 1, column: 1)).dependsOn == ["load"])
        // An offset alone, flattened, keeps its character count in the message.
        #expect(Problem(.offset(0), "empty criterion").flattened(into: "f").description == "f:1:1: error: empty criterion (at character 1)")
    }
}
