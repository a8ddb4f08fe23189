import Foundation
import Testing

/// `stress-ci validate` on the hostile corpus (`Tests/Fixtures/scenarios/hostile`): huge numbers
/// of every kind, request splitting, alias bombs, deep nesting, a name too long for a run id.
/// Each must be refused with exit 65 at the offending value's FILE:LINE:COLUMN, quickly (these
/// used to trap, or hang for minutes), and never with a runtime failure.
@Suite struct HostileScenarioTests {
    /// A file of the corpus, the location and a fragment of the message `validate` must print.
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var location: String
        var message: String
        var environment: [String: String] = [:]
        var description: String { file }
    }

    static let corpus: [Case] = [
        Case(file: "huge-duration.yaml", location: "3:31", message: "`duration` must be at most 7d, got `10000000000s`"),
        Case(file: "huge-criterion-threshold.yaml", location: "5:20", message: "threshold `10000000000s` is out of range"),
        Case(file: "huge-throughput-threshold.yaml", location: "5:18", message: "threshold `1e400/s` is out of range"),
        Case(file: "huge-count-threshold.yaml", location: "5:14", message: "threshold `99999999999999999999` is out of range"),
        Case(file: "huge-for-window.yaml", location: "5:27", message: "`for` must be at most 7d"),
        Case(file: "huge-bandwidth-limit.yaml", location: "5:49", message: "`limit` must be at most 8GiB/s"),
        Case(file: "huge-weights.yaml", location: "6:33", message: "weight must be at most 1,000,000"),
        Case(file: "huge-connections.yaml", location: "3:48", message: "connections must be at most 1,000,000"),
        Case(file: "huge-users.yaml", location: "3:16", message: "`users` must be at most 1,000,000 users"),
        Case(file: "huge-rate.yaml", location: "3:15", message: "`rate` must be at most 10,000,000/s, got `1e12/s`"),
        Case(file: "huge-stage-sum.yaml", location: "5:5", message: "the load lasts 200h; a run must be at most 7d"),
        Case(file: "huge-timeout.yaml", location: "3:44", message: "`timeout` must be at most 1h, got `9223372036s`"),
        Case(file: "huge-demo-latency.yaml", location: "2:35", message: "`latency` must be at most 1h"),
        Case(file: "huge-demo-jitter.yaml", location: "2:34", message: "`jitter` must be at most 1h"),
        Case(file: "huge-random-int.yaml", location: "5:21", message: "`${random.int(1,99999999999999999999)}` is out of range"),
        Case(file: "header-crlf.yaml", location: "6:24", message: "the value of header `x-note` contains a carriage return (CR)"),
        Case(file: "path-crlf.yaml", location: "5:11", message: "the path contains a carriage return (CR)"),
        Case(file: "header-env-crlf.yaml", location: "6:31", message: "(through `${HOSTILE_TOKEN}`) contains a carriage return (CR)",
             environment: ["HOSTILE_TOKEN": "abc\r\nX-Injected: 1"]),
        Case(file: "long-name.yaml", location: "1:7", message: "the name is 85 characters long; it must be at most 64"),
        Case(file: "alias-bomb-body.yaml", location: "13:10", message: "this value expands to more than 100,000 YAML nodes"),
        Case(file: "alias-bomb-key.yaml", location: "9:1", message: "an alias (`*d`) cannot be a mapping key"),
        Case(file: "complex-key.yaml", location: "4:1", message: "complex mapping keys (`? …`) are not supported"),
        Case(file: "deep-nesting.yaml", location: "6:72", message: "the YAML nests more than 64 levels deep"),
        Case(file: "too-many-values.yaml", location: "6:59971", message: "the file has more than 20,000 of"),
    ]

    @Test(arguments: corpus)
    func validateRefusesAtTheOffendingValue(_ c: Case) async throws {
        let path = CLIProcess.fixture("scenarios/hostile/\(c.file)")
        try await expectRefused(path, at: c.location, saying: c.message, environment: c.environment)
    }

    /// Every file of the corpus folder has a case above, so none is left unchecked.
    @Test func everyCorpusFileIsChecked() throws {
        let folder = CLIProcess.fixture("scenarios/hostile")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(Self.corpus.map(\.file)))
    }

    /// Inputs too large to keep in the repository are written here: a file over 1 MiB, and flow
    /// sequences nested 100,000 deep (which a recursive walk would overflow the stack on).
    @Test func validateRefusesLargeAndDeepFilesQuickly() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let head = "name: hostile\ntarget: { builtin: demo }\nload: { rate: 10/s, duration: 5s }\n"

        let large = dir.appendingPathComponent("too-large.yaml")
        try Data((head + "description: \"" + String(repeating: "x", count: 1_100_000) + "\"\n").utf8).write(to: large)
        try await expectRefused(large.path, at: "1:1", saying: "the file is larger than 1 MiB")

        let deep = dir.appendingPathComponent("deep-flow.yaml")
        try Data((head + "requests:\n  - path: /\n    body: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n").utf8)
            .write(to: deep)
        try await expectRefused(deep.path, at: "6:19998", saying: "the file has more than 20,000 of")

        // Just under the value budget, but nested past libyaml's own limit of 1,000 levels.
        let nested = dir.appendingPathComponent("deep-block.yaml")
        try Data((head + "requests:\n  - path: /\n    body: " + String(repeating: "[", count: 5_000) + "\n").utf8).write(to: nested)
        let outcome = try await CLIProcess.run(["validate", nested.path], timeout: .seconds(30))
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(nested.path):6:"), "\(outcome.stderr)")
    }

    /// `run` loads scenarios as `validate` does: it refuses before any load, with the same location.
    @Test func runRefusesBeforeAnyLoad() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = CLIProcess.fixture("scenarios/hostile/huge-timeout.yaml")
        let outcome = try await CLIProcess.run(["run", path, "--out", dir.appendingPathComponent("out").path], timeout: .seconds(30))
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(path):3:44: error: `timeout` must be at most 1h"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("runtime failure"))
    }

    private func expectRefused(_ path: String, at location: String, saying message: String, environment: [String: String] = [:],
                               sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let started = ContinuousClock.now
        let outcome = try await CLIProcess.run(["validate", path], environment: environment, timeout: .seconds(30))
        let elapsed = ContinuousClock.now - started
        #expect(outcome.status == 65, "exit \(outcome.status): \(outcome.stderr)", sourceLocation: sourceLocation)
        let expected = "\(path):\(location): error: "
        let line = outcome.stderr.split(separator: "\n").first { $0.hasPrefix(expected) && $0.contains(message) }
        #expect(line != nil, "expected `\(expected)…\(message)…` in:\n\(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(!outcome.stderr.contains("runtime failure"), sourceLocation: sourceLocation)
        // The bugs were minutes (alias bombs) or a trap; a debug build on a busy runner takes well under this.
        #expect(elapsed < .seconds(5), "validate took \(elapsed)", sourceLocation: sourceLocation)
    }
}
