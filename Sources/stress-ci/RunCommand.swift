import ArgumentParser
import Foundation
import StressCI

/// `stress-ci run SCENARIO`: parses the flags, hands the run to `RunSequence`, prints, exits.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario: drive the load, check the criteria, write the result.",
        discussion: ExitStatus.table)

    @Argument(help: "The scenario file (YAML or JSON).")
    var scenario: String

    @OptionGroup var artifactOptions: ArtifactOptions

    @OptionGroup var storeOption: StoreOption

    @Option(help: ArgumentHelp("Compare with a baseline: a name in the store (`baseline import` brings one from a file), or a result.json file.", valueName: "NAME|FILE"))
    var baseline: String?

    @Flag(help: "A missing or incomparable --baseline is an error (66), found before the load, instead of a warning.")
    var requireBaseline = false

    @Flag(help: "An inconclusive verdict on a gated metric fails the build like a regression.")
    var strict = false

    @Option(help: ArgumentHelp("Append this run to the named baseline in the store (e.g. on the main branch; `baseline export` keeps it as a file).", valueName: "NAME"))
    var saveBaseline: String?

    @Option(help: "How many runs --save-baseline keeps under the name.")
    var baselineKeep = 10

    @Flag(help: "With --save-baseline: replace a baseline recorded for another scenario or load shape.")
    var force = false

    @Option(name: .customLong("tag"), help: ArgumentHelp("Attach KEY=VALUE to the result (repeatable).", valueName: "KEY=VALUE"))
    var tags: [String] = []

    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "Run the scenario K times, each with a fresh target; the comparison with --baseline judges their mean. Every run is stored; --save-baseline appends all K.",
        valueName: "K"))
    var repeatCount = 1

    @Option(help: "What fails the build: criteria, regression, both, none.")
    var failOn: FailOn = .both

    @Option(help: "Live progress: auto (a live line on a TTY, else a line every 5 s), tty, plain, none.")
    var progress: ProgressReporter.Choice = .auto

    @Flag(name: .shortAndLong, help: "Print only the verdict.")
    var quiet = false

    @Option(help: "Event-loop threads for the load generator (default: one per core).")
    var threads: Int?

    @Option(name: .customLong("control"), help: ArgumentHelp(
        "Serve live control on ADDR:PORT (port 0 picks a free one): a dashboard at /, /status, /metrics, POST /pause, /resume, /stop. A non-loopback address needs a token in STRESS_CI_CONTROL_TOKEN.",
        valueName: "ADDR:PORT"))
    var controlAddress: String?

    func validate() throws {
        for tag in tags where !tag.contains("=") || tag.hasPrefix("=") {
            throw ValidationError("--tag expects KEY=VALUE, got `\(tag)`")
        }
        if let threads, threads < 1 || threads > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
        if baselineKeep < 1 || baselineKeep > 1000 { throw ValidationError("--baseline-keep must be between 1 and 1000") }
        if repeatCount < 1 || repeatCount > 100 { throw ValidationError("--repeat must be between 1 and 100, got \(repeatCount)") }
        if let saveBaseline {
            do { try StoreName.check(saveBaseline, as: "baseline name") } catch { throw ValidationError(error.description) }
        }
        // A non-loopback --control without a token is refused here, before any load (64).
        do { _ = try controlSettings() } catch { throw ValidationError(error.description) }
    }

    /// `--control` with the token from the environment.
    private func controlSettings() throws(StressError) -> ControlSettings? {
        guard let controlAddress else { return nil }
        return try ControlSettings(address: ControlAddress(parsing: controlAddress),
                                   token: ProcessInfo.processInfo.environment[ControlSettings.tokenVariable])
    }

    func run() async throws {
        let loaded = try ScenarioLoader().load(path: scenario)
        var options = RunOptions(artifacts: try artifactOptions.writerSet(), store: storeOption.opened)
        options.baseline = baseline
        options.requireBaseline = requireBaseline
        options.strict = strict
        options.saveBaseline = saveBaseline
        options.baselineKeep = baselineKeep
        options.force = force
        options.tags = parsedTags
        options.repeatCount = repeatCount
        options.failOn = failOn
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        options.control = try controlSettings()

        let control = RunControl()
        let signals = SignalStop(control)
        let reporter = ProgressReporter(mode: quiet ? .none : ProgressReporter.Mode(progress), planned: loaded.load.totalDuration)
        let quiet = self.quiet
        let outcome = try await RunSequence.run(loaded, options: options, control: control) { event in
            switch event {
            case .runStarting(let index, let count) where count > 1 && !quiet:
                Terminal.stderr("stress-ci: run \(index + 1) of \(count)")
            case .progress(let status):
                reporter.update(status)
            case .runEnded:
                reporter.finish()
            case .runStored(let run, let index, let count) where !quiet:
                Terminal.stdout(TextSummary.runLine(run, index: index, of: count))
            case .warning(let text):
                Terminal.stderr("stress-ci: warning: \(text)")
            case .info(let text) where !quiet:
                Terminal.stderr(text)
            case .controlListening(let url):
                // Also under --quiet: with port 0 this is the only way to learn the port.
                Terminal.stderr("stress-ci: control on \(url) (dashboard, /status, /metrics)")
            default:
                break
            }
        }
        signals.disarm()
        report(outcome, options: options)
        if outcome.exitCode != ExitCode.ok { throw CommandExit(code: outcome.exitCode) }
    }

    private var parsedTags: [String: String] {
        Dictionary(tags.map { tag in
            let parts = tag.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { _, last in last })
    }
}

extension FailOn: ExpressibleByArgument {}
