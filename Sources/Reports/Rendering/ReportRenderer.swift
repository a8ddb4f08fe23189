import Core
import Results

/// Renders the human reports (README, *Artifacts*) from a result: pure functions of it and the templates.
public enum ReportRenderer {
    /// `report.md`: verdict, criteria table, per-request table, errors, warnings, issues,
    /// recommendations — GitHub-flavoured, for a PR comment or a job summary.
    public static func markdown(_ result: ResultDocument, templates: TemplateSet) -> String {
        templates.markdown.render(ReportViewModel.make(result))
    }

    /// `report.html`: one self-contained page (inline CSS and SVG, no scripts, nothing fetched).
    /// - Parameter baseline: a result to overlay on the latency distribution.
    public static func html(_ result: ResultDocument, baseline: ResultDocument? = nil, templates: TemplateSet) -> String {
        let charts = [
            "throughput": ReportCharts.throughput(result),
            "latency": ReportCharts.latency(result),
            "errors": ReportCharts.errors(result),
            "distribution": ReportCharts.distribution(result, baseline: baseline),
        ]
        return templates.html.render(ReportViewModel.make(result, charts: charts))
    }
}
