import Analysis
import Core
import Foundation
import Reports
import Results
import Store

/// `stress-ci run` as one library call, the run's whole sequence in one place:
///
/// 1. before any target starts: the output directory and the store are writable, the baseline
///    exists, parses and is for this scenario and load shape (`--require-baseline`: 66 at once),
///    `--save-baseline` can take this run;
/// 2. `repeatCount` whole runs, each with its own target: start, wait until ready, load, evaluate;
///    runs before the last are stored as soon as they end;
/// 3. after the load, nothing may lose the run: the comparison, storing the last run, saving the
///    baseline and writing the artifacts each go on when another failed, and the first failure
///    decides the exit code (see `RunOutcome.exitCode`).
///
/// Everything the result holds is redacted in the model before it is stored or rendered, and every
/// error this throws is redacted too.
public enum RunSequence {
    /// Runs `scenario` with `options`; `control` stops it from outside (a signal, the control
    /// endpoint of `options.control`), `events` reports progress. Throws `StressError` only when no
    /// run finished (a bad baseline, a target that never became ready, an unwritable output
    /// directory found before the load, a `--control` address it cannot listen on).
    public static func run(_ scenario: Scenario, options: RunOptions, control: RunControl = RunControl(),
                           events: @escaping @Sendable (RunEvent) -> Void = { _ in }) async throws -> RunOutcome {
        let redactor = Redactor(secrets: scenario.secrets)
        do {
            return try await sequence(scenario, options: options, control: control, events: events)
        } catch let error as StressError {
            throw error.redacted(by: redactor)
        } catch let error as IllegalTransition {
            throw StressError(.internalError, "the run's state machine refused a step: \(error)", hint: "this is a bug; please report it with the command you ran")
        } catch {
            throw StressError(.internalError, redactor.redact("the run failed unexpectedly: \(error)"), hint: "this is a bug; please report it with the scenario")
        }
    }

    private static func sequence(_ scenario: Scenario, options: RunOptions, control: RunControl,
                                 events: @escaping @Sendable (RunEvent) -> Void) async throws -> RunOutcome {
        // 1. Everything that can be known before the load.
        guard options.repeatCount >= 1 else { throw StressError(.usage, "--repeat must be at least 1, got \(options.repeatCount)") }
        guard options.baselineKeep >= 1 else { throw StressError(.usage, "--baseline-keep must be at least 1, got \(options.baselineKeep)") }
        try ArtifactWriter.prepare(directory: options.artifacts.directory)
        try options.store.prepare()
        let echo = scenario.redactedSummary
        let baseline = try resolveBaseline(options, echo: echo, events: events)
        try checkSaveBaseline(options, echo: echo)

        // 2. The runs, watched and controlled through `--control` when asked for; those before
        // the last are stored as soon as they end.
        var live: ControlService?
        if let settings = options.control {
            let service = try await ControlService.start(settings, scenario: scenario, runs: options.repeatCount, control: control)
            events(.controlListening(url: service.url))
            live = service
        }
        var runs: [ResultDocument] = []
        var failures: [StressError] = []
        var storeWorks = true
        do {
            try await measureAll(scenario, options: options, control: control, live: live, events: events,
                                 runs: &runs, failures: &failures, storeWorks: &storeWorks)
        } catch {
            await live?.finish()
            throw error
        }
        await live?.finish()
        guard var document = runs.last else {
            // Stopped before any load: nothing was measured, nothing is written.
            return RunOutcome(result: nil, runs: [], artifacts: [], failures: [],
                              exitCode: control.stopSignal.map(ExitCode.code(forSignal:)) ?? ExitCode.ok)
        }

        // 3. After the load. The comparison cannot fail; storing and writing can, and each goes on.
        switch baseline {
        case .compare(let b)?:
            var comparison = BaselineComparison.compare(candidates: runs, baseline: b, rules: scenario.regression)
            comparison.strict = options.strict
            document.comparison = comparison
        case .incomparable(let b, let problem)?:
            let note = "not comparable: \(problem); nothing was compared"
            document.comparison = ResultDocument.Comparison(baseline: b.name, baselineRuns: b.runs.map(\.testId), verdicts: [],
                                                            notes: [note], strict: options.strict)
            document.warnings.append("baseline \(note)")
        case nil:
            break
        }
        func exitCode() -> Int32 {
            RunOutcome.exitCode(runs: runs, comparison: document.comparison, failOn: options.failOn,
                                signal: control.stopSignal, failures: failures)
        }
        document.verdict.exitCode = exitCode()
        if storeWorks {
            do {
                document.testId = try options.store.saveTestResults(document)
            } catch {
                failures.append(error)
                storeWorks = false
            }
        }
        runs[runs.count - 1] = document
        if storeWorks, let name = options.saveBaseline {
            do {
                try save(runs, to: name, options: options, events: events)
            } catch {
                failures.append(error)
            }
        }
        // The artifacts: result.json last, so it carries the exit code of everything before it.
        document.verdict.exitCode = exitCode()
        var writer = options.artifacts
        writer.formats = writer.formats.filter { $0 != .json }
        var (written, writeFailures) = writer.writeAll(document)
        failures += writeFailures
        if options.artifacts.formats.contains(.json) {
            document.verdict.exitCode = exitCode()
            writer.formats = [.json]
            let json = writer.writeAll(document)
            written = json.written + written
            failures += json.failures
        }
        runs[runs.count - 1] = document
        return RunOutcome(result: document, runs: runs, artifacts: written, failures: failures, exitCode: exitCode())
    }

    /// The `--repeat K` runs, until one is stopped; those before the last are stored as soon as they end.
    private static func measureAll(_ scenario: Scenario, options: RunOptions, control: RunControl, live: ControlService?,
                                   events: @escaping @Sendable (RunEvent) -> Void,
                                   runs: inout [ResultDocument], failures: inout [StressError], storeWorks: inout Bool) async throws {
        let count = options.repeatCount
        for index in 0..<count where control.stopReason == nil {
            events(.runStarting(index: index, count: count))
            let run: TestRun
            do {
                run = try await measure(scenario, options: options, control: control, live: live, index: index, count: count, events: events)
            } catch is RunStopped {
                break
            }
            runs.append(run.resultDocument(id: run.testId, environment: options.environment, tags: options.tags).redacted(for: scenario))
            if index == count - 1 || control.stopReason != nil { break }
            if storeWorks {
                do {
                    runs[index].testId = try options.store.saveTestResults(runs[index])
                    events(.runStored(runs[index], index: index, count: count))
                } catch {
                    failures.append(error)
                    storeWorks = false
                }
            }
        }
    }

    /// One run of the scenario, start to end.
    private static func measure(_ scenario: Scenario, options: RunOptions, control: RunControl, live: ControlService?,
                                index: Int, count: Int, events: @escaping @Sendable (RunEvent) -> Void) async throws -> TestRun {
        let orchestrator = StressTestOrchestrator()
        try orchestrator.loadScenario(scenario)
        let components = DefaultComponents.factory(logDirectory: options.artifacts.directory, threads: options.threads)
        orchestrator.setComponentFactory { scenario in
            // A stop that came before the orchestrator could take it still keeps the target from starting.
            if let reason = control.stopReason { throw RunStopped(reason: reason) }
            return try await components(scenario)
        }
        orchestrator.registerProgressCallback { events(.progress($0)) }
        // No measured second closes while paused: a pause and a resume are progress of their own.
        orchestrator.registerLifecycleCallback(.onPause) { events(.progress($0)) }
        orchestrator.registerLifecycleCallback(.onResume) { events(.progress($0)) }
        live?.begin(orchestrator, index: index)
        control.watch(orchestrator)
        defer { events(.runEnded(index: index, count: count)) }
        return try await orchestrator.startTest()
    }

    // MARK: Baselines

    private enum BaselineChoice {
        case compare(Baseline)
        /// Recorded for another scenario or load shape: noted, not compared.
        case incomparable(Baseline, String)
    }

    /// The baseline to compare with, checked before any load: a missing one warns (66 with
    /// `--require-baseline`), a broken one is 65, one of another load shape is noted, not compared.
    private static func resolveBaseline(_ options: RunOptions, echo: RedactedScenario,
                                        events: (RunEvent) -> Void) throws -> BaselineChoice? {
        guard let reference = options.baseline else { return nil }
        let baseline: Baseline
        if reference.hasSuffix(".json") || reference.contains("/") {
            baseline = Baseline(name: reference, run: try ResultFile.read(reference))
        } else {
            guard try options.store.hasBaseline(reference) else {
                if options.requireBaseline {
                    throw StressError(.notFound, "no baseline `\(reference)` in `\(options.store.root)`",
                                      hint: "record one with `run --save-baseline \(reference)` (on the main branch), or drop --require-baseline")
                }
                events(.warning("no baseline `\(reference)` in \(options.store.root) yet: nothing to compare with (this passes; --require-baseline makes it an error)"))
                return nil
            }
            baseline = try options.store.loadBaseline(reference)
        }
        if let problem = baseline.comparabilityProblem(with: echo) {
            if options.requireBaseline {
                throw StressError(.notFound, "no comparable baseline: \(problem)",
                                  hint: "record a baseline for this load shape, or drop --require-baseline")
            }
            events(.warning("\(problem): not comparable, nothing is compared (this passes; --require-baseline makes it an error)"))
            return .incomparable(baseline, problem)
        }
        return .compare(baseline)
    }

    /// `--save-baseline NAME` will take this scenario's runs: checked before the load.
    private static func checkSaveBaseline(_ options: RunOptions, echo: RedactedScenario) throws {
        guard let name = options.saveBaseline else { return }
        try StoreName.check(name, as: "baseline name")
        guard !options.force, try options.store.hasBaseline(name) else { return }
        if let problem = try options.store.loadBaseline(name).comparabilityProblem(with: echo) {
            throw StressError(.invalidInput, "\(problem): --save-baseline \(name) would mix load shapes",
                              hint: "use --force to replace it, or another baseline name")
        }
    }

    /// Appends every run to the baseline `name`, after the comparison (so a run is never compared
    /// with itself), and warns when a run that fails a quality gate joins it.
    private static func save(_ runs: [ResultDocument], to name: String, options: RunOptions,
                             events: (RunEvent) -> Void) throws(StressError) {
        var saved: Baseline?
        for (index, run) in runs.enumerated() {
            // `--force` replaces a baseline of another shape once; the other runs append to the new one.
            saved = try options.store.saveBaseline(name, run: run, keep: options.baselineKeep, force: options.force && index == 0)
        }
        if let saved {
            events(.info("saved \(runs.count == 1 ? "to" : "\(runs.count) runs to") baseline \(name) (\(saved.runs.count) of \(saved.keep) runs)"))
        }
        for run in runs {
            for failure in QualityGates().failures(of: BaselineComparison.quality(of: run), label: "run \(run.testId)") {
                events(.warning("baseline \(name) now holds a run that fails a quality gate: \(failure)"))
            }
        }
    }
}
