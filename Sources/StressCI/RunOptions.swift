import Core
import Foundation
import Reports
import Results
import Store

/// What fails the build (`run --fail-on`).
public enum FailOn: String, Sendable, CaseIterable {
    /// Only a regression against the baseline.
    case regression
    /// Only failed success criteria.
    case criteria
    /// Either (the default).
    case both
    /// Nothing: the run reports, the exit code is 0 unless something broke.
    case none

    var criteriaFail: Bool { self == .criteria || self == .both }
    var regressionFails: Bool { self == .regression || self == .both }
}

/// How `RunSequence` runs a scenario: `stress-ci run`'s options, as a Swift caller sets them.
public struct RunOptions: Sendable {
    /// Which artifacts, where, rendered with which templates.
    public var artifacts: ArtifactWriterSet
    /// The results store every run is saved into.
    public var store: TestResultsStore
    /// A baseline name in the store, or a result file (a path ending in `.json` or holding `/`).
    public var baseline: String?
    /// A missing or incomparable baseline is an error (66), found before any load.
    public var requireBaseline = false
    /// An inconclusive gated verdict fails the build like a regression.
    public var strict = false
    /// Append the run(s) to this baseline after the comparison.
    public var saveBaseline: String?
    /// How many runs `saveBaseline` keeps.
    public var baselineKeep = Baseline.defaultKeep
    /// With `saveBaseline`: replace a baseline recorded for another scenario or load shape.
    public var force = false
    /// `--tag KEY=VALUE` pairs for the result.
    public var tags: [String: String] = [:]
    /// How many whole runs (`--repeat K`); the comparison judges their mean.
    public var repeatCount = 1
    /// What fails the build.
    public var failOn: FailOn = .both
    /// Event-loop threads of the load generator.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// `--control ADDR:PORT`: live control, status, metrics and dashboard over HTTP (README,
    /// *Live control and dashboard*); nil for none.
    public var control: ControlSettings?
    /// Where the run happens (host, OS, commit), for the result.
    public var environment: ResultDocument.EnvironmentInfo

    public init(artifacts: ArtifactWriterSet, store: TestResultsStore, environment: ResultDocument.EnvironmentInfo = .current()) {
        self.artifacts = artifacts
        self.store = store
        self.environment = environment
    }
}

/// What `RunSequence` tells its caller while it works, for progress and terminal output.
public enum RunEvent: Sendable {
    /// Run `index` (0-based) of `count` is starting.
    case runStarting(index: Int, count: Int)
    /// Once a measured second, while a run is under load.
    case progress(TestStatus)
    /// Run `index` of `count` has ended (its load is over; a progress line may be closed).
    case runEnded(index: Int, count: Int)
    /// A run before the last one, finished and stored (`--repeat K`).
    case runStored(ResultDocument, index: Int, count: Int)
    /// Something the user should know that does not fail the run.
    case warning(String)
    /// A note on what was done (a baseline saved).
    case info(String)
    /// The control server listens at `url` (`--control`), before the first run starts.
    case controlListening(url: String)
}
