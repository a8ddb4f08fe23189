import ArgumentParser
import Foundation
import StressCI

/// `stress-ci baseline export|import`: a baseline carried between stores as one file, for CI jobs
/// that start with an empty disk (README, *Baselines in CI*).
extension BaselineCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a baseline and its runs to one portable file (keep it as a CI artifact or cache).",
            discussion: """
                The file is JSON: "format": "stress-ci-baseline", "format_version", the baseline's name, keep, \
                scenario and load shape, and its runs' whole results. It is written atomically (a temporary \
                file, then a rename). `baseline import` reads it into another store.

                Exit 66 when the store has no such baseline, 65 when it is corrupt, 73 when FILE cannot be written.
                """)
        @OptionGroup var storeOption: StoreOption
        @Argument(help: "The baseline's name, e.g. main.") var name: String
        @Argument(help: ArgumentHelp("The file to write, or - for standard output.", valueName: "file")) var file: String

        func run() async throws {
            let export = try storeOption.opened.exportBaseline(name)
            try export.write(to: file)
            if file != "-" {
                let runs = export.baseline.runs.count
                Terminal.stdout("exported baseline \(name) (\(runs) run\(runs == 1 ? "" : "s"), \(export.baseline.scenario)) to \(file)\n")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a file `baseline export` wrote into the store as a baseline.",
            discussion: """
                The file is checked as the store checks what it reads back: its format and version, its size, \
                every run's numbers, the name, one scenario and load shape for all runs. A store without a \
                baseline of that name gets the file's; one of the same scenario and load shape keeps both \
                histories (runs merged by id, ordered by start time, the newest `keep` kept); one of another \
                scenario or load shape is refused unless --force replaces it.

                Exit 65 when the file is not a valid export (naming the file and the JSON path of what is wrong) \
                or the store's baseline is of another scenario or load shape; 66 when FILE does not exist; 64 for \
                a bad --name; 73 when the store cannot be written. On any error the store is left as it was.
                """)
        @OptionGroup var storeOption: StoreOption
        @Argument(help: ArgumentHelp("A file `baseline export` wrote, or - for standard input.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("Store it under this name instead of its own.", valueName: "name")) var name: String?
        @Flag(help: "Replace a baseline of that name recorded for another scenario or load shape.") var force = false

        func run() async throws {
            let store = storeOption.opened
            // A bad --name is a usage error before the file is read.
            if let name { try StoreName.check(name, as: "baseline name") }
            let export = try BaselineExport.read(file)
            let outcome = try store.importBaseline(export, as: name, force: force)
            let b = outcome.baseline
            let source = file == "-" ? "standard input" : file
            let what = switch outcome.action {
            case .created: "imported"
            case .merged: "merged into the stored baseline"
            case .replaced: "replaced the stored baseline"
            }
            Terminal.stdout("baseline \(b.name): \(what) from \(source), \(outcome.added) new run\(outcome.added == 1 ? "" : "s"); "
                            + "\(b.runs.count) of \(b.keep) runs, latest \(b.runs.last?.testId ?? "-")\n")
        }
    }
}
