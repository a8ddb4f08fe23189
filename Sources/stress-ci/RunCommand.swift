import ArgumentParser
import Foundation
import StressCI

/// `stress-ci run SCENARIO`: validate → start target → load → evaluate → result → exit code.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario: drive the load, check the criteria, write the result.",
        discussion: ExitStatus.table)

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case regression, criteria, both, none
    }

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, tty, plain, none
    }

    @Argument(help: "The scenario file (YAML or JSON).")
    var scenario: String

    @OptionGroup var artifactOptions: ArtifactOptions

    @OptionGroup var storeOption: StoreOption

    @Option(help: ArgumentHelp("Compare with a baseline: a name in the store, or a result.json file.", valueName: "NAME|FILE"))
    var baseline: String?

    @Flag(help: "A missing --baseline is an error (66) instead of a warning.")
    var requireBaseline = false

    @Flag(help: "An inconclusive verdict on a gated metric fails the build like a regression.")
    var strict = false

    @Option(help: ArgumentHelp("Append this run to the named baseline in the store (e.g. on the main branch).", valueName: "NAME"))
    var saveBaseline: String?

    @Option(help: "How many runs --save-baseline keeps under the name.")
    var baselineKeep = 10

    @Flag(help: "With --save-baseline: replace a baseline recorded for another scenario or load shape.")
    var force = false

    @Option(name: .customLong("tag"), help: ArgumentHelp("Attach KEY=VALUE to the result (repeatable).", valueName: "KEY=VALUE"))
    var tags: [String] = []

    @Option(help: "What fails the build: criteria, regression, both, none.")
    var failOn: FailOn = .both

    @Option(help: "Live progress: auto (a live line on a TTY, else a line every 5 s), tty, plain, none.")
    var progress: ProgressMode = .auto

    @Flag(name: .shortAndLong, help: "Print only the verdict.")
    var quiet = false

    @Option(help: "Event-loop threads for the load generator (default: one per core).")
    var threads: Int?

    func validate() throws {
        for tag in tags where !tag.contains("=") || tag.hasPrefix("=") {
            throw ValidationError("--tag expects KEY=VALUE, got `\(tag)`")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if baselineKeep < 1 { throw ValidationError("--baseline-keep must be at least 1") }
        // A bad baseline name is refused before the load runs, not after.
        if let saveBaseline {
            do {
                try StoreName.check(saveBaseline, as: "baseline name")
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() async throws {
        let loaded = try ScenarioLoader().load(path: scenario)
        // Everything that can fail before the load does: templates, the output directory.
        let artifacts = try artifactOptions.writerSet(redactor: Redactor(secrets: loaded.secrets))
        try ArtifactWriter.prepare(directory: artifacts.directory)

        let orchestrator = StressTestOrchestrator()
        try orchestrator.loadScenario(loaded)
        orchestrator.setComponentFactory(DefaultComponents.factory(logDirectory: artifacts.directory, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount))

        let signals = SignalStop(orchestrator: orchestrator)
        let reporter = ProgressReporter(mode: quiet ? .none : resolvedProgress, planned: loaded.load.totalDuration)
        orchestrator.registerProgressCallback { reporter.update($0) }

        let run: TestRun
        do {
            run = try await orchestrator.startTest()
        } catch let error as StressError {
            reporter.finish()
            throw error
        } catch let error as IllegalTransition {
            reporter.finish()
            throw error
        } catch {
            reporter.finish()
            throw StressError(.internalError, "the run failed unexpectedly: \(error)", hint: "this is a bug; please report it with the scenario")
        }
        reporter.finish()
        signals.disarm()

        let id = RunID.make(date: run.startedAt, scenarioName: loaded.name)
        let measured = run.resultDocument(id: id, environment: .current(), tags: parsedTags)
        // Store the run (its id may gain a suffix there), then write the artifacts whatever the
        // store said; a store failure is reported after them.
        var document = try artifacts.redacted(measured)
        if let baseline {
            document.comparison = try compare(document, with: baseline, rules: loaded.regression)
        }
        var storeFailure: StressError?
        do {
            let store = storeOption.opened
            document.testId = try store.saveTestResults(document)
            if let saveBaseline {
                let baseline = try store.saveBaseline(saveBaseline, run: document, keep: baselineKeep, force: force)
                if !quiet { Terminal.stderr("saved to baseline \(saveBaseline) (\(baseline.runs.count) of \(baseline.keep) runs)") }
            }
        } catch {
            storeFailure = error
        }
        let written = try artifacts.write(document)
        let redactor = artifacts.redactor

        if quiet {
            Terminal.stdout(TextSummary.verdictLine(document) + "\n")
        } else {
            Terminal.stdout(redactor.redact(TextSummary.render(document)))
            Terminal.stdout("artifacts: \(written.joined(separator: ", "))\n")
        }
        GitHubActions.report(document, markdown: try artifacts.render(document, .md), redactor: redactor)

        if let storeFailure { throw storeFailure }
        if let signal = signals.received {
            throw RunOutcome(code: signal == SIGINT ? ExitStatus.sigint : ExitStatus.sigterm)
        }
        let criteriaFail = !document.verdict.criteriaPassed && (failOn == .criteria || failOn == .both)
        let comparison = document.comparison
        let regressed = (comparison?.hasRegression ?? false) || (strict && (comparison?.hasInconclusive ?? false))
        let regressionFail = regressed && (failOn == .regression || failOn == .both)
        switch (criteriaFail, regressionFail) {
        case (true, true): throw RunOutcome(code: ExitStatus.criteriaFailedAndRegression)
        case (true, false): throw RunOutcome(code: ExitStatus.criteriaFailed)
        case (false, true): throw RunOutcome(code: ExitStatus.regression)
        case (false, false): break
        }
    }

    /// The comparison with `--baseline` (a stored name or a result file); nil with a warning when a
    /// named baseline does not exist yet (a first run), unless `--require-baseline`.
    private func compare(_ document: ResultDocument, with name: String, rules: [RegressionRule]) throws -> ResultDocument.Comparison? {
        let baseline: Baseline
        if name.hasSuffix(".json") || name.contains("/") {
            baseline = Baseline(name: name, run: try ResultFile.read(name))
        } else {
            let store = storeOption.opened
            guard try store.hasBaseline(name) || requireBaseline else {
                Terminal.stderr("stress-ci: warning: no baseline `\(name)` in \(storeOption.store) yet: nothing to compare with (this passes; --require-baseline makes it an error)")
                return nil
            }
            baseline = try store.loadBaseline(name)
        }
        if !force { try baseline.requireComparable(with: document) }
        return BaselineComparison.compare(candidate: document, baseline: baseline, rules: rules)
    }

    private var resolvedProgress: ProgressReporter.Mode {
        switch progress {
        case .none: .none
        case .tty: .tty
        case .plain: .plain
        case .auto: Terminal.stderrIsTTY ? .tty : .plain
        }
    }

    private var parsedTags: [String: String] {
        Dictionary(tags.map { tag in
            let parts = tag.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { _, last in last })
    }
}
