import Core
import Foundation
import Results

/// A named baseline (`baselines/NAME.json`): the history of runs a new run is compared with,
/// oldest first, for one scenario and one load shape.
public struct Baseline: Codable, Sendable, Equatable {
    /// Bump on any breaking change to the file.
    public static let currentSchemaVersion = 1
    /// How many runs a baseline keeps unless told otherwise.
    public static let defaultKeep = 10
    /// The most runs a baseline keeps (and a baseline file may hold).
    public static let maximumKeep = 1000

    public var name: String
    /// Appending keeps only the last `keep` runs.
    public var keep: Int
    /// The scenario's name every run in it shares.
    public var scenario: String
    /// The load model and stages every run in it shares (see `loadShape(of:)`).
    public var loadShape: String
    /// Oldest first.
    public var runs: [ResultDocument]

    public init(name: String, keep: Int = Baseline.defaultKeep, scenario: String, loadShape: String, runs: [ResultDocument]) {
        self.name = name
        self.keep = keep
        self.scenario = scenario
        self.loadShape = loadShape
        self.runs = runs
    }

    /// A new baseline holding only `run`.
    public init(name: String, keep: Int = Baseline.defaultKeep, run: ResultDocument) {
        self.init(name: name, keep: keep, scenario: run.scenario.name, loadShape: Baseline.loadShape(of: run), runs: [run])
    }

    /// A short, readable fingerprint of a run's load: model and stages, e.g.
    /// `open 2 stages: 0s→200/s, 12s→200/s`. Runs under different loads are not comparable.
    public static func loadShape(of run: ResultDocument) -> String {
        loadShape(of: run.scenario)
    }

    /// The load shape of a scenario as echoed in results (see `loadShape(of:)` for a run).
    public static func loadShape(of scenario: RedactedScenario) -> String {
        let load = scenario.load
        let unit = load.model == .open ? "/s" : " users"
        let stages = load.stages.map { "\(number($0.durationSeconds))s→\(number($0.target))\(unit)" }
        return "\(load.model) \(stages.count) stage\(stages.count == 1 ? "" : "s"): \(stages.joined(separator: ", "))"
    }

    /// Throws the refusal unless `run` has this baseline's scenario and load shape.
    public func requireComparable(with run: ResultDocument) throws(StressError) {
        if let problem = comparabilityProblem(with: run.scenario) {
            throw StressError(.invalidInput, problem, hint: "use --force to replace it, or another baseline name")
        }
    }

    /// Why runs of `scenario` cannot be compared with this baseline (another scenario, or another
    /// load shape), or nil when they can. Known before any load runs.
    public func comparabilityProblem(with scenario: RedactedScenario) -> String? {
        let shape = Baseline.loadShape(of: scenario)
        guard scenario.name != self.scenario || shape != loadShape else { return nil }
        return "baseline \(name) was recorded for scenario \(self.scenario) (\(loadShape)); this run is \(scenario.name) (\(shape))"
    }

    /// Appends `run` (replacing an earlier copy of the same run) and keeps the last `keep`.
    mutating func append(_ run: ResultDocument) {
        runs.removeAll { $0.testId == run.testId }
        runs.append(run)
        if runs.count > keep { runs.removeFirst(runs.count - keep) }
    }

    /// Throws unless `keep` and the number of runs lie within 1…`maximumKeep` and every run's numbers
    /// within `ResultDocument.Limits` (exit 65 naming `file` and the value's JSON path).
    public func check(file: String) throws(StressError) {
        let hint = "delete it with `stress-ci baseline delete`, or replace it with --force"
        guard (1...Baseline.maximumKeep).contains(keep) else {
            throw StressError(.invalidInput, "`\(file)`: `keep` is \(keep); a baseline keeps 1 to \(Baseline.maximumKeep) runs", hint: hint)
        }
        guard (1...Baseline.maximumKeep).contains(runs.count) else {
            throw StressError(.invalidInput, "`\(file)`: `runs` has \(runs.count) entries; a baseline holds 1 to \(Baseline.maximumKeep) runs", hint: hint)
        }
        for (i, run) in runs.enumerated() {
            do {
                try run.check(file: file, at: "runs[\(i)].")
            } catch {
                throw StressError(error.kind, error.message, hint: hint)
            }
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case name, keep, scenario, runs
        case loadShape = "load_shape"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .schemaVersion)
        guard version == Baseline.currentSchemaVersion else {
            throw DecodingError.dataCorruptedError(forKey: .schemaVersion, in: c,
                debugDescription: "schema_version \(version); this stress-ci reads \(Baseline.currentSchemaVersion)")
        }
        name = try c.decode(String.self, forKey: .name)
        keep = try c.decode(Int.self, forKey: .keep)
        scenario = try c.decode(String.self, forKey: .scenario)
        loadShape = try c.decode(String.self, forKey: .loadShape)
        runs = try c.decode([ResultDocument].self, forKey: .runs)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Baseline.currentSchemaVersion, forKey: .schemaVersion)
        try c.encode(name, forKey: .name)
        try c.encode(keep, forKey: .keep)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(loadShape, forKey: .loadShape)
        try c.encode(runs, forKey: .runs)
    }
}
