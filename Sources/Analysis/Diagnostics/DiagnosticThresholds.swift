/// Where each detector draws the line. One place, so the README's table and the code agree.
///
/// Detectors compare a second with the run's *usual* second rather than with the run's average:
/// a burst that covers a third of a short run drags the average up with it, while the lower
/// median of the per-second values stays with the quiet seconds as long as fewer than half are bad.
public enum DiagnosticThresholds {
    // MARK: Error bursts

    /// A burst second's error rate is at least this multiple of the usual rate. Five times is
    /// beyond what binomial noise produces in a second of ≥ 100 requests at any steady error rate.
    public static let burstFactor = 5.0
    /// …and at least this rate: below 1 in 20, a second is not a burst however clean the rest is.
    public static let burstMinimumRate = 0.05
    /// …and at least this many errors: fewer are anecdotes (one broken connection), not a burst.
    public static let burstMinimumErrors = 5
    /// A burst in which at least half the requests failed is critical: the target was not serving.
    public static let burstCriticalRate = 0.5
    /// A burst whose errors are mostly `connect`/`reset` (this share), with healthy seconds before
    /// and after, reads as a target that went away and came back.
    public static let restartConnectionShare = 0.5

    // MARK: Latency spikes

    /// A spike second's p99 is at least this multiple of the usual second's p99…
    public static let spikeFactor = 3.0
    /// …and at least this much above it: a 3× jump from 1 ms is scheduler noise on a shared CI
    /// runner, not something a user would notice.
    public static let spikeMinimumIncrease: Duration = .milliseconds(50)
    /// Seconds with fewer timed responses than this are not judged: their p99 is their maximum.
    public static let spikeMinimumSamples = 5
    /// A spike of ten times the usual p99 is critical: it dominates the run's tail.
    public static let spikeCriticalFactor = 10.0

    // MARK: Saturation

    /// Open model: a send-lag p99 above this means requests left late (no free connection, or a
    /// busy generator). Latency is still timed from the schedule, but service time understates it.
    /// The regression quality gate's limit, so the issue explains an `inconclusive` verdict.
    public static var sendLagLimit: Duration { QualityGates().maximumSendLagP99 }
    /// Open model: a second that completed less than this share of its planned arrivals is short.
    /// 90% leaves room for the requests still in flight at a second's edge.
    public static let shortfallShare = 0.9
    /// …and the target is behind the schedule when this many consecutive seconds are short; a
    /// single stall is short for a second, then catches up.
    public static let shortfallMinimumSeconds = 3
    /// A shortfall below half of the plan is critical.
    public static let shortfallCriticalShare = 0.5
    /// A ramp saturates the target when, after throughput first reaches this share of its peak…
    public static let kneeThroughputShare = 0.9
    /// …the load still grows by at least this factor…
    public static let kneeLoadGrowth = 1.25
    /// …while p95 latency grows by at least this factor (Little's law: flat throughput under more
    /// load means each request waits longer).
    public static let kneeLatencyGrowth = 1.5
    /// Fewer measured seconds than this are too few to see a knee.
    public static let kneeMinimumSeconds = 6

    // MARK: Dropped arrivals

    /// Dropping more than this share of the arrivals is critical: the run did not apply its load.
    public static let droppedCriticalShare = 0.01

    // MARK: Target restarts

    /// `process_start_time_seconds` moving by more than this is a new process (client libraries
    /// report it with sub-second precision, fixed for a process's life).
    public static let restartStartTimeJump = 1.0
    /// A connection-error restart within this many seconds of one seen in the target's metrics
    /// is the same restart.
    public static let restartMergeSeconds = 3.0
}
