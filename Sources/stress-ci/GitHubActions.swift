import Foundation
import StressCI

/// What a run adds on GitHub Actions: the Markdown report appended to the job summary
/// (`$GITHUB_STEP_SUMMARY`), and failed criteria as `::error::` annotations.
enum GitHubActions {
    static func report(_ result: ResultDocument, markdown: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty {
            appendSummary(markdown, to: path)
        }
        guard environment["GITHUB_ACTIONS"] == "true" else { return }
        for criterion in result.successCriteria where !criterion.passed {
            let message = "\(criterion.criterion) — measured \(criterion.measuredText), limit \(criterion.limit): \(criterion.evidence)"
            Terminal.stdout("::error title=stress-ci criterion failed (\(escapeProperty(result.scenario.name)))::\(escapeData(message))\n")
        }
        for warning in result.warnings {
            Terminal.stdout("::warning title=stress-ci::\(escapeData(warning))\n")
        }
    }

    /// Appends to the job summary; a summary that cannot be written is a warning, not a failed run.
    private static func appendSummary(_ text: String, to path: String) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) else {
            Terminal.stderr("stress-ci: warning: cannot append to GITHUB_STEP_SUMMARY (\(path))")
            return
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        } catch {
            Terminal.stderr("stress-ci: warning: cannot append to GITHUB_STEP_SUMMARY (\(path)): \(error.localizedDescription)")
        }
    }

    /// Workflow-command escaping of a message.
    static func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Workflow-command escaping of a property value.
    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
