import Foundation
import StressCI
import Testing
import Metrics

/// The metrics layer as a user sees it in result.json: portable histograms, monitoring, target metrics.
@Suite(.serialized)
struct MetricsArtifactsTests {
    func result(_ fixture: String, expectStatus: Int32) async throws -> [String: Any] {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await CLIProcess.run(["run", CLIProcess.fixture(fixture), "--out", out.path, "--progress", "none"])
        #expect(r.status == expectStatus, "stdout: \(r.stdout) stderr: \(r.stderr)")
        let data = try Data(contentsOf: out.appendingPathComponent("result.json"))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A fixed 20 ms target at 100/s for 10 s: the overall latency histogram holds ~1000 values, p50 in 20…23 ms.
    @Test func histogramsAreEncodedPortably() async throws {
        let json = try await result("cli/fixed20ms.yaml", expectStatus: 0)
        let histograms = try #require(json["histograms"] as? [[String: Any]])
        let largest = try #require(histograms.max { ($0["count"] as? Int ?? 0) < ($1["count"] as? Int ?? 0) })
        let data = try #require(largest["data"] as? String)
        #expect(data.hasPrefix("HISTFAAA"))
        #expect(largest["unit"] as? String == "us")
        let decoded = try HistogramCodec.decodeLatency(data)
        #expect((980...1020).contains(Int(decoded.count)), "count \(decoded.count)")
        let p50 = decoded.value(atPercentile: 50)
        #expect(p50 >= .milliseconds(20) && p50 <= .milliseconds(23), "p50 \(p50)")
        // Every scope is there: overall, per request, per stage, and send lag.
        let scopes = Set(histograms.map { "\($0["metric"] ?? "")/\($0["scope"] ?? "")" })
        #expect(scopes.isSuperset(of: ["latency/overall", "service_time/overall", "latency/request", "latency/stage", "send_lag/overall"]))
    }

    @Test func hostGeneratorAndTargetMetricsAreMonitored() async throws {
        let json = try await result("cli/prom.yaml", expectStatus: 1)
        let monitoring = try #require(json["monitoring"] as? [[String: Any]])
        let sources = Set(monitoring.compactMap { $0["source"] as? String })
        #expect(sources.isSuperset(of: ["host", "generator", "prometheus"]))
        let generator = try #require(monitoring.first { $0["source"] as? String == "generator" })
        let samples = try #require(generator["samples"] as? [[String: Any]])
        #expect(samples.count >= 5)
        let rss = (samples.last?["values"] as? [String: Double])?["rss_bytes"] ?? 0
        #expect(rss > 1_000_000)

        // prom: criteria read the scraped counters as rates: two hold, the third fails the run.
        let criteria = try #require(json["success_criteria"] as? [[String: Any]])
        #expect(criteria.map { $0["passed"] as? Bool } == [true, true, false])
        let orders = try #require(criteria.first?["measured"] as? Double)
        #expect(orders > 35 && orders < 65, "orders/s \(orders)")
        let target = try #require(json["target_metrics"] as? [String: Any])
        #expect(target["demo_orders_total"] != nil)
    }
}
