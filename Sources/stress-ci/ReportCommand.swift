import ArgumentParser
import Foundation
import StressCI

/// `stress-ci report RUN`: re-renders a run's artifacts from its result file or the store.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render the artifacts of a run from its result.json or the store.",
        discussion: """
            RUN is a result file (result.json), a stored run id, or a baseline name (its newest run). \
            Exits 65 when the file is not a stress-ci result, 66 when it does not exist, 73 when an \
            artifact cannot be written.
            """)

    @Argument(help: ArgumentHelp("A result file written by `stress-ci run`, a stored run id, or a baseline name.", valueName: "RUN"))
    var result: String

    @OptionGroup var storeOption: StoreOption

    @OptionGroup var artifactOptions: ArtifactOptions

    @Option(help: ArgumentHelp("Another run (file, run id or baseline name) whose latency distribution is overlaid in report.html.", valueName: "RUN"))
    var baseline: String?

    func run() async throws {
        let store = storeOption.opened
        let document = try store.resolveRun(result).result
        let baselineDocument = try baseline.map { try store.resolveRun($0).result }
        let artifacts = try artifactOptions.writerSet()
        let written = try artifacts.write(document, baseline: baselineDocument)
        Terminal.stdout("wrote \(written.joined(separator: ", "))\n")
    }
}
