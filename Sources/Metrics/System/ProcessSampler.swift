#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Core
import Synchronization

/// One process's CPU, memory and threads, read from /proc/PID/stat (Linux only).
///
/// CPU % is of one core (200 = two cores busy), from utime+stime ticks since the previous collect
/// (the first collect measures from `init`) over the elapsed time on `clock`. A vanished process
/// makes `collect()` throw, which the aggregator logs and skips.
public final class ProcessSampler: MetricSource {
    /// The metric names `collect()` reports.
    public enum Key {
        /// CPU time over elapsed time since the previous collect, in % of one core.
        public static let cpuPercent = "cpu_percent"
        /// Cumulative user+system CPU time (a counter).
        public static let cpuSeconds = "cpu_seconds"
        public static let rssBytes = "rss_bytes"
        public static let threads = "threads"
    }

    /// The process sampled now.
    public var pid: Int32 { currentPID() }
    private let currentPID: @Sendable () -> Int32
    private let procRoot: String
    private let clock: any TimeSource
    private let ticksPerSecond = clockTicksPerSecond()
    private let pageBytes = pageSize()
    private let previous: Mutex<(stat: ProcParser.ProcessStat, time: Duration)?>

    /// - Parameters:
    ///   - pid: the process to sample; this process when nil.
    ///   - procRoot: where procfs is mounted; tests point it at a fixture directory.
    ///   - clock: measures the time between collects.
    public convenience init(pid: Int32? = nil, procRoot: String = "/proc", clock: any TimeSource = SystemTimeSource()) {
        let fixed = pid ?? getpid()
        self.init(following: { fixed }, procRoot: procRoot, clock: clock)
    }

    /// Samples whichever process `pid` names at each collect: a target started again after a
    /// `kill` fault is followed (its CPU share starts afresh).
    public init(following pid: @escaping @Sendable () -> Int32, procRoot: String = "/proc", clock: any TimeSource = SystemTimeSource()) {
        self.currentPID = pid
        self.procRoot = procRoot
        self.clock = clock
        let baseline = (try? ProcParser.parseProcessStat(readProcFile("\(procRoot)/\(pid())/stat"))).map { ($0, clock.now()) }
        previous = Mutex(baseline)
    }

    /// The shortest span between collects that yields a CPU share.
    static let minimumSpan: Duration = .milliseconds(250)

    public func collect() async throws -> [String: Double] {
        #if os(Linux)
        let stat = try ProcParser.parseProcessStat(readProcFile("\(procRoot)/\(currentPID())/stat"))
        let now = clock.now()
        // CPU time moves in clock ticks (10 ms): over a short span the share is noise, so a
        // collect too soon after the last one keeps the older baseline and reports no CPU %.
        let earlier = previous.withLock { p in
            let kept = p
            let tooSoon = kept.map { now - $0.time < Self.minimumSpan && $0.stat.startTime == stat.startTime } ?? false
            if !tooSoon { p = (stat, now) }
            return kept
        }
        let spanIsLongEnough = earlier.map { now - $0.time >= Self.minimumSpan } ?? false
        var values: [String: Double] = [
            Key.cpuSeconds: Double(stat.utime + stat.stime) / ticksPerSecond,
            Key.rssBytes: Double(stat.rssPages) * pageBytes,
            Key.threads: Double(stat.threads),
        ]
        // A different start time means the pid now belongs to another process: no delta.
        if let earlier, spanIsLongEnough, earlier.stat.startTime == stat.startTime,
           stat.utime + stat.stime >= earlier.stat.utime + earlier.stat.stime {
            let ticks = Double(stat.utime + stat.stime - earlier.stat.utime - earlier.stat.stime)
            values[Key.cpuPercent] = ticks / ticksPerSecond / (now - earlier.time).seconds * 100
        }
        return values
        #else
        throw SystemSamplerError.notSupported("process sampling")
        #endif
    }
}
