import Foundation
import Results

/// One stored run as `list` shows it (newest first).
public struct RunListing: Sendable, Equatable, Codable {
    /// The run id, also its file name in `runs/`.
    public var id: String
    /// The scenario's name.
    public var scenario: String
    public var startedAt: Date
    /// `completed` or `partial`.
    public var status: ResultDocument.Status
    public var verdict: ResultDocument.VerdictInfo

    public init(id: String, scenario: String, startedAt: Date, status: ResultDocument.Status, verdict: ResultDocument.VerdictInfo) {
        self.id = id
        self.scenario = scenario
        self.startedAt = startedAt
        self.status = status
        self.verdict = verdict
    }

    enum CodingKeys: String, CodingKey {
        case id = "test_id"
        case status, verdict
        case startedAt = "started_at"
        case scenario
    }

    /// Decodes just what a listing needs from a stored result, without its metrics.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        status = try c.decode(ResultDocument.Status.self, forKey: .status)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        verdict = try c.decode(ResultDocument.VerdictInfo.self, forKey: .verdict)
        scenario = try c.decode(ScenarioName.self, forKey: .scenario).name
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(ScenarioName(name: scenario), forKey: .scenario)
    }

    private struct ScenarioName: Codable { var name: String }
}

/// One stored baseline as `baseline list` shows it.
public struct BaselineListing: Sendable, Equatable {
    public var name: String
    public var scenario: String
    public var loadShape: String
    /// How many runs its history holds, and how many it keeps.
    public var runs: Int
    public var keep: Int
    /// The newest run of its history.
    public var latestRunID: String?
    public var latestStartedAt: Date?

    public init(_ baseline: Baseline) {
        name = baseline.name
        scenario = baseline.scenario
        loadShape = baseline.loadShape
        runs = baseline.runs.count
        keep = baseline.keep
        latestRunID = baseline.runs.last?.testId
        latestStartedAt = baseline.runs.last?.startedAt
    }
}
