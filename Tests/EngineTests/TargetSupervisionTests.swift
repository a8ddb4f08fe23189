import Core
import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// A launched target: spawn failures with their reason, its whole process group gone with it,
/// secrets masked in its log.
@Suite("Target supervision")
struct TargetSupervisionTests {
    private func temporaryLog() -> String {
        NSTemporaryDirectory() + "stress-ci-supervision-\(UUID().uuidString).log"
    }

    private func waitForLog(_ path: String, containing text: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let log = try? String(contentsOfFile: path, encoding: .utf8), log.contains(text) { return log }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func aFileThatCannotBeExecutedFailsAtOnceWithTheReason() throws {
        let script = NSTemporaryDirectory() + "stress-ci-not-executable-\(UUID().uuidString).sh"
        try "#!/bin/sh\necho hello\n".write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        // Readable but not executable: execve says EACCES in the child, the parent hears it.
        chmod(script, 0o644)
        let error = #expect(throws: StressError.self) { _ = try TargetProcess.launch([script], logPath: temporaryLog()) }
        #expect(error?.kind == .targetNotReady)
        #expect(error?.message == "cannot start the target: \(script): Permission denied", "\(error?.message ?? "")")
    }

    @Test func whatTheTargetStartedDiesWithIt() async throws {
        let log = temporaryLog()
        // The shell starts a long sleep in its group, says its pid, and waits.
        let process = try TargetProcess.launch(["/bin/sh", "-c", "sleep 300 & echo child $!; wait"], logPath: log)
        let text = try await waitForLog(log, containing: "child ")
        let child = try #require(text.split(separator: "\n").first { $0.hasPrefix("child ") }.flatMap { Int32($0.dropFirst(6)) })
        #expect(kill(child, 0) == 0)
        let status = await process.stop(grace: .seconds(5))
        #expect(status != nil)
        // The sleep was in the target's group: the group's SIGTERM ended it (and the reaper's
        // SIGKILL would have). It is not our child, so it may linger a moment as a zombie.
        #expect(await gone(child), "pid \(child) still runs")
    }

    @Test func theGroupGoesWhenTheLeaderExitsByItself() async throws {
        let log = temporaryLog()
        let process = try TargetProcess.launch(["/bin/sh", "-c", "trap '' TERM; sleep 300 & echo child $!; exit 0"], logPath: log)
        let status = await process.waitForExit(timeout: .seconds(10))
        #expect(status == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let child = try #require(text.split(separator: "\n").first { $0.hasPrefix("child ") }.flatMap { Int32($0.dropFirst(6)) })
        #expect(await gone(child), "pid \(child) outlived its target")
    }

    @Test func secretsAreMaskedInTheLog() async throws {
        let log = temporaryLog()
        // Two writes with the secret split between them (the pipe may join them or not).
        let process = try TargetProcess.launch(
            ["/bin/sh", "-c", "printf 'token=hunter'; printf '2-secret and 1\\n'; echo 'again hunter2-secret' >&2"],
            logPath: log, secrets: ["hunter2-secret", "1"])
        #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text == "token=*** and ***\nagain ***\n", "\(text)")
    }

    @Test func theChildStartsWithDefaultSignalsAndNoInheritedDescriptors() async throws {
        let log = temporaryLog()
        // stress-ci ignores SIGPIPE; its target must not inherit that.
        signal(SIGPIPE, SIG_IGN)
        // A descriptor of ours without close-on-exec must not reach the target.
        let null = open("/dev/null", O_RDONLY)
        let leaked = fcntl(null, F_DUPFD, 200)
        close(null)
        defer { close(leaked) }
        try #require(leaked >= 200)
        let process = try TargetProcess.launch(
            ["/bin/sh", "-c", "grep -E '^(SigIgn|SigBlk)' /proc/self/status; ls /proc/self/fd"], logPath: log)
        #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("SigIgn:\t0000000000000000"), "\(text)")
        #expect(text.contains("SigBlk:\t0000000000000000"), "\(text)")
        #expect(!text.split(separator: "\n").contains(Substring("\(leaked)")), "\(text)")
    }

    /// True once `pid` no longer runs (gone, or a zombie waiting for its new parent).
    private func gone(_ pid: Int32) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if kill(pid, 0) != 0 { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

@Suite struct SecretMaskerTests {
    private func mask(_ chunks: [String], _ secrets: Set<String>) -> String {
        var masker = SecretMasker(secrets: secrets)
        var out: [UInt8] = []
        for chunk in chunks { out += masker.feed(Array(chunk.utf8)) }
        out += masker.finish()
        return String(decoding: out, as: UTF8.self)
    }

    @Test func everyOccurrenceIsMasked() {
        #expect(mask(["a secret, another secret"], ["secret"]) == "a ***, another ***")
        #expect(mask(["nothing here"], ["secret"]) == "nothing here")
        #expect(mask(["port 8080 and 18080"], ["8080"]) == "port *** and 1***")
        #expect(mask(["no secrets"], []) == "no secrets")
        #expect(mask(["empty ones are ignored"], [""]) == "empty ones are ignored")
    }

    @Test func aSecretSplitAcrossChunksIsMasked() {
        let text = "key=abcdef; again abcdef."
        // Every split point, and one byte at a time.
        for cut in 0...text.utf8.count {
            let bytes = Array(text.utf8)
            let chunks = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(mask(chunks, ["abcdef"]) == "key=***; again ***.", "cut at \(cut)")
        }
        #expect(mask(text.map { String($0) }, ["abcdef"]) == "key=***; again ***.")
    }

    @Test func aPrefixThatNeverCompletesIsKept() {
        #expect(mask(["value abc", "d and ab"], ["abcdef"]) == "value abcd and ab")
    }

    @Test func theLongerOfTwoOverlappingSecretsIsMaskedWhole() {
        #expect(mask(["ab", "cd then ab."], ["ab", "abcd"]) == "*** then ***.")
        #expect(mask(["x", "abcdx"], ["abc", "abcd"]) == "x***x")
    }
}
