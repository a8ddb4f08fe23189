import Foundation
import Testing

/// A closed, full or abandoned stdout/stderr never kills a run: the exit code is the run's, every
/// artifact is written and the run is stored.
@Suite(.serialized)
struct OutputStreamTests {
    private static let artifacts = ["result.json", "report.md", "report.html", "junit.xml"]

    private func arguments(out: URL) -> [String] {
        ["run", CLIProcess.fixture("cli/short.yaml"), "--out", out.path, "--store", out.appendingPathComponent("store").path,
         "--progress", "plain"]
    }

    /// Runs `sh -c SCRIPT stress-ci ARGUMENTS…` and returns its exit status.
    private func shell(_ script: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, CLIProcess.executable.path] + arguments
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func expectEverythingWritten(in out: URL, _ comment: Comment) throws {
        for file in Self.artifacts {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing; \(comment)")
        }
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("store/runs").path)) ?? []
        #expect(runs.filter { $0.hasSuffix(".json") }.count == 1, "stored runs: \(runs); \(comment)")
    }

    @Test func closedStdoutAndStderr() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let status = try shell(#"exec "$0" "$@" >&- 2>&-"#, arguments(out: out))
        #expect(status == 0)
        try expectEverythingWritten(in: out, "stdout and stderr closed")
    }

    @Test func stdoutAndStderrOnAFullDevice() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        // Every write fails with ENOSPC.
        let status = try shell(#"exec "$0" "$@" >/dev/full 2>/dev/full"#, arguments(out: out))
        #expect(status == 0)
        try expectEverythingWritten(in: out, "stdout and stderr on /dev/full")
    }

    /// `stress-ci run … 2>&1 | head -c 1`: the reader leaves after one byte; every later write
    /// fails with EPIPE (with SIGPIPE ignored: it does not kill the process).
    @Test func aPipeClosedAfterOneByte() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        let process = Process()
        process.executableURL = CLIProcess.executable
        process.arguments = arguments(out: out)
        process.standardInput = FileHandle.nullDevice
        let writer = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
        process.standardOutput = writer
        process.standardError = writer
        try process.run()
        close(ends[1])
        var byte: UInt8 = 0
        let n = read(ends[0], &byte, 1)
        close(ends[0])
        #expect(n == 1)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 0)
        try expectEverythingWritten(in: out, "output pipe closed after one byte")
    }
}
