import Core
import Foundation
import Reports
import Results
import Store

/// The artifacts of a run (README, *Artifacts*): which ones, and writing them.
public enum ArtifactFormat: String, Sendable, CaseIterable {
    case json, md, html, junit

    /// The file each format is written to.
    public var fileName: String {
        switch self {
        case .json: "result.json"
        case .md: "report.md"
        case .html: "report.html"
        case .junit: "junit.xml"
        }
    }

    /// Parses `json,md,html,junit` (also `markdown`, `xml`, `all`).
    public static func parseList(_ text: String) throws(StressError) -> [ArtifactFormat] {
        var out: [ArtifactFormat] = []
        for raw in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !raw.isEmpty {
            let formats: [ArtifactFormat]
            switch raw {
            case "all": formats = allCases
            case "markdown": formats = [.md]
            case "xml": formats = [.junit]
            default:
                guard let f = ArtifactFormat(rawValue: raw) else {
                    throw StressError(.usage, "unknown format `\(raw)`", hint: "use a comma-separated list of json, md, html, junit")
                }
                formats = [f]
            }
            for f in formats where !out.contains(f) { out.append(f) }
        }
        guard !out.isEmpty else { throw StressError(.usage, "--format is empty", hint: "use a comma-separated list of json, md, html, junit") }
        return out
    }
}

/// Renders and writes a result's artifacts. Every file is written atomically; a file that cannot
/// be written is exit 73 naming it. The result is expected redacted already
/// (`ResultDocument.redacted(for:)`): renderers see values, never secrets.
public struct ArtifactWriterSet: Sendable {
    public var formats: [ArtifactFormat]
    public var directory: String
    public var templates: TemplateSet

    public init(formats: [ArtifactFormat], directory: String, templates: TemplateSet) {
        self.formats = formats
        self.directory = directory
        self.templates = templates
    }

    /// Writes every chosen artifact; returns their paths in the order written. One artifact that
    /// cannot be rendered or written does not keep the others from being written: the first
    /// failure is thrown after all were tried.
    @discardableResult
    public func write(_ result: ResultDocument, baseline: ResultDocument? = nil) throws(StressError) -> [String] {
        let (written, failures) = writeAll(result, baseline: baseline)
        if let first = failures.first { throw first }
        return written
    }

    /// Writes every chosen artifact it can: the paths written, and what failed.
    public func writeAll(_ result: ResultDocument, baseline: ResultDocument? = nil) -> (written: [String], failures: [StressError]) {
        do {
            try ArtifactWriter.prepare(directory: directory)
        } catch {
            return ([], [error])
        }
        var written: [String] = []
        var failures: [StressError] = []
        for format in formats {
            let path = (directory as NSString).appendingPathComponent(format.fileName)
            do {
                try ArtifactWriter.write(Data(try render(result, format, baseline: baseline).utf8), to: path)
                written.append(path)
            } catch {
                failures.append(error)
            }
        }
        return (written, failures)
    }

    /// The text of one artifact.
    public func render(_ result: ResultDocument, _ format: ArtifactFormat, baseline: ResultDocument? = nil) throws(StressError) -> String {
        switch format {
        case .json:
            do {
                return String(decoding: try ResultDocument.makeEncoder().encode(result), as: UTF8.self) + "\n"
            } catch {
                throw StressError(.internalError, "cannot encode the result: \(error)", hint: "this is a bug; please report it")
            }
        case .md:
            return ReportRenderer.markdown(result, templates: templates)
        case .html:
            return ReportRenderer.html(result, baseline: baseline, templates: templates)
        case .junit:
            do {
                let strict = result.comparison?.strict ?? false
                let checks = (result.comparison?.verdicts ?? []).filter(\.gating).map { v in
                    JUnitRegressionCheck(
                        name: v.metric, passed: !v.failsBuild(strict: strict),
                        measured: "\(v.verdict) — \(v.line)", limit: "tolerance \(Units.formatNumber(v.tolerance * 100))\(v.unit == .relative ? "%" : " pp")",
                        evidence: ([v.line] + v.reasons).joined(separator: "\n"))
                }
                return String(decoding: try JUnitWriter.render(result, regressions: checks), as: UTF8.self)
            } catch {
                throw StressError(.internalError, "cannot write junit.xml: \(error)", hint: "this is a bug; please report it")
            }
        }
    }
}
