import Foundation
import Testing
@testable import StressCI
import Reports
import Results
import Store

/// A fresh temporary folder, removed when the test is done with it.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("stress-ci-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func appending(_ component: String) -> String { (path as NSString).appendingPathComponent(component) }
}

/// A real result (`Tests/Fixtures/schema/quickstart-result.json`) to vary.
enum StoreFixture {
    static let base: ResultDocument = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/schema/quickstart-result.json").path
        do { return try ResultFile.read(path) } catch { preconditionFailure("fixture: \(error)") }
    }()

    /// The fixture as run `id`, `minutes` after the fixture's start, optionally of another scenario or load.
    static func result(_ id: String = "20261127_222219_quickstart", minutes: Double = 0, scenario: String? = nil,
                       stageTargets: [Double]? = nil) -> ResultDocument {
        var r = base
        r.testId = id
        r.startedAt = base.startedAt.addingTimeInterval(minutes * 60)
        r.endedAt = base.endedAt.addingTimeInterval(minutes * 60)
        if let scenario { r.scenario.name = scenario }
        if let stageTargets {
            let template = base.scenario.load.stages[0]
            r.scenario.load.stages = stageTargets.enumerated().map { i, t in
                var stage = template
                stage.name = "s\(i)"
                stage.durationSeconds = 10
                stage.target = t
                return stage
            }
        }
        return r
    }
}

/// Values collected from several threads.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T] = []
    func append(_ value: T) { lock.lock(); values.append(value); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return values }
}
