import Foundation
import Results

/// A run a reference names — a stored run, a baseline's newest, or a result file — and where it came from.
public struct StoredRun: Sendable, Equatable, Encodable {
    /// Where a compared run was found.
    public enum Source: String, Sendable, Codable {
        /// A run in the store, by id.
        case run
        /// The newest run of a named baseline.
        case baseline
        /// A result file.
        case file
    }

    /// The run id, baseline name or path, as given.
    public var reference: String
    public var source: Source
    public var result: ResultDocument

    public init(reference: String, source: Source, result: ResultDocument) {
        self.reference = reference
        self.source = source
        self.result = result
    }

    /// The column heading: the run id, with the baseline or file it came from.
    public var label: String {
        switch source {
        case .run: result.testId
        case .baseline: "\(reference) (newest: \(result.testId))"
        case .file: "\(reference) (\(result.testId))"
        }
    }

    enum CodingKeys: String, CodingKey {
        case reference, source, label, scenario
        case testId = "test_id"
        case startedAt = "started_at"
        case status
    }

    /// Where the run came from and what it is, without its metrics (the rows carry those).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reference, forKey: .reference)
        try c.encode(source, forKey: .source)
        try c.encode(label, forKey: .label)
        try c.encode(result.testId, forKey: .testId)
        try c.encode(result.scenario.name, forKey: .scenario)
        try c.encode(result.startedAt, forKey: .startedAt)
        try c.encode(result.status, forKey: .status)
    }
}
