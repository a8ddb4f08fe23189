import ArgumentParser
import Foundation
import StressCI

/// `stress-ci trend`: a metric's history over stored runs, with the change points in it (README, *Results store and baselines*: the method).
struct TrendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Show a metric's history over the stored runs, with its change points.",
        discussion: """
            The runs are one scenario's (default: the newest run's) or one baseline's, oldest first. Change \
            points come from E-Divisive: a split is kept when a permutation test finds it significant \
            (p < 0.05), and changes below 5% are pruned; it needs at least 6 runs. Exits 64 on an unknown \
            metric, 65 when a stored run is not a stress-ci result, 66 when there are no runs to show.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var storeOption: StoreOption

    @Option(help: ArgumentHelp("The metric, as criteria write it: p95(latency), p99(latency{request=checkout}), throughput, error_rate, …",
                               valueName: "METRIC"))
    var metric = "p95(latency)"

    @Option(help: ArgumentHelp("Look at the last N runs.", valueName: "N"))
    var last = TestResultsStore.defaultTrendLength

    @Option(help: ArgumentHelp("The runs of this scenario (default: the newest run's).", valueName: "NAME"))
    var scenario: String?

    @Option(help: ArgumentHelp("The runs kept under this baseline instead.", valueName: "NAME"))
    var baseline: String?

    @Option(help: "Output: text or json.")
    var format: Format = .text

    func validate() throws {
        if last < 1 { throw ValidationError("--last must be at least 1") }
        if scenario != nil && baseline != nil { throw ValidationError("give --scenario or --baseline, not both") }
    }

    func run() async throws {
        let selected = try ResultMetric(parsing: metric)
        let store = storeOption.opened
        let trend = if let baseline {
            try store.trend(metric: selected, last: last, baseline: baseline)
        } else {
            try store.trend(metric: selected, last: last, scenario: scenario)
        }
        switch format {
        case .text: Terminal.stdout(Self.text(trend))
        case .json: Terminal.stdout(try JSONOutput.encode(trend))
        }
    }

    static func text(_ trend: Trend) -> String {
        let metric = trend.metric
        let dates = ISO8601DateFormatter()
        let width = trend.points.map(\.runID.count).max() ?? 0
        var out = "\(metric) over \(trend.source), \(trend.points.count) run\(trend.points.count == 1 ? "" : "s"), oldest first\n"
        for point in trend.points {
            let id = point.runID.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "  \(id)  \(dates.string(from: point.startedAt))  \(metric.format(point.value))"
            if let change = trend.changes.first(where: { $0.runID == point.runID }) { line += "  ← \(describe(change.change))" }
            out += line + "\n"
        }
        if !trend.skipped.isEmpty {
            out += "skipped (no \(metric)): \(trend.skipped.joined(separator: ", "))\n"
        }
        if trend.points.count < trend.minimumPoints {
            out += "change points: too few runs (\(trend.points.count)); E-Divisive needs at least \(trend.minimumPoints)\n"
        } else if trend.changes.isEmpty {
            out += "change points: none (E-Divisive, p < 0.05, changes below 5% pruned)\n"
        } else {
            out += "change points (E-Divisive, p < 0.05, changes below 5% pruned):\n"
            for change in trend.changes {
                out += "  at \(change.runID) (\(dates.string(from: change.startedAt))): \(metric.format(change.before)) → "
                    + "\(metric.format(change.after)), \(describe(change.change)) (p = \(Units.formatNumber(change.pValue)))\n"
            }
        }
        return out
    }

    /// `+30.1%`, or `from 0` when the level before was 0.
    private static func describe(_ change: Double?) -> String {
        change.map(RunComparison.ChangeUnit.relative.format) ?? "from 0"
    }
}
