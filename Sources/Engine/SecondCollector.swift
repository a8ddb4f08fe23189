import Metrics

/// Once a second of the scenario clock, drains every worker's completed seconds, merges them,
/// reduces them to `SecondStats` and hands them on (with the second's histograms, for a live
/// view). Only the reduced statistics are kept.
actor SecondCollector {
    private let workers: [LoopWorker]
    private let layout: MetricsLayout
    private let onSecond: @Sendable (SecondStats) -> Void
    /// The reduced series so far.
    private(set) var series: [SecondStats] = []
    private var nextSecond = 0

    init(workers: [LoopWorker], layout: MetricsLayout, onSecond: @escaping @Sendable (SecondStats) -> Void) {
        self.workers = workers
        self.layout = layout
        self.onSecond = onSecond
    }

    /// Drains at each second's end until cancelled.
    func collect(clock: ScenarioClock, until end: Int64) async {
        // A little after the boundary, so the records of the second's last moments are in.
        let settle: Int64 = 20_000_000
        while !Task.isCancelled {
            let now = clock.now()
            let boundary = layout.warmup + Int64(nextSecond + 1) * 1_000_000_000
            if clock.isPaused || now < boundary + settle {
                let wait = clock.isPaused ? 100_000_000 : min(1_000_000_000, boundary + settle - now)
                do { try await Task.sleep(nanoseconds: UInt64(max(1_000_000, wait))) } catch { return }
                continue
            }
            let current = layout.secondIndex(at: now)
            // Seconds past the end belong to the final drain.
            let last = Int((max(0, end - layout.warmup) + 999_999_999) / 1_000_000_000)
            await drain(before: min(current, last))
            if nextSecond >= last {
                // Nothing more to collect until the run ends.
                do { try await Task.sleep(nanoseconds: 3_600_000_000_000) } catch { return }
            }
        }
    }

    /// Drains, reduces and publishes every second before `second` not yet published.
    func drain(before second: Int) async {
        guard second > nextSecond else { return }
        var buckets: [Int: SecondBucket] = [:]
        var inFlight = 0
        for worker in workers {
            let (drained, outstanding) = await worker.reactor.submit {
                (worker.recorder.drainSeconds(before: second), worker.outstanding)
            }
            inFlight += outstanding
            for bucket in drained {
                buckets[bucket.second, default: SecondBucket(second: bucket.second, requests: layout.requestNames.count)].add(bucket)
            }
        }
        for s in nextSecond..<second {
            let bucket = buckets[s] ?? SecondBucket(second: s, requests: layout.requestNames.count)
            let stats = bucket.stats(percentiles: layout.percentiles, inFlight: inFlight)
            series.append(stats.withoutHistograms)
            onSecond(stats)
        }
        nextSecond = second
    }
}
