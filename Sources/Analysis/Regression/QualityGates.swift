import Core

/// What the open-model quality gates read of one candidate run.
public struct RunQuality: Sendable, Hashable {
    /// Arrivals the load profile schedules inside the measured window; nil for the closed model,
    /// which has no schedule to keep.
    public var scheduledRequests: Double?
    /// Requests the run made inside the measured window (failed ones included, dropped arrivals not).
    public var requests: Int
    /// The measured window's length in seconds (warmup and pauses excluded).
    public var measuredSeconds: Double
    /// p99 of the delay from an arrival's scheduled time to its actual send; nil when not measured.
    public var sendLagP99: Duration?

    /// A run as given.
    public init(scheduledRequests: Double?, requests: Int, measuredSeconds: Double, sendLagP99: Duration?) {
        self.scheduledRequests = scheduledRequests
        self.requests = requests
        self.measuredSeconds = measuredSeconds
        self.sendLagP99 = sendLagP99
    }
}

/// The quality gates of the open model: whether a candidate run applied the load it was
/// meant to. A failed gate turns every verdict into `inconclusive` with the gate as its reason
/// (pass the failures as `gateFailures`); the sample-size gate is `RegressionAnalysis.Options.minimumCount`.
///
/// The thresholds are properties of the load generator and the machine, not of the service, so
/// they are not scenario settings: a per-scenario knob would invite loosening the gate instead of
/// fixing an overloaded runner. Library callers may still pass their own.
public struct QualityGates: Sendable, Hashable {
    /// The smallest share of the scheduled requests a run must make (0.99 = 99%). Below it the
    /// run did not apply the planned rate (dropped arrivals, a stalled generator), so its numbers
    /// describe another load than the baseline's.
    public var minimumAchievedShare: Double
    /// The largest tolerated p99 send lag. A healthy generator sends within a millisecond or so of
    /// the schedule (0.3–5 ms p99 on a 2-core runner busy with other builds); 10 ms means it was starved
    /// of CPU, so the arrival process was not the planned one and the latencies (timed from the
    /// schedule) carry the generator's own delay — for a service answering in tens of
    /// milliseconds, as large as the changes we look for.
    public var maximumSendLagP99: Duration

    /// Gates as given; the defaults are the README's (*Results store and baselines*).
    public init(minimumAchievedShare: Double = 0.99, maximumSendLagP99: Duration = .milliseconds(10)) {
        self.minimumAchievedShare = minimumAchievedShare
        self.maximumSendLagP99 = maximumSendLagP99
    }

    /// The gates `run` fails, each a sentence that starts with `label` (e.g. "candidate run 2 of 3").
    public func failures(of run: RunQuality, label: String) -> [String] {
        var failures: [String] = []
        if let scheduled = run.scheduledRequests, scheduled > 0 {
            let share = Double(run.requests) / scheduled
            if share < minimumAchievedShare {
                let rate = { (count: Double) in
                    run.measuredSeconds > 0 ? "\(Units.formatNumber(count / run.measuredSeconds))/s" : "\(Units.formatNumber(count)) requests"
                }
                failures.append("\(label) achieved \(rate(Double(run.requests))), \(Units.formatNumber(share * 100))% of the scheduled "
                                + "\(rate(scheduled)) (at least \(Units.formatNumber(minimumAchievedShare * 100))% needed)")
            }
        }
        if let lag = run.sendLagP99, lag > maximumSendLagP99 {
            failures.append("\(label) send lag p99 \(Units.formatDuration(lag)) > \(Units.formatDuration(maximumSendLagP99)): "
                            + "the load generator fell behind its schedule")
        }
        return failures
    }
}
