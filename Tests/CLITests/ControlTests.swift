import Foundation
import Testing

/// `run --control` from the CLI, over real HTTP on loopback (README, *Live control and dashboard*).
/// Timing bounds are lower bounds with room above, except the pause's own length, which the tool
/// measures on its own clock.
@Suite(.serialized)
struct ControlTests {
    /// The issue's check: /status says RUNNING; after POST /pause the target sees no new request
    /// from 0.5 s after the pause until POST /resume 3 s later, while /status says PAUSED;
    /// result.json's timeline holds one pause of 3 s (±0.3); after POST /stop the process exits
    /// within 2 s with every artifact, the result marked partial.
    @Test func pauseResumeAndStopInTheIssuesShape() async throws {
        let target = try ArrivalServer()
        defer { target.stop() }
        let run = try await ControlledRun(CLIProcess.fixture("cli/control.yaml"), extra: ["--progress", "plain"],
                                          environment: ["PORT": String(target.port)])
        defer { try? FileManager.default.removeItem(at: run.out) }

        let running = try await run.status { $0.state == "RUNNING" && ($0.int("total", "requests") ?? 0) > 0 }
        #expect(running.state == "RUNNING", "\(running)")
        #expect((running["test_id"] as? String)?.hasSuffix("_cli-control") == true, "\(running)")
        try await Task.sleep(for: .seconds(1))

        let paused = try run.http.send("POST", "/pause")
        let pausedAt = ContinuousClock.now
        #expect(paused.status == 200, "\(paused.body)")
        #expect(paused.json.state == "PAUSED")
        try await Task.sleep(for: .milliseconds(1500))
        let during = try run.http.send("GET", "/status")
        #expect(during.json.state == "PAUSED", "\(during.body)")
        try await Task.sleep(until: pausedAt + .seconds(3))
        let resumedAt = ContinuousClock.now
        let resumed = try run.http.send("POST", "/resume")
        #expect(resumed.status == 200, "\(resumed.body)")
        #expect(resumed.json.state == "RUNNING")

        let quiet = target.times.filter { $0 > pausedAt + .milliseconds(500) && $0 < resumedAt }
        #expect(quiet.isEmpty, "\(quiet.count) requests arrived while paused")
        #expect(target.times.contains { $0 < pausedAt }, "no request before the pause")

        try await Task.sleep(for: .seconds(1.5))
        #expect(target.times.contains { $0 > resumedAt }, "no request after the resume")
        let stopped = try run.http.send("POST", "/stop")
        let stoppedAt = ContinuousClock.now
        #expect(stopped.status == 200, "\(stopped.body)")
        let outcome = await run.process.wait(timeout: .seconds(30))
        let exitTook = ContinuousClock.now - stoppedAt
        #expect(exitTook < .seconds(2), "exited \(exitTook) after POST /stop")
        // A control stop is no signal: the exit code is the verdict's.
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("[PAUSED]"), "progress never said PAUSED: \(outcome.stderr)")

        for artifact in ["result.json", "report.md", "report.html", "junit.xml"] {
            #expect(FileManager.default.fileExists(atPath: run.out.appendingPathComponent(artifact).path), "\(artifact) missing")
        }
        let result = try run.resultJSON
        #expect(result["status"] as? String == "partial")
        #expect(result["stop_reason"] as? String == "stopped by the control endpoint")
        let pauses = (result["timeline"] as? [String: Any])?["pauses"] as? [[String: Any]] ?? []
        #expect(pauses.count == 1, "\(pauses)")
        if let pause = pauses.first, let start = pause["start_s"] as? Double, let end = pause["end_s"] as? Double {
            #expect(abs(end - start - 3) <= 0.3, "paused \(end - start) s")
        }
        #expect(try schemaViolations(of: run.out.appendingPathComponent("result.json")) == [])
    }

    /// /metrics parses with prometheus_client's parser and its request counter grows; the status
    /// stream sends events; an illegal transition is 409, a wrong path 404, a wrong method 405; the
    /// dashboard is one page with no external asset.
    @Test func metricsStreamConflictsAndDashboard() async throws {
        let run = try await ControlledRun(CLIProcess.fixture("cli/control-demo.yaml"), extra: ["--progress", "none"])
        defer { try? FileManager.default.removeItem(at: run.out) }
        _ = try await run.status { ($0.int("total", "requests") ?? 0) > 0 }

        let first = try Self.parsePrometheus(try run.http.send("GET", "/metrics").body)
        try await Task.sleep(for: .milliseconds(1500))
        let scrape = try run.http.send("GET", "/metrics")
        #expect(scrape.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let second = try Self.parsePrometheus(scrape.body)
        #expect(first.total("stress_ci_requests_total") < second.total("stress_ci_requests_total"),
                "\(first.total("stress_ci_requests_total")) then \(second.total("stress_ci_requests_total"))")
        #expect(second.types["stress_ci_requests"] == "counter")
        #expect(second.types["stress_ci_errors"] == "counter")
        #expect(second.types["stress_ci_latency_seconds"] == "histogram")
        #expect(second.types["stress_ci_in_flight"] == "gauge")
        #expect(second.types["stress_ci_target_rate"] == "gauge")
        #expect(second.value("stress_ci_state", ["state": "RUNNING"]) == 1)
        #expect(second.value("stress_ci_state", ["state": "PAUSED"]) == 0)
        #expect(second.value("stress_ci_target_rate", [:]) == 50)
        // The label with a quote and a backslash survived the escaping.
        #expect(second.value("stress_ci_requests_total", ["request": #"odd "name" \ x"#]) != nil)
        let buckets = second.samples.filter { $0.name == "stress_ci_latency_seconds_bucket" }.map(\.value)
        #expect(buckets == buckets.sorted(), "buckets are not cumulative: \(buckets)")
        #expect(buckets.last == second.value("stress_ci_latency_seconds_count", [:]))
        #expect((second.value("stress_ci_latency_seconds_count", [:]) ?? 0) > 0)

        // The stream: the chart history and a status at once, then a status a second.
        let statusEvent = "data: {\"elapsed_s\":"
        let stream = try run.http.send("GET", "/status?stream=1", until: { $0.components(separatedBy: statusEvent).count > 3 })
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(stream.body.components(separatedBy: statusEvent).count > 3, "\(stream.body)")
        #expect(stream.body.contains("event: history\ndata: {\"points\":[{"), "\(stream.body.prefix(300))")
        #expect(stream.body.contains("\"state\":\"RUNNING\""))

        let conflict = try run.http.send("POST", "/resume")
        #expect(conflict.status == 409, "\(conflict.body)")
        #expect(conflict.json["state"] as? String == "RUNNING")
        #expect(try run.http.send("GET", "/nothing-here").status == 404)
        let wrongMethod = try run.http.send("GET", "/pause")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "POST")
        #expect(try run.http.send("POST", "/status").status == 405)
        // A head too large is refused, not buffered.
        #expect(try run.http.send("GET", "/status", headers: ["x-filler": String(repeating: "a", count: 20000)]).status == 431)

        let page = try run.http.send("GET", "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.body.contains("<!doctype html>"))
        #expect(page.body.contains("EventSource"))
        // Served with the status of the moment inside, so it shows the run before its stream connects.
        #expect(!page.body.contains("__STRESS_CI_INITIAL__"))
        #expect(page.body.contains(#""state":"RUNNING""#))
        #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        for external in ["http://", "https://", "src=\"//", "href=\"//"] {
            #expect(!page.body.contains(external), "the dashboard refers to \(external)")
        }
        #expect(!page.body.contains("<script src") && !page.body.contains("<link"))

        #expect(try run.http.send("POST", "/stop").status == 200)
        // Stopped already: a second stop is illegal.
        #expect(try run.http.send("POST", "/stop").status == 409)
        let outcome = await run.process.wait(timeout: .seconds(30))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try run.resultJSON["status"] as? String == "partial")
    }

    /// With STRESS_CI_CONTROL_TOKEN set, a request without the token is 401, with it 200 (as a
    /// bearer header, or `?token=` on a GET); a stop of `--repeat 3` ends the whole sequence.
    @Test func tokenGuardsEveryEndpointAndStopEndsTheRepeats() async throws {
        let token = "t0ken-\(UUID().uuidString)"
        let run = try await ControlledRun(CLIProcess.fixture("cli/control-demo.yaml"), extra: ["--repeat", "3"],
                                          environment: ["STRESS_CI_CONTROL_TOKEN": token])
        defer { try? FileManager.default.removeItem(at: run.out) }
        let bearer = ["authorization": "Bearer \(token)"]
        _ = try await run.status(headers: bearer) { $0.state == "RUNNING" }

        for (method, path) in [("GET", "/status"), ("GET", "/metrics"), ("GET", "/"), ("POST", "/pause"), ("POST", "/stop")] {
            #expect(try run.http.send(method, path).status == 401, "\(method) \(path) without a token")
            #expect(try run.http.send(method, path, headers: ["authorization": "Bearer wrong"]).status == 401)
        }
        #expect(try run.http.send("GET", "/status", headers: bearer).status == 200)
        #expect(try run.http.send("GET", "/status?token=\(token)").status == 200)
        #expect(try run.http.send("GET", "/?token=\(token)").status == 200)
        #expect(try run.http.send("GET", "/status?token=wrong").status == 401)
        // The query token is for pages and EventSource (GET) only.
        #expect(try run.http.send("POST", "/pause?token=\(token)").status == 401)

        #expect(try run.http.send("POST", "/stop", headers: bearer).status == 200)
        let outcome = await run.process.wait(timeout: .seconds(30))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("run 1 of 3"))
        #expect(!outcome.stderr.contains("run 2 of 3"), "a control stop did not end the sequence: \(outcome.stderr)")
        #expect(!outcome.stderr.contains(token) && !outcome.stdout.contains(token))
    }

    /// A non-loopback address without a token is refused before any load: exit 64.
    @Test func nonLoopbackWithoutTokenExits64() async throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture("cli/control-demo.yaml"), "--out", out.path,
                                          "--control", "0.0.0.0:0"], environment: ["STRESS_CI_CONTROL_TOKEN": ""])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("STRESS_CI_CONTROL_TOKEN"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("result.json").path))
        #expect(try await CLIProcess.run(["run", CLIProcess.fixture("cli/control-demo.yaml"), "--control", "localhost"]).status == 64)
    }

    // MARK: Prometheus' own parser

    struct Exposition {
        struct Sample {
            var name: String
            var labels: [String: String]
            var value: Double
        }
        var types: [String: String]
        var samples: [Sample]

        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { sample in sample.name == name && labels.allSatisfy { k, v in sample.labels[k] == v } }?.value
        }
        func total(_ name: String) -> Double { samples.filter { $0.name == name }.map(\.value).reduce(0, +) }
    }

    /// Parses with `prometheus_client.parser.text_string_to_metric_families` (pip package
    /// prometheus_client; `.ci/run` installs it).
    static func parsePrometheus(_ text: String) throws -> Exposition {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            families = list(text_string_to_metric_families(sys.stdin.read()))
            print(json.dumps({"types": {f.name: f.type for f in families},
                              "samples": [[s.name, s.labels, s.value] for f in families for s in f.samples]}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "prometheus_client refused the exposition: \(problem)\n\(text)")
        let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let samples = (json["samples"] as? [[Any]] ?? []).map { s in
            Exposition.Sample(name: s[0] as? String ?? "", labels: s[1] as? [String: String] ?? [:], value: (s[2] as? NSNumber)?.doubleValue ?? .nan)
        }
        return Exposition(types: json["types"] as? [String: String] ?? [:], samples: samples)
    }
}
