import Foundation
import Testing
@testable import Core

/// `Tests/Fixtures`, found from this file's path.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
/// The repository root (for `examples/`).
let repositoryRoot = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent()

func fixturePath(_ name: String) -> String {
    fixturesDirectory.appendingPathComponent("scenarios").appendingPathComponent(name).path
}

/// Loads `text` and returns the error it throws, or records a failure if it loads.
func loadError(_ text: String, environment: [String: String] = [:], file: String = "test.yaml",
               sourceLocation: Testing.SourceLocation = #_sourceLocation) -> StressError? {
    do {
        let scenario = try ScenarioLoader(environment: environment).load(text: text, file: file)
        Issue.record("expected an error, loaded `\(scenario.name)`", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

func loadFixtureError(_ name: String, environment: [String: String] = [:],
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) -> StressError? {
    do {
        let scenario = try ScenarioLoader(environment: environment).load(path: fixturePath(name))
        Issue.record("expected an error, loaded `\(scenario.name)`", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The one problem whose message contains `fragment`.
func problem(_ error: StressError?, containing fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Problem? {
    let matches = error?.problems.filter { $0.message.contains(fragment) } ?? []
    if matches.count != 1 {
        Issue.record("expected one problem containing `\(fragment)`, got: \(error?.problems.map(\.description) ?? [])", sourceLocation: sourceLocation)
    }
    return matches.first
}

/// A minimal valid scenario with `extra` appended (YAML).
func minimal(_ extra: String = "", load: String = "load: { rate: 10/s, duration: 5s }") -> String {
    "name: t\ntarget: { builtin: demo }\n\(load)\n\(extra)"
}

