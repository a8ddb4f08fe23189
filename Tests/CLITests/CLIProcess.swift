import Foundation
import StressCI
import Synchronization
import TestSupport
import Testing
import Core
import Reports
import Results

/// Runs the built `stress-ci` executable as a user would, capturing output and exit status.
final class CLIProcess: Sendable {
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The directory of the built products (beside the test bundle).
    static let productsDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0])
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("stress-ci").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    static var executable: URL { productsDirectory.appendingPathComponent("stress-ci") }

    /// The repository root (for examples and fixtures).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name).path
    }

    /// stress-ci said a run failed an open-model quality gate (the generator fell behind its
    /// schedule — on these shared runners, when the host pauses the VM): its verdicts do not
    /// describe the target, so tests about verdicts run that sequence again.
    static func reportsFailedQualityGate(_ outcomes: [Outcome]) -> Bool {
        // The two gates a paused generator fails (QualityGates' wording); not the sample-size gate.
        let signs = ["the load generator fell behind its schedule", "% of the scheduled "]
        return outcomes.contains { outcome in signs.contains { outcome.stdout.contains($0) || outcome.stderr.contains($0) } }
    }

    private let process = Process()
    /// Output and exit status, in a class the pipe and exit handlers can hold.
    private final class Captured: Sendable {
        let out = Mutex(Data())
        let err = Mutex(Data())
        let exited = Mutex<Int32?>(nil)
    }
    private let captured = Captured()

    init(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, executable: URL = CLIProcess.executable) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "GITHUB_ACTIONS")
        env.removeValue(forKey: "GITHUB_STEP_SUMMARY")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let captured = self.captured
        outPipe.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            captured.out.withLock { $0.append(d) }
        }
        errPipe.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            captured.err.withLock { $0.append(d) }
        }
        process.terminationHandler = { p in
            // Drain what is left in the pipes before reporting the exit.
            let restOut = outPipe.fileHandleForReading.readDataToEndOfFile()
            let restErr = errPipe.fileHandleForReading.readDataToEndOfFile()
            outPipe.fileHandleForReading.readabilityHandler = nil
            errPipe.fileHandleForReading.readabilityHandler = nil
            captured.out.withLock { $0.append(restOut) }
            captured.err.withLock { $0.append(restErr) }
            captured.exited.withLock { $0 = p.terminationStatus }
        }
        try process.run()
    }

    var stdout: String { captured.out.withLock { String(decoding: $0, as: UTF8.self) } }
    var stderr: String { captured.err.withLock { String(decoding: $0, as: UTF8.self) } }
    var pid: Int32 { process.processIdentifier }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits until stderr contains `text`, or the process exits, or `timeout` passes.
    @discardableResult
    func waitForStderr(containing text: String, timeout: Duration) async -> Bool {
        await waitFor(timeout: timeout) { self.stderr.contains(text) }
    }

    /// Waits for the exit; kills the process if it outlives `timeout`.
    func wait(timeout: Duration = .seconds(120)) async -> Outcome {
        let done = await waitFor(timeout: timeout) { self.captured.exited.withLock { $0 != nil } }
        if !done {
            process.terminate()
            process.waitUntilExit()
        }
        let status = captured.exited.withLock { $0 } ?? process.terminationStatus
        return Outcome(status: done ? status : -1, stdout: stdout, stderr: stderr)
    }

    /// Polls `condition` (every 20 ms) until it holds or `timeout` passes.
    private func waitFor(timeout: Duration, _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Runs to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, timeout: Duration = .seconds(120),
                    executable: URL = CLIProcess.executable) async throws -> Outcome {
        try await CLIProcess(arguments, environment: environment, directory: directory, executable: executable).wait(timeout: timeout)
    }
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stress-ci-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// What the shipped JSON Schema (`schemas/result.schema.json`) finds wrong with a result file.
func schemaViolations(of result: URL) throws -> [String] {
    let schemaURL = CLIProcess.repositoryRoot.appendingPathComponent("schemas/result.schema.json")
    let schema = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
    return JSONSchemaValidator.validate(try JSONSerialization.jsonObject(with: Data(contentsOf: result)), against: schema)
}
