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

    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "Run the scenario K times, each with a fresh target; the comparison with --baseline judges their mean. Every run is stored; --save-baseline appends all K.",
        valueName: "K"))
    var repeatCount = 1

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
        if repeatCount < 1 { throw ValidationError("--repeat must be at least 1, got \(repeatCount)") }
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

        // `--repeat K`: K whole runs, each with its own target (launched or embedded), as each
        // baseline run had one; runs before the last are stored as soon as they end, the last one
        // with the comparison over all of them, so a failure in run 3 loses nothing of runs 1–2.
        // A signal stops the current run and skips the rest (also when it comes between two runs).
        let signals = SignalStop()
        let store = storeOption.opened
        var storeFailure: StressError?
        var runs: [ResultDocument] = []
        var stored = 0
        for index in 0..<repeatCount where signals.received == nil {
            if repeatCount > 1, !quiet { Terminal.stderr("stress-ci: run \(index + 1) of \(repeatCount)") }
            runs.append(try await measure(loaded, redacting: artifacts, signals: signals))
            if index == repeatCount - 1 || signals.received != nil { break }
            if storeFailure == nil {
                do {
                    runs[index].testId = try store.saveTestResults(runs[index])
                    stored += 1
                } catch {
                    storeFailure = error
                }
            }
            if !quiet { Terminal.stdout(Self.runLine(runs[index], index: index, of: repeatCount)) }
        }
        signals.disarm()
        // Only a signal before the first run started leaves nothing to report.
        guard var document = runs.last else { throw RunOutcome(code: signals.received == SIGTERM ? ExitStatus.sigterm : ExitStatus.sigint) }

        // Store the last run (its id may gain a suffix there), then write the artifacts whatever the
        // store said; a store failure is reported after them.
        if let baseline {
            document.comparison = try compare(runs, with: baseline, rules: loaded.regression)
        }
        if storeFailure == nil {
            do {
                if stored < runs.count {
                    document.testId = try store.saveTestResults(document)
                    runs[runs.count - 1] = document
                }
                if let saveBaseline {
                    var saved: Baseline?
                    for run in runs { saved = try store.saveBaseline(saveBaseline, run: run, keep: baselineKeep, force: force) }
                    if !quiet, let saved {
                        Terminal.stderr("saved \(runs.count == 1 ? "to" : "\(runs.count) runs to") baseline \(saveBaseline) (\(saved.runs.count) of \(saved.keep) runs)")
                    }
                    for run in runs {
                        for failure in QualityGates().failures(of: BaselineComparison.quality(of: run), label: "run \(run.testId)") {
                            Terminal.stderr("stress-ci: warning: baseline \(saveBaseline) now holds a run that fails a quality gate: \(failure)")
                        }
                    }
                }
            } catch {
                storeFailure = error
            }
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
        if let comparison = document.comparison {
            // The gates, or else the judgement; the statistics behind it are in the artifacts.
            for v in comparison.verdicts where v.gating && v.verdict == "inconclusive" {
                let gates = v.reasons.filter { $0.hasPrefix("quality gate:") }
                let why = (gates.isEmpty ? Array(v.reasons.prefix(1)) : gates).joined(separator: "; ")
                Terminal.stderr("stress-ci: warning: \(v.metric) is inconclusive\(strict ? " (fails the build under --strict)" : ""): \(why)")
            }
        }

        if let storeFailure { throw storeFailure }
        if let signal = signals.received {
            throw RunOutcome(code: signal == SIGINT ? ExitStatus.sigint : ExitStatus.sigterm)
        }
        // Criteria must hold in every run; the regression verdict is the comparison over all of them.
        let failedRuns = runs.enumerated().filter { !$0.element.verdict.criteriaPassed }
        if repeatCount > 1, !quiet {
            for (index, run) in failedRuns {
                Terminal.stderr("stress-ci: run \(index + 1) of \(runs.count) (\(run.testId)) failed: \(run.verdict.failed.joined(separator: ", "))")
            }
        }
        let criteriaFail = !failedRuns.isEmpty && (failOn == .criteria || failOn == .both)
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

    /// One run of the scenario, start to end, as a redacted result document (not stored yet).
    private func measure(_ loaded: Scenario, redacting artifacts: ArtifactWriterSet, signals: SignalStop) async throws -> ResultDocument {
        let orchestrator = StressTestOrchestrator()
        try orchestrator.loadScenario(loaded)
        orchestrator.setComponentFactory(DefaultComponents.factory(logDirectory: artifacts.directory, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount))
        signals.watch(orchestrator)
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
        let id = RunID.make(date: run.startedAt, scenarioName: loaded.name)
        return try artifacts.redacted(run.resultDocument(id: id, environment: .current(), tags: parsedTags))
    }

    /// `run 1 of 3  20250101_120000_checkout  p95 24.8ms  100/s  errors 0 (0%)  criteria met`: one
    /// line per run before the last, whose full summary follows.
    static func runLine(_ run: ResultDocument, index: Int, of count: Int) -> String {
        let s = run.summary
        let p95 = s.latency.percentiles["p95"].map(Units.formatMilliseconds) ?? "-"
        return "run \(index + 1) of \(count)  \(run.testId)  p95 \(p95)  \(Units.formatNumber(s.throughput))/s  "
            + "errors \(s.errors) (\(Units.formatNumber(s.errorRate * 100))%)  \(run.verdict.criteriaPassed ? "criteria met" : "CRITERIA FAILED")\n"
    }

    /// The comparison with `--baseline` (a stored name or a result file); nil with a warning when a
    /// named baseline does not exist yet (a first run), unless `--require-baseline`.
    private func compare(_ runs: [ResultDocument], with name: String, rules: [RegressionRule]) throws -> ResultDocument.Comparison? {
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
        if !force, let document = runs.last { try baseline.requireComparable(with: document) }
        return BaselineComparison.compare(candidates: runs, baseline: baseline, rules: rules)
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
