import Analysis
import Foundation
import Reports
import Results

/// A metric's history over stored runs, oldest first, with the change points E-Divisive finds in
/// it (README, *Comparing runs, and trends*: splits that pass a permutation significance test, changes below 5% pruned).
public struct Trend: Sendable, Equatable, Encodable {
    /// One run's value.
    public struct Point: Sendable, Equatable, Encodable {
        public var runID: String
        public var startedAt: Date
        /// In `Trend.metric.unit`.
        public var value: Double

        public init(runID: String, startedAt: Date, value: Double) {
            self.runID = runID
            self.startedAt = startedAt
            self.value = value
        }

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case startedAt = "started_at"
            case value
        }
    }

    /// A change in the metric's level.
    public struct Change: Sendable, Equatable, Encodable {
        /// The first run after the change.
        public var runID: String
        public var startedAt: Date
        /// That run's position in `points`.
        public var index: Int
        /// The mean of the runs before (back to the previous change) and from it (to the next).
        public var before: Double
        public var after: Double
        /// (after − before) / |before|: 0.3 is +30%; nil when `before` is 0.
        public var change: Double?
        /// The permutation test's p-value.
        public var pValue: Double

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case startedAt = "started_at"
            case index, before, after, change
            case pValue = "p_value"
        }
    }

    public var metric: ResultMetric
    /// Whose runs: `scenario checkout` or `baseline main`.
    public var source: String
    /// Oldest first.
    public var points: [Point]
    /// In run order.
    public var changes: [Change]
    /// Runs that do not record the metric (left out of `points`).
    public var skipped: [String]
    /// The fewest points the detector can split (a change needs this many runs on each side, twice).
    public var minimumPoints: Int

    /// The trend of `metric` over `runs` (oldest first); runs without the metric are skipped.
    public init(metric: ResultMetric, source: String, runs: [ResultDocument], detector: EDivisive = EDivisive()) {
        self.metric = metric
        self.source = source
        var points: [Point] = []
        var skipped: [String] = []
        for run in runs {
            if let value = metric.value(in: run), value.isFinite {
                points.append(Point(runID: run.testId, startedAt: run.startedAt, value: value))
            } else {
                skipped.append(run.testId)
            }
        }
        self.points = points
        self.skipped = skipped
        minimumPoints = 2 * detector.minimumSegment
        changes = detector.changePoints(in: points.map(\.value)).map { point in
            Change(runID: points[point.index].runID, startedAt: points[point.index].startedAt, index: point.index,
                   before: point.before, after: point.after, change: point.change.isFinite ? point.change : nil, pValue: point.pValue)
        }
    }

    enum CodingKeys: String, CodingKey {
        case metric, unit, source, points, skipped
        case changes = "change_points"
        case minimumPoints = "minimum_points"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric.description, forKey: .metric)
        try c.encode(metric.unit, forKey: .unit)
        try c.encode(source, forKey: .source)
        try c.encode(points, forKey: .points)
        try c.encode(changes, forKey: .changes)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(minimumPoints, forKey: .minimumPoints)
    }
}
