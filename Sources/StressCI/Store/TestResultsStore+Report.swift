import Core
import Foundation
import Reports
import Results
import Store

/// The forms a stored result can be rendered in.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// `report.md`: verdict, criteria, requests, errors, warnings.
    case markdown
    /// `report.html`: one self-contained page with charts.
    case html
    /// `junit.xml`: a criteria and a regressions testsuite.
    case junit
    /// `result.json`: the full result.
    case json
    /// The plain-text summary `run` prints.
    case text
}

extension TestResultsStore {
    /// `result` rendered as `format`, with the built-in templates unless `templates` are given.
    ///
    /// Markdown, HTML, JUnit and JSON are exactly what `run` writes as artifacts; text is the
    /// summary `run` prints.
    public func generateReport(_ result: ResultDocument, format: ReportFormat, templates: TemplateSet? = nil) throws(StressError) -> String {
        let artifact: ArtifactFormat
        switch format {
        case .text: return TextSummary.render(result)
        case .markdown: artifact = .md
        case .html: artifact = .html
        case .junit: artifact = .junit
        case .json: artifact = .json
        }
        let set = if let templates { templates } else { try TemplateSet.builtIn() }
        let writer = ArtifactWriterSet(formats: [artifact], directory: root, templates: set)
        return try writer.render(result, artifact)
    }
}
