import Analysis
import Core
import Foundation
import Reports
import Results
import Store

extension TestResultsStore {
    /// How many runs `trend` looks back over unless told otherwise.
    public static let defaultTrendLength = 30

    /// The history of `metric` over the last `last` stored runs of `scenario` (default: the
    /// scenario of the newest run), oldest first, with its change points.
    ///
    /// No runs at all, none of that scenario, or none that records the metric is exit 66.
    public func trend(metric: ResultMetric, last: Int = TestResultsStore.defaultTrendLength, scenario: String? = nil,
                      detector: EDivisive = EDivisive()) throws(StressError) -> Trend {
        try checkTrendLength(last)
        let listings = try listTestResults()
        guard let newest = listings.first else {
            throw StressError(.notFound, "there are no runs in `\(root)`", hint: "run a scenario first, or give --store")
        }
        let name = scenario ?? newest.scenario
        let ids = listings.filter { $0.scenario == name }.prefix(last).reversed().map(\.id)
        guard !ids.isEmpty else {
            let scenarios = Set(listings.map(\.scenario)).sorted()
            throw StressError(.notFound, "no stored run of scenario `\(name)` in `\(root)`",
                              hint: Suggest.hint(for: name, in: scenarios) ?? "scenarios in the store: \(scenarios.joined(separator: ", "))")
        }
        var runs: [ResultDocument] = []
        for id in ids { runs.append(try loadTestResults(id)) }
        return try recorded(Trend(metric: metric, source: "scenario \(name)", runs: runs, detector: detector), runs: runs)
    }

    /// The history of `metric` over the last `last` runs of the baseline `baseline`, oldest first,
    /// with its change points. A missing baseline, or one whose runs do not record the metric, is exit 66.
    public func trend(metric: ResultMetric, last: Int = TestResultsStore.defaultTrendLength, baseline: String,
                      detector: EDivisive = EDivisive()) throws(StressError) -> Trend {
        try checkTrendLength(last)
        let runs = Array(try loadBaseline(baseline).runs.suffix(last))
        return try recorded(Trend(metric: metric, source: "baseline \(baseline)", runs: runs, detector: detector), runs: runs)
    }

    private func checkTrendLength(_ last: Int) throws(StressError) {
        guard last >= 1 else { throw StressError(.usage, "a trend needs at least 1 run, got \(last)") }
    }

    /// `trend` unless no run records its metric, which is explained.
    private func recorded(_ trend: Trend, runs: [ResultDocument]) throws(StressError) -> Trend {
        guard trend.points.isEmpty else { return trend }
        let selector = trend.metric.selector
        var hint: String?
        if let request = selector.filter.request {
            let names = Set(runs.flatMap { $0.metrics.perRequest.map(\.name) }).sorted()
            hint = Suggest.hint(for: request, in: names) ?? "the runs' requests: \(names.joined(separator: ", "))"
        } else if case .prom = selector.metric {
            hint = "the target's metrics are scraped only with `target.metrics` in the scenario"
        }
        throw StressError(.notFound, "none of the \(runs.count) runs of \(trend.source) records `\(trend.metric)`", hint: hint)
    }
}
