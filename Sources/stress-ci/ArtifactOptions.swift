import ArgumentParser
import StressCI

/// `--out`, `--format` and `--templates`: where artifacts go, which ones, rendered how (`run`, `report`).
struct ArtifactOptions: ParsableArguments {
    @Option(help: "Directory for the artifacts.")
    var out = "stress-results"

    @Option(help: "Artifacts to write, comma-separated: json, md, html, junit.")
    var format = "json,md,html,junit"

    @Option(help: ArgumentHelp("Render report.html/report.md with the templates in DIR instead of the built-in ones.", valueName: "DIR"))
    var templates: String?

    func validate() throws {
        do {
            _ = try ArtifactFormat.parseList(format)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The writer for these options; fails (65/66) on a bad templates directory before any work.
    func writerSet() throws -> ArtifactWriterSet {
        ArtifactWriterSet(
            formats: try ArtifactFormat.parseList(format), directory: out,
            templates: try templates.map { try TemplateSet.load(directory: $0) } ?? TemplateSet.builtIn())
    }
}
