import Foundation
import Testing

/// `run --repeat K`, the open-model quality gates and per-request regression rules, end to end
/// against the embedded demo target.
@Suite(.serialized)
struct RepeatAndGatesTests {
    /// SPEC §11's one-line form, as `run` prints it under "compared with baseline".
    static var verdictLine: some RegexComponent { #/^  (\(reported\) )?\S+( \S+)? [+-]\d+\.\d(%| pp) \[[+-]\d+\.\d(%| pp), [+-]\d+\.\d(%| pp)\] \(99% CI, \d+ vs \d+ runs?, tolerance [\d.]+(%| pp)\) → (regression|improvement|unchanged|inconclusive)$/# }

    func run(_ fixture: String, _ dir: URL, _ extra: [String]) async throws -> CLIProcess.Outcome {
        try await CLIProcess.run(["run", CLIProcess.fixture("cli/\(fixture).yaml"), "--store", dir.appendingPathComponent("store").path,
                                  "--out", dir.appendingPathComponent("out").path, "--progress", "none"] + extra)
    }

    func result(_ dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("out/result.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func verdicts(_ dir: URL) throws -> [String: [String: Any]] {
        let comparison = try #require(try result(dir)["comparison"] as? [String: Any])
        let list = try #require(comparison["verdicts"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["metric"] as? String ?? "", $0) })
    }

    func storedRuns(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("store/runs").path).sorted()
    }

    @Test func repeatedRunsAreStoredAndJudgedTogetherWithPerRequestRules() async throws {
        // Two baseline runs from one command, then two candidate runs. When stress-ci reports a
        // failed quality gate in either (the host paused this VM and the generator fell behind),
        // the whole sequence is discarded and run again in a fresh store, at most three times.
        var dir = try temporaryDirectory()
        var saved: CLIProcess.Outcome
        var slower: CLIProcess.Outcome
        var attempt = 1
        while true {
            saved = try await run("per-request-20ms", dir, ["--repeat", "2", "--save-baseline", "main"])
            slower = try await run("per-request-30ms", dir, ["--repeat", "2", "--baseline", "main"])
            guard CLIProcess.reportsFailedQualityGate([saved, slower]), attempt < 3 else { break }
            try? FileManager.default.removeItem(at: dir)
            dir = try temporaryDirectory()
            attempt += 1
        }
        defer { try? FileManager.default.removeItem(at: dir) }

        // Both baseline runs stored, both appended to the baseline.
        #expect(saved.status == 0, "\(saved.stdout)\n\(saved.stderr)")
        #expect(saved.stdout.contains("run 1 of 2  "))
        #expect(saved.stderr.contains("saved 2 runs to baseline main (2 of 10 runs)"))
        // The store holds the two baseline runs, then the two candidates (ids sort by time).
        let baselineRuns = Array(try storedRuns(dir).prefix(2))
        #expect(baselineRuns.count == 2)
        let baselineFile = try Data(contentsOf: dir.appendingPathComponent("store/baselines/main.json"))
        let baseline = try #require(try JSONSerialization.jsonObject(with: baselineFile) as? [String: Any])
        #expect((baseline["runs"] as? [[String: Any]])?.compactMap { $0["test_id"] as? String }.map { "\($0).json" } == baselineRuns)

        // Two candidate runs against a target 10 ms slower: one verdict line per rule, "2 vs 2 runs".
        #expect(slower.status == 2, "\(slower.stdout)\n\(slower.stderr)")
        let lines = slower.stdout.split(separator: "\n").map(String.init)
        let block = lines.drop { !$0.hasPrefix("compared with baseline main") }.dropFirst().prefix { $0.hasPrefix("  ") && !$0.hasPrefix("  note:") && !$0.hasPrefix("  monitored") }
        #expect(block.count == 7, "\(slower.stdout)")
        for line in block {
            #expect(line.wholeMatch(of: Self.verdictLine) != nil, "not SPEC §11's form: \(line)")
            #expect(line.contains("(99% CI, 2 vs 2 runs, "), "\(line)")
        }
        #expect(block.contains { $0.hasPrefix("  p95 latency +") && $0.hasSuffix("tolerance 10%) → regression") })
        // A p99 of ~150 requests per run is the 2nd-largest value: one pause of this VM moves it, so
        // only its line is checked; the per-request p50 below carries the verdict.
        #expect(block.contains { $0.hasPrefix("  (reported) p99 latency{request=checkout} ") && $0.contains("tolerance 15%) → ") })
        #expect(block.contains { $0.hasPrefix("  (reported) p50 latency{request=product} +") && $0.hasSuffix("tolerance 10%) → regression") })
        #expect(block.contains { $0.hasPrefix("  (reported) throughput{request=product} ") && $0.contains("tolerance 5%) → ") })
        #expect(block.contains { $0.hasPrefix("  (reported) error rate{request=checkout} ") && $0.contains("tolerance 0.5 pp) → ") })

        // The artifacts describe the last run, with the comparison over both; all four runs are stored.
        let all = try storedRuns(dir)
        #expect(all.count == 4)
        let last = try result(dir)
        #expect(all.last == "\(last["test_id"] as? String ?? "").json")
        let comparison = try #require(last["comparison"] as? [String: Any])
        let notes = try #require(comparison["notes"] as? [String])
        #expect(notes.contains { $0.hasPrefix("candidate: the mean of 2 runs (\(all[2].dropLast(5)), ") })
        let byMetric = try verdicts(dir)
        let checkout = try #require(byMetric["p99 latency{request=checkout}"])
        #expect(checkout["gating"] as? Bool == false)
        #expect(checkout["candidate_runs"] as? Int == 2 && checkout["baseline_runs"] as? Int == 2)
        #expect((try #require(byMetric["p50 latency{request=product}"])["change"] as? Double ?? 0) > 0.15)
        #expect(byMetric["p95 latency"]?["gating"] as? Bool == true)
        #expect(try schemaViolations(of: dir.appendingPathComponent("out/result.json")) == [])
    }

    @Test func aRunThatMissesItsScheduleIsInconclusiveAndFailsOnlyUnderStrict() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try await run("gate-ok", dir, ["--save-baseline", "main", "--quiet"]).status == 0)

        // One request in flight against a 20 ms target: about half the 100/s schedule is dropped.
        let starved = try await run("gate-starved", dir, ["--baseline", "main"])
        #expect(starved.status == 0, "inconclusive warns and passes: \(starved.stdout)\n\(starved.stderr)")
        for metric in ["p95 latency", "throughput", "error rate"] {
            let verdict = try #require(try verdicts(dir)[metric])
            #expect(verdict["verdict"] as? String == "inconclusive")
            let reason = try #require((verdict["reasons"] as? [String])?.first)
            #expect(reason.hasPrefix("quality gate: candidate run achieved "), "\(reason)")
            #expect(reason.hasSuffix("of the scheduled 100/s (at least 99% needed)"), "\(reason)")
        }
        #expect(starved.stderr.contains("warning: throughput is inconclusive: quality gate: candidate run achieved "))
        #expect(starved.stdout.contains("throughput -"))

        let strict = try await run("gate-starved", dir, ["--baseline", "main", "--strict"])
        #expect(strict.status == 2, "\(strict.stdout)\n\(strict.stderr)")
        #expect(strict.stderr.contains("is inconclusive (fails the build under --strict): quality gate:"))
        // --fail-on criteria ignores regressions, inconclusive ones too.
        #expect(try await run("gate-starved", dir, ["--baseline", "main", "--strict", "--fail-on", "criteria", "--quiet"]).status == 0)
    }

    @Test func criteriaMustHoldInEveryRepeatedRun() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await run("fail", dir, ["--repeat", "2"])
        #expect(outcome.status == 1, "\(outcome.stdout)\n\(outcome.stderr)")
        #expect(outcome.stdout.contains("run 1 of 2  "))
        #expect(outcome.stdout.contains("CRITERIA FAILED"))
        let runs = try storedRuns(dir)
        #expect(runs.count == 2)
        for (index, file) in runs.enumerated() {
            #expect(outcome.stderr.contains("run \(index + 1) of 2 (\(file.dropLast(5))) failed: p95(latency) < 5ms"), "\(outcome.stderr)")
        }
    }

    @Test(arguments: ["0", "-2", "twice"])
    func aBadRepeatCountIsAUsageError(_ count: String) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await run("gate-ok", dir, ["--repeat=\(count)"])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("repeat"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("store").path), "no run started")
    }

    @Test func regressionRulesTheComparisonCannotJudgeAreRefusedWithTheirLocation() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await run("regression-invalid", dir, ["--baseline", "main"])
        #expect(outcome.status == 65, "\(outcome.stderr)")
        let file = CLIProcess.fixture("cli/regression-invalid.yaml")
        #expect(outcome.stderr.contains("\(file):11:15: error: unknown request `chekout` (did you mean `checkout`?)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(file):12:15: error: `max(latency)` is one sample per run"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(file):13:38: error: an error-rate tolerance is a difference in percentage points"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/result.json").path), "nothing ran")
    }
}
