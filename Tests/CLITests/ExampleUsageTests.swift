import Foundation
import Testing

/// `example-usage`, the library walked through end to end (README, *Swift library*), built and run
/// as a user would, twice: the second run compares with the first.
struct ExampleUsageTests {
    @Test func theExampleRunsEveryStepAndExitsZero() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = CLIProcess.productsDirectory.appendingPathComponent("example-usage")
        let first = try await CLIProcess.run([], directory: dir, executable: binary)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        for line in ["on_start: state RUNNING", "on_pause: state PAUSED", "on_resume: state RUNNING", "on_complete: state COMPLETED",
                     "status: RUNNING", "status: PAUSED", "status: COMPLETED", "aggregated 5 s window:", "criteria passed: true"] {
            #expect(first.stdout.contains(line), "missing `\(line)` in:\n\(first.stdout)")
        }
        let output = dir.appendingPathComponent("example-usage-output")
        for file in ["result.json", "report.md", "report.html"] {
            #expect(first.stdout.contains("report: \(output.appendingPathComponent(file).path)"))
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path))
        }
        let saved = try #require(first.stdout.split(separator: "\n").first { $0.hasPrefix("saved result: ") })
        #expect(FileManager.default.fileExists(atPath: String(saved.dropFirst("saved result: ".count))))
        #expect(first.stdout.contains("no previous run to compare with"))

        let second = try await CLIProcess.run([], directory: dir, executable: binary)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("compared with 20"))
    }
}
