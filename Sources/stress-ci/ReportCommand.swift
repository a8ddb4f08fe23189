import ArgumentParser
import Foundation
import StressCI

/// `stress-ci report RESULT`: re-renders a run's artifacts from its result file.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render the artifacts of a run from its result.json.",
        discussion: "Exits 65 when the file is not a stress-ci result, 66 when it does not exist, 73 when an artifact cannot be written.")

    @Argument(help: "A result file (result.json) written by `stress-ci run`.")
    var result: String

    @OptionGroup var artifactOptions: ArtifactOptions

    @Option(help: ArgumentHelp("Another result.json whose latency distribution is overlaid in report.html.", valueName: "FILE"))
    var baseline: String?

    func run() async throws {
        let document = try ResultFile.read(result)
        let baselineDocument = try baseline.map(ResultFile.read)
        let artifacts = try artifactOptions.writerSet()
        let written = try artifacts.write(document, baseline: baselineDocument)
        Terminal.stdout("wrote \(written.joined(separator: ", "))\n")
    }
}
