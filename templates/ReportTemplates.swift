// The report templates (and the live dashboard page) in this folder are the source of truth; SwiftPM embeds them into the
// binary (`.embedInCode`), so an installed `stress-ci` needs no files beside it.

/// The built-in Mustache templates, as compiled into the binary.
public enum ReportTemplates {
    /// `report.html.mustache`: the self-contained HTML report.
    public static var html: String { String(decoding: PackageResources.report_html_mustache, as: UTF8.self) }
    /// `report.md.mustache`: the Markdown report (PR comments, job summaries).
    public static var markdown: String { String(decoding: PackageResources.report_md_mustache, as: UTF8.self) }
    /// `dashboard.html`: the live dashboard `run --control` serves at `/` (a page, not a template).
    public static var dashboard: String { String(decoding: PackageResources.dashboard_html, as: UTF8.self) }
}
