import Testing
@testable import Metrics

private func families(_ text: String) -> [MetricFamily] {
    do { return try PrometheusParser.parse(text) } catch {
        Issue.record("\(error)")
        return []
    }
}

@Suite struct PrometheusRateTrackerTests {
    @Test func counterBecomesRate() {
        var tracker = PromRateTracker()
        let scrape = { (v: Int) in families("# TYPE jobs_total counter\njobs_total \(v)\n") }
        #expect(tracker.update(scrape(100), at: .seconds(0)).isEmpty, "the first scrape is the baseline")
        #expect(tracker.update(scrape(150), at: .seconds(1)) == ["jobs_total": 50])
        #expect(tracker.update(scrape(250), at: .seconds(3)) == ["jobs_total": 50])
        #expect(tracker.update(scrape(250), at: .milliseconds(3500)) == ["jobs_total": 0])
        #expect(tracker.update(scrape(300), at: .milliseconds(3750)) == ["jobs_total": 200])
    }

    @Test func counterResetUsesNewValue() {
        var tracker = PromRateTracker()
        let scrape = { (v: Int) in families("# TYPE jobs_total counter\njobs_total \(v)\n") }
        _ = tracker.update(scrape(1000), at: .seconds(0))
        #expect(tracker.update(scrape(1100), at: .seconds(1)) == ["jobs_total": 100])
        #expect(tracker.update(scrape(30), at: .seconds(2)) == ["jobs_total": 30], "restarted: 30 since the restart")
        #expect(tracker.update(scrape(80), at: .seconds(3)) == ["jobs_total": 50])
    }

    @Test func gaugesStayValues() {
        var tracker = PromRateTracker()
        let scrape = { (v: Double) in families("# TYPE queue gauge\nqueue \(v)\nuntyped_thing 7\n") }
        #expect(tracker.update(scrape(5), at: .seconds(0)) == ["queue": 5, "untyped_thing": 7])
        #expect(tracker.update(scrape(2), at: .seconds(1)) == ["queue": 2, "untyped_thing": 7])
    }

    @Test func labelledSeriesAndFamilySums() {
        var tracker = PromRateTracker()
        let scrape = { (ok: Int, failed: Int, errorsSeries: Bool) in
            families("""
            # TYPE http_requests_total counter
            http_requests_total{method="get",code="200"} \(ok)
            http_requests_total{method="post",code="200"} 10
            \(errorsSeries ? "http_requests_total{code=\"500\",method=\"get\"} \(failed)" : "")
            # TYPE conns gauge
            conns{pool="a"} 3
            conns{pool="b"} 4
            """)
        }
        let first = tracker.update(scrape(100, 0, false), at: .seconds(10))
        #expect(first == ["conns{pool=\"a\"}": 3, "conns{pool=\"b\"}": 4, "conns": 7])
        let second = tracker.update(scrape(160, 0, false), at: .seconds(12))
        #expect(second["http_requests_total{code=\"200\",method=\"get\"}"] == 30)
        #expect(second["http_requests_total{code=\"200\",method=\"post\"}"] == 0)
        #expect(second["http_requests_total"] == 30)
        // A series that appears after the baseline counts from zero.
        let third = tracker.update(scrape(170, 4, true), at: .seconds(14))
        #expect(third["http_requests_total{code=\"500\",method=\"get\"}"] == 2)
        #expect(third["http_requests_total"] == 7)
        #expect(third["conns"] == 7)
    }

    @Test func histogramAndSummaryCountsAreRates() {
        var tracker = PromRateTracker()
        let scrape = { (n: Int, sum: Double) in
            families("""
            # TYPE lat histogram
            lat_bucket{le="0.1"} \(n)
            lat_bucket{le="+Inf"} \(n)
            lat_sum \(sum)
            lat_count \(n)
            # TYPE rpc summary
            rpc{quantile="0.99",method="x"} 0.25
            rpc_sum{method="x"} \(sum)
            rpc_count{method="x"} \(n)
            """)
        }
        #expect(tracker.update(scrape(10, 1), at: .seconds(0)) == ["rpc{method=\"x\",quantile=\"0.99\"}": 0.25])
        let readings = tracker.update(scrape(30, 3), at: .seconds(2))
        #expect(readings == [
            "lat_count": 10, "lat_sum": 1,
            "rpc{method=\"x\",quantile=\"0.99\"}": 0.25,
            "rpc_count{method=\"x\"}": 10, "rpc_count": 10,
            "rpc_sum{method=\"x\"}": 1, "rpc_sum": 1,
        ])
    }

    @Test func nonFiniteAndNaN() {
        var tracker = PromRateTracker()
        let text = "# TYPE g gauge\ng{a=\"1\"} NaN\ng{a=\"2\"} 2\n# TYPE c counter\nc NaN\n"
        _ = tracker.update(families(text), at: .seconds(0))
        let readings = tracker.update(families(text), at: .seconds(1))
        #expect(readings["g"] == 2, "NaN series are left out of sums")
        #expect(readings["g{a=\"1\"}"]?.isNaN == true)
        #expect(readings["c"] == nil)
    }

    @Test func sameTimeGivesNoRate() {
        var tracker = PromRateTracker()
        let scrape = { (v: Int) in families("# TYPE c counter\nc \(v)\n") }
        _ = tracker.update(scrape(1), at: .seconds(1))
        #expect(tracker.update(scrape(5), at: .seconds(1)).isEmpty)
        #expect(tracker.update(scrape(9), at: .seconds(2)) == ["c": 8])
    }

    @Test func seriesKeysSortAndEscape() {
        #expect(PromRateTracker.seriesKey(name: "m", labels: [:]) == "m")
        #expect(PromRateTracker.seriesKey(name: "m", labels: ["b": "2", "a": "x\"y\\z\nw"]) == #"m{a="x\"y\\z\nw",b="2"}"#)
    }
}

@Suite struct PrometheusSeriesBuilderTests {
    @Test func secondsBecomeColumns() {
        var builder = PromSeriesBuilder()
        builder.add(second: -1, values: ["a": 99])
        builder.add(second: 0, values: ["a": 1])
        builder.add(second: 2, values: ["a": 3, "b": 30])
        builder.add(second: 2, values: ["a": 4])
        #expect(builder.seconds == 3)
        let built = builder.build()
        #expect(built.keys.sorted() == ["a", "b"])
        #expect(built["a"]?.map(\.description) == ["1.0", "nan", "4.0"])
        #expect(built["b"]?.map(\.description) == ["nan", "nan", "30.0"])
        #expect(builder.build(length: 4)["a"]?.map(\.description) == ["1.0", "nan", "4.0", "nan"])
        #expect(builder.build(length: 1)["b"]?.map(\.description) == ["nan"])
        #expect(PromSeriesBuilder().build().isEmpty)
    }

    @Test func trackerToSeries() {
        var tracker = PromRateTracker()
        var builder = PromSeriesBuilder()
        for second in 0..<4 {
            let text = "# TYPE c counter\nc \(second * second * 10)\n"
            builder.add(second: second, values: tracker.update(try! PrometheusParser.parse(text), at: .seconds(second)))
        }
        #expect(builder.build()["c"]?.map(\.description) == ["nan", "10.0", "30.0", "50.0"])
    }
}
