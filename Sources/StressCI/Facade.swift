import Core
import Engine
import Metrics
import Reports
import Results
import Store

// The lower modules' types a caller of the facade needs by name — to load a scenario, read a
// result, print it, map an error to an exit code — and nothing more. A Swift user who wants the
// engine's internals imports those modules directly.

/// A checked scenario (Core).
public typealias Scenario = Core.Scenario
/// A fault of a scenario (README, *Failure injection*).
public typealias FaultSpec = Core.FaultSpec
/// Reads and checks a scenario file (Core).
public typealias ScenarioLoader = Core.ScenarioLoader
/// The error every command ends with, with its kind, message and hint (Core).
public typealias StressError = Core.StressError
/// The exit codes (Core).
public typealias ExitCode = Core.ExitCode
/// A step the run's state machine does not allow (Core).
public typealias IllegalTransition = Core.IllegalTransition
/// Parsing and formatting of durations, rates and sizes (Core).
public typealias Units = Core.Units
/// The bound of every number a scenario takes (Core).
public typealias ScenarioBounds = Core.ScenarioBounds
/// The embedded demo target's knobs (Core).
public typealias DemoTargetOptions = Core.DemoTargetOptions
/// The run's states (Core).
public typealias RunState = Core.RunState
/// `result.json`: what a run produced (Results).
public typealias ResultDocument = Results.ResultDocument
/// The Mustache templates of the reports (Reports).
public typealias TemplateSet = Reports.TemplateSet
/// The plain-text summary `run` prints (Reports).
public typealias TextSummary = Reports.TextSummary
/// Text made safe for a terminal line (Reports).
public typealias TerminalText = Reports.TerminalText
/// GitHub Actions workflow-command escaping (Reports).
public typealias WorkflowCommand = Reports.WorkflowCommand
/// Runs and baselines on disk (Store).
public typealias TestResultsStore = Store.TestResultsStore
/// A named baseline's runs (Store).
public typealias Baseline = Store.Baseline
/// A baseline as one portable file, for `baseline export` and `import` (Store).
public typealias BaselineExport = Store.BaselineExport
/// What importing a baseline did to the store (Store).
public typealias BaselineImport = Store.BaselineImport
/// The check on names that become file names in the store (Store).
public typealias StoreName = Store.StoreName
/// Reading a result file back (Store).
public typealias ResultFile = Store.ResultFile
/// The embedded demo target (Engine).
public typealias DemoServer = Engine.DemoServer
/// The launched targets' process groups, killed on every way out (Engine).
public typealias TargetProcessGroups = Engine.TargetProcessGroups

/// A request rate (Core).
public typealias Rate = Core.Rate
/// A load stage (Core).
public typealias Stage = Core.Stage
/// Open or closed model (Core).
public typealias LoadModel = Core.LoadModel
/// Polls metric sources into ring buffers, with aggregated windows and subscribers (Metrics).
public typealias MetricsAggregator = Metrics.MetricsAggregator
/// Anything the aggregator can poll (Metrics).
public typealias MetricSource = Metrics.MetricSource
/// A metric source's category: system, business, agents (Metrics).
public typealias MetricCategory = Metrics.MetricCategory
/// The host's CPU, memory and load from /proc (Metrics).
public typealias HostSampler = Metrics.HostSampler
/// One process's CPU and memory from /proc (Metrics).
public typealias ProcessSampler = Metrics.ProcessSampler
/// One measured second (Metrics).
public typealias SecondStats = Metrics.SecondStats

/// This stress-ci's version (Core).
public let stressCIVersion: String = Core.stressCIVersion
