import Core
import Foundation
import Reports
import Results
import Store

/// Runs side by side (`stress-ci compare`): one row per key metric, one column per run, and each
/// run's change against the first.
///
/// Single runs carry no noise estimate, so these are deltas, not verdicts; `run --baseline` judges
/// a run against a baseline's history (README, *Results store and baselines*: the method). As a collection it is the compared results, in
/// the order given.
public struct RunComparison: Sendable, Equatable, Encodable, RandomAccessCollection {
    /// One compared run and where it came from (the store resolves references to them).
    public typealias Run = StoredRun

    /// How a row's changes are expressed: the result model's `ChangeUnit` (relative, or
    /// percentage points for shares).
    public typealias ChangeUnit = Results.ChangeUnit

    /// One metric across the runs.
    public struct Row: Sendable, Equatable, Encodable {
        /// `requests`, or a metric as the criteria grammar writes it (`p95(latency{request=checkout})`).
        public var metric: String
        public var unit: MetricUnit
        /// One per run; nil where the run does not record it.
        public var values: [Double?]
        /// One per run, against the first (so the first is 0); nil where a value is missing or the
        /// first is 0 and this one is not.
        public var changes: [Double?]
        public var changeUnit: ChangeUnit
        /// Throughput: up is good. Everything else here: down is good.
        public var higherIsBetter: Bool

        public init(metric: String, unit: MetricUnit, values: [Double?], changeUnit: ChangeUnit, higherIsBetter: Bool) {
            self.metric = metric
            self.unit = unit
            self.values = values
            self.changeUnit = changeUnit
            self.higherIsBetter = higherIsBetter
            let first = values.first ?? nil
            changes = values.map { value in
                guard let value, let first else { return nil }
                let change: Double
                switch changeUnit {
                case .percentagePoints: change = value - first
                case .relative:
                    if first == 0 { return value == 0 ? 0 : nil }
                    change = (value - first) / abs(first)
                }
                // A change too large for a Double (or for JSON) is no more use than none.
                return change.isFinite ? change : nil
            }
        }

        enum CodingKeys: String, CodingKey {
            case metric, unit, values, changes
            case changeUnit = "change_unit"
            case higherIsBetter = "higher_is_better"
        }

        /// `+12.3%`, `-0.40 pp`, or `n/a`.
        public func formattedChange(at index: Int) -> String {
            changes[index].map(changeUnit.format) ?? "n/a"
        }
    }

    /// The runs, in the order given; the first is the reference.
    public var runs: [Run]
    /// requests, throughput, error rate, p50/p95/p99 latency, dropped, then p95 latency per request.
    public var rows: [Row]
    /// Why some columns may not be comparable (another scenario or load shape than the first).
    public var notes: [String]
    /// When the first run is a baseline's newest: every other run judged against the baseline's
    /// whole history, as `run --baseline` does (default regression rules).
    public var verdicts: [Judgement] = []

    /// One run's verdicts against the baseline.
    public struct Judgement: Sendable, Equatable, Encodable {
        /// The judged run's label.
        public var run: String
        public var comparison: ResultDocument.Comparison
    }

    /// Compares `runs` (the first is the reference).
    public init(runs: [Run]) {
        self.runs = runs
        let results = runs.map(\.result)
        var rows = [Row(metric: "requests", unit: .count, values: results.map { Double($0.summary.requests) },
                        changeUnit: .relative, higherIsBetter: false)]
        var requests: [String] = []
        for name in results.flatMap({ $0.metrics.perRequest.map(\.name) }) where !requests.contains(name) { requests.append(name) }
        let metrics = [MetricSelector(aggregate: .value, metric: .throughput), MetricSelector(aggregate: .value, metric: .errorRate)]
            + [50.0, 95, 99].map { MetricSelector(aggregate: .percentile($0), metric: .latency) }
            + [MetricSelector(aggregate: .value, metric: .dropped)]
            + requests.map { MetricSelector(aggregate: .percentile(95), metric: .latency, filter: .init(request: $0)) }
        for metric in metrics.map(ResultMetric.init) {
            rows.append(Row(metric: metric.description, unit: metric.unit, values: results.map(metric.value(in:)),
                            changeUnit: metric.unit == .fraction ? .percentagePoints : .relative, higherIsBetter: metric.higherIsBetter))
        }
        self.rows = rows
        notes = runs.dropFirst().compactMap { run in
            guard let first = runs.first else { return nil }
            let (a, b) = (first.result, run.result)
            let (shapeA, shapeB) = (Baseline.loadShape(of: a), Baseline.loadShape(of: b))
            guard a.scenario.name != b.scenario.name || shapeA != shapeB else { return nil }
            return "\(run.label) is \(b.scenario.name) (\(shapeB)); \(first.label) is \(a.scenario.name) (\(shapeA))"
        }
    }

    enum CodingKeys: String, CodingKey {
        case runs, rows, notes, verdicts
    }

    public var startIndex: Int { runs.startIndex }
    public var endIndex: Int { runs.endIndex }
    /// The result of the `position`th run.
    public subscript(position: Int) -> ResultDocument { runs[position].result }
}

extension ChangeUnit {
    /// `+12.3%`, `-0.40 pp`, `±0.0%`.
    public func format(_ change: Double) -> String {
        let sign = change > 0 ? "+" : change < 0 ? "-" : "±"
        switch self {
        case .relative: return "\(sign)\(String(format: "%.1f", abs(change) * 100))%"
        case .percentagePoints: return "\(sign)\(String(format: "%.2f", abs(change) * 100)) pp"
        }
    }
}
