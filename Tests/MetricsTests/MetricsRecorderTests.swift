import Testing
@testable import Metrics

private let s: Int64 = 1_000_000_000
private let ms: Int64 = 1_000_000

/// Two stages (0–3 s "ramp", 3–6 s "peak"), 1 s warmup, two requests.
private func layout() -> MetricsLayout {
    MetricsLayout(
        requestNames: ["a", "b"],
        stages: [.init(name: "ramp", start: 0, end: 3 * s), .init(name: "peak", start: 3 * s, end: 6 * s)],
        warmup: 1 * s)
}

@Suite struct MetricsRecorderTests {
    /// A second hands its send lag and histograms to the live callback; the run's series keeps neither histogram.
    @Test func secondsCarryTheirSendLagAndHistogramsOnlyLive() {
        let r = MetricsRecorder(layout: layout())
        r.recordSendLag(scheduledAt: 1100 * ms, sentAt: 1103 * ms)
        r.record(request: 0, scheduledAt: 1100 * ms, sentAt: 1103 * ms, finishedAt: 1150 * ms, status: 200, error: nil, bytesIn: 0, bytesOut: 0)
        let buckets = r.drainSeconds(before: 1)
        #expect(buckets.count == 1)
        let live = buckets[0].stats(percentiles: standardPercentiles, inFlight: 0)
        #expect(live.sendLag.count == 1)
        #expect(abs((live.sendLag.value(atPercentile: 99)?.seconds ?? 0) - 0.003) < 0.0001)
        #expect(live.histograms?.latency.count == 1)
        #expect(live.histograms?.sendLag.count == 1)
        #expect(live.withoutHistograms.histograms == nil)
        #expect(live.withoutHistograms == live)
        let m = RunMetrics.merge(layout: layout(), snapshots: [r.snapshot()], seconds: [live.withoutHistograms], measuredDuration: .seconds(5))
        #expect(m.seconds.allSatisfy { $0.histograms == nil })
    }

    @Test func warmupIsExcluded() {
        let r = MetricsRecorder(layout: layout())
        r.record(request: 0, scheduledAt: 500 * ms, sentAt: 500 * ms, finishedAt: 1200 * ms, status: 200, error: nil, bytesIn: 10, bytesOut: 5)
        r.record(request: 0, scheduledAt: 1500 * ms, sentAt: 1500 * ms, finishedAt: 1510 * ms, status: 200, error: nil, bytesIn: 10, bytesOut: 5)
        let m = RunMetrics.merge(layout: layout(), snapshots: [r.snapshot()], seconds: [], measuredDuration: .seconds(5))
        #expect(m.cell().counters.requests == 1)
        #expect(m.cell().latency.count == 1)
    }

    @Test func latencyFromScheduleServiceFromSend() {
        let r = MetricsRecorder(layout: layout())
        // Scheduled at 2.0 s, sent 300 ms late, answered 20 ms after the send.
        r.record(request: 1, scheduledAt: 2 * s, sentAt: 2 * s + 300 * ms, finishedAt: 2 * s + 320 * ms, status: 200, error: nil, bytesIn: 0, bytesOut: 0)
        let cell = RunMetrics.merge(layout: layout(), snapshots: [r.snapshot()], seconds: [], measuredDuration: .seconds(5)).cell(request: 1)
        #expect(abs(cell.latency.max.seconds - 0.320) < 0.001)
        #expect(abs(cell.service.max.seconds - 0.020) < 0.0001)
    }

    @Test func stagesAreChosenByScheduledTime() {
        let r = MetricsRecorder(layout: layout())
        r.record(request: 0, scheduledAt: 2900 * ms, sentAt: 2900 * ms, finishedAt: 3100 * ms, status: 200, error: nil, bytesIn: 0, bytesOut: 0)
        r.record(request: 0, scheduledAt: 3100 * ms, sentAt: 3100 * ms, finishedAt: 3200 * ms, status: 503, error: .status, bytesIn: 0, bytesOut: 0)
        let m = RunMetrics.merge(layout: layout(), snapshots: [r.snapshot()], seconds: [], measuredDuration: .seconds(5))
        #expect(m.cell(stage: 0).counters.requests == 1)
        #expect(m.cell(stage: 1).counters.errors.status == 1)
        #expect(m.cell(stage: 1).counters.responses(inClass: 5) == 1)
        // Stage windows inside the measured window: ramp loses its first second to warmup.
        #expect(m.measuredDuration(ofStage: 0) == .seconds(2))
        #expect(m.measuredDuration(ofStage: 1) == .seconds(3))
    }

    @Test func failuresWithoutResponseAreCountedButNotTimed() {
        let r = MetricsRecorder(layout: layout())
        r.record(request: 0, scheduledAt: 2 * s, sentAt: nil, finishedAt: 2 * s + ms, status: 0, error: .connect, bytesIn: 0, bytesOut: 0)
        r.recordDropped(request: 1, scheduledAt: 2 * s)
        let m = RunMetrics.merge(layout: layout(), snapshots: [r.snapshot()], seconds: [], measuredDuration: .seconds(5))
        #expect(m.cell().counters.requests == 1)
        #expect(m.cell().counters.errors.connect == 1)
        #expect(m.cell().counters.dropped == 1)
        #expect(m.cell().latency.count == 0)
        #expect(m.cell().counters.errorRate == 1)
    }

    @Test func secondsDrainInOrderAndReduceFromSummedHistograms() {
        let a = MetricsRecorder(layout: layout())
        let b = MetricsRecorder(layout: layout())
        // Measured second 0 is 1 s … 2 s on the scenario clock.
        for i in 0..<90 { a.record(request: 0, scheduledAt: 1 * s + Int64(i) * ms, sentAt: 1 * s + Int64(i) * ms, finishedAt: 1 * s + Int64(i) * ms + 10 * ms, status: 200, error: nil, bytesIn: 1, bytesOut: 1) }
        for i in 0..<10 { b.record(request: 1, scheduledAt: 1 * s + Int64(i) * ms, sentAt: 1 * s + Int64(i) * ms, finishedAt: 1 * s + Int64(i) * ms + 500 * ms, status: 200, error: nil, bytesIn: 1, bytesOut: 1) }
        a.record(request: 0, scheduledAt: 2 * s + 100 * ms, sentAt: 2 * s + 100 * ms, finishedAt: 2 * s + 110 * ms, status: 200, error: nil, bytesIn: 1, bytesOut: 1)
        var bucket = a.drainSeconds(before: 1)
        let fromB = b.drainSeconds(before: 1)
        #expect(bucket.count == 1 && fromB.count == 1)
        bucket[0].add(fromB[0])
        let stats = bucket[0].stats(percentiles: [50, 95], inFlight: 3)
        #expect(stats.second == 0)
        #expect(stats.overall.counters.requests == 100)
        #expect(stats.inFlight == 3)
        // 90 at 10 ms and 10 at 500 ms: the median is 10 ms, p95 is 500 ms (summed, not averaged).
        let p50 = stats.overall.latency.value(atPercentile: 50)!.seconds
        let p95 = stats.overall.latency.value(atPercentile: 95)!.seconds
        #expect(abs(p50 - 0.010) < 0.0002)
        #expect(abs(p95 - 0.500) < 0.006)
        #expect(stats.perRequest[1].counters.requests == 10)
        // The next second is still open in `a` and drains later.
        #expect(a.drainSeconds(before: 1).isEmpty)
        #expect(a.drainSeconds(before: 2).map(\.second) == [1])
    }

    @Test func mergeReducesSecondsStillOpenAtTheEnd() {
        let r = MetricsRecorder(layout: layout())
        r.record(request: 0, scheduledAt: 3 * s, sentAt: 3 * s, finishedAt: 3 * s + 5 * ms, status: 200, error: nil, bytesIn: 0, bytesOut: 0)
        let m = RunMetrics.merge(layout: layout(), snapshots: [r.snapshot()], seconds: [], measuredDuration: .seconds(5))
        #expect(m.seconds.map(\.second) == [2])
        #expect(m.seconds.first?.overall.counters.requests == 1)
    }

    @Test func outOfRangeLatencyIsClampedAndCounted() {
        var h = LatencyHistogram()
        h.record(nanoseconds: 2 * 3600 * s)
        h.record(nanoseconds: 0)
        #expect(h.count == 2)
        #expect(h.clamped == 1)
        #expect(h.max.seconds >= 3599)
        #expect(h.min == .microseconds(1))
    }

    @Test func layoutPercentilesIncludeTheStandardOnesOnce() {
        let l = MetricsLayout(requestNames: ["a"], stages: [], warmup: 0, percentiles: [95, 75])
        #expect(l.percentiles == [50, 75, 90, 95, 99, 99.9])
        #expect(l.stages.count == 1)
        #expect(l.stageIndex(at: 10 * s) == 0)
    }
}
