import ArgumentParser
import Foundation
import StressCI

/// `stress-ci compare A B [C…]`: stored runs, baselines' newest runs or result files side by side.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs side by side: key metrics, and each run's change against the first.",
        discussion: """
            Each RUN is a stored run id, a baseline name (its newest run) or a path to a result.json. \
            Single runs carry no noise estimate, so the table shows deltas; when the first RUN is a \
            baseline name, every other run is also judged against the baseline's whole history, with \
            the verdict lines of `run --baseline` (default regression rules). Exits 64 with fewer than two runs, 65 when a file is not a \
            stress-ci result, 66 when a run does not exist.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json
    }

    @OptionGroup var storeOption: StoreOption

    @Argument(help: ArgumentHelp("Two or more runs: run ids, baseline names or result.json paths; the first is the reference.",
                                 valueName: "RUN"))
    var runs: [String] = []

    @Option(help: "Output: text, markdown or json.")
    var format: Format = .text

    func validate() throws {
        if runs.count < 2 {
            throw ValidationError("compare needs at least two runs, got \(runs.count)")
        }
    }

    func run() async throws {
        let comparison = try storeOption.opened.compareTestRuns(runs)
        switch format {
        case .text: Terminal.stdout(Self.text(comparison))
        case .markdown: Terminal.stdout(Self.markdown(comparison))
        case .json: Terminal.stdout(try JSONOutput.encode(comparison))
        }
    }

    /// A cell: the value, and after the first column its change against the first.
    static func cell(_ row: RunComparison.Row, _ index: Int) -> String {
        guard let value = row.values[index] else { return "-" }
        let text = row.unit.format(value)
        return index == 0 ? text : "\(text) (\(row.formattedChange(at: index)))"
    }

    static func text(_ comparison: RunComparison) -> String {
        let header = ["metric"] + comparison.runs.map(\.label)
        let body = comparison.rows.map { row in [row.metric] + comparison.runs.indices.map { cell(row, $0) } }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        var out = line(header)
        for cells in body { out += line(cells) }
        out += notes(comparison)
        return out
    }

    static func markdown(_ comparison: RunComparison) -> String {
        func escaped(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var out = "| metric | " + comparison.runs.map { escaped($0.label) }.joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---:|", count: comparison.runs.count) + "\n"
        for row in comparison.rows {
            out += "| \(escaped(row.metric)) | " + comparison.runs.indices.map { escaped(cell(row, $0)) }.joined(separator: " | ") + " |\n"
        }
        let notes = notes(comparison)
        return notes.isEmpty ? out : out + "\n" + notes
    }

    private static func notes(_ comparison: RunComparison) -> String {
        var out = comparison.notes.map { "note: \($0)\n" }.joined()
        for judgement in comparison.verdicts {
            let c = judgement.comparison
            out += "\n\(judgement.run) against baseline \(c.baseline) (\(c.baselineRuns.count) runs):\n"
            out += c.verdicts.map { "  \($0.gating ? "" : "(reported) ")\($0.line)\n" }.joined()
        }
        return out
    }
}
