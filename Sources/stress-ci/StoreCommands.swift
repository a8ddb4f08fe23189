import ArgumentParser
import Foundation
import StressCI

/// `--store DIR`: where runs and baselines live (README, *Results store and baselines*).
struct StoreOption: ParsableArguments {
    @Option(help: ArgumentHelp("The results store: runs/ID.json and baselines/NAME.json.", valueName: "DIR"))
    var store = ".stress-ci"

    var opened: TestResultsStore { TestResultsStore(root: store) }
}

/// `stress-ci list`: stored runs, newest first.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored runs, newest first.")

    @OptionGroup var storeOption: StoreOption

    @Option(help: "Show at most N runs.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let runs = try storeOption.opened.listTestResults(limit: limit)
        if runs.isEmpty {
            Terminal.stdout("no runs in \(storeOption.store)\n")
            return
        }
        let dates = ISO8601DateFormatter()
        for r in runs {
            let verdict = r.verdict.criteriaPassed ? "PASS" : "FAIL"
            Terminal.stdout("\(r.id)  \(dates.string(from: r.startedAt))  \(verdict)\(r.status == .partial ? " (partial)" : "")  \(r.scenario)\n")
        }
    }
}

/// `stress-ci baseline save|list|show|delete|export|import`: named baselines, each the last N runs
/// saved under it; `export` and `import` carry one between stores (`BaselineTransferCommands.swift`).
struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline", abstract: "Manage named baselines (each keeps the last N runs saved under it).",
        discussion: """
            In CI, where every job starts with an empty store, `baseline export main FILE` after \
            `run --save-baseline main` keeps the baseline as one file (an artifact or a cache), and \
            `baseline import FILE` before `run --baseline main` brings it back.
            """,
        subcommands: [Save.self, List.self, Show.self, Delete.self, Export.self, Import.self])

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append a stored run (default: the latest) to a baseline.")
        @OptionGroup var storeOption: StoreOption
        @Argument(help: "The baseline's name, e.g. main.") var name: String
        @Argument(help: "A stored run id (default: the latest run).") var run: String?
        @Option(help: "How many runs the baseline keeps.") var keep = 10
        @Flag(help: "Replace a baseline recorded for another scenario or load shape.") var force = false

        func run() async throws {
            let store = storeOption.opened
            guard let id = try run ?? store.latestRunID() else {
                throw StressError(.notFound, "there are no runs in \(storeOption.store)", hint: "run a scenario first, or give --store")
            }
            let baseline = try store.saveBaseline(name, run: try store.loadTestResults(id), keep: keep, force: force)
            Terminal.stdout("baseline \(name): \(baseline.runs.count) of \(baseline.keep) runs, latest \(id)\n")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the baselines.")
        @OptionGroup var storeOption: StoreOption

        func run() async throws {
            let baselines = try storeOption.opened.listBaselines()
            if baselines.isEmpty { Terminal.stdout("no baselines in \(storeOption.store)\n") }
            for b in baselines {
                Terminal.stdout("\(b.name)  \(b.runs)/\(b.keep) runs  \(b.scenario)  \(b.loadShape)  latest \(b.latestRunID ?? "-")\n")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a baseline's runs.")
        @OptionGroup var storeOption: StoreOption
        @Argument(help: "The baseline's name.") var name: String

        func run() async throws {
            let b = try storeOption.opened.loadBaseline(name)
            Terminal.stdout("baseline \(b.name): scenario \(b.scenario), \(b.loadShape), keeps \(b.keep)\n")
            for r in b.runs {
                let s = r.summary
                let p95 = s.latency.percentiles["p95"].map(Units.formatMilliseconds) ?? "-"
                Terminal.stdout("  \(r.testId)  p95 \(p95)  \(Units.formatNumber(s.throughput))/s  errors \(Units.formatNumber(s.errorRate * 100))%\n")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a baseline.")
        @OptionGroup var storeOption: StoreOption
        @Argument(help: "The baseline's name.") var name: String

        func run() async throws {
            try storeOption.opened.deleteBaseline(name)
            Terminal.stdout("deleted baseline \(name)\n")
        }
    }
}
