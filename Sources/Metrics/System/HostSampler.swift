import Foundation
import Synchronization

/// Host-wide CPU, memory and load, read from /proc (Linux only; elsewhere `collect()` throws).
///
/// CPU utilisation is the busy share of /proc/stat ticks since the previous collect (the first
/// collect measures from `init`), so register one sampler and keep it for the run.
public final class HostSampler: MetricSource {
    /// The metric names `collect()` reports.
    public enum Key {
        /// Busy share of all cores, 0…100 (user+nice+system+irq+softirq+steal over total).
        public static let cpuPercent = "cpu_percent"
        public static let memoryUsedBytes = "memory_used_bytes"
        public static let memoryAvailableBytes = "memory_available_bytes"
        public static let memoryTotalBytes = "memory_total_bytes"
        public static let load1 = "load1"
        public static let load5 = "load5"
        public static let load15 = "load15"
        /// Processors available to this process.
        public static let cores = "cores"
    }

    private let procRoot: String
    private let previous: Mutex<ProcParser.CPUTimes?>

    /// - Parameter procRoot: where procfs is mounted; tests point it at a fixture directory.
    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
        previous = Mutex(try? ProcParser.parseStat(readProcFile(procRoot + "/stat")))
    }

    /// Ticks per core (25 = 250 ms at the usual 100 Hz) a CPU share needs.
    static let minimumTicksPerCore: UInt64 = 25

    public func collect() async throws -> [String: Double] {
        #if os(Linux)
        let cpu = try ProcParser.parseStat(readProcFile(procRoot + "/stat"))
        let memory = try ProcParser.parseMeminfo(readProcFile(procRoot + "/meminfo"))
        let load = try ProcParser.parseLoadavg(readProcFile(procRoot + "/loadavg"))
        // Too few ticks since the last collect (a collect right after another) say nothing:
        // keep the older baseline and report no CPU share this time.
        let cores = UInt64(ProcessInfo.processInfo.activeProcessorCount)
        let earlier = previous.withLock { p -> ProcParser.CPUTimes? in
            if let kept = p, cpu.total >= kept.total, cpu.total - kept.total < Self.minimumTicksPerCore * cores { return nil }
            defer { p = cpu }
            return p
        }
        var values: [String: Double] = [
            Key.memoryUsedBytes: Double(memory.used),
            Key.memoryAvailableBytes: Double(memory.available),
            Key.memoryTotalBytes: Double(memory.total),
            Key.load1: load.load1, Key.load5: load.load5, Key.load15: load.load15,
            Key.cores: Double(ProcessInfo.processInfo.activeProcessorCount),
        ]
        if let earlier, let percent = cpu.utilization(since: earlier) { values[Key.cpuPercent] = percent }
        return values
        #else
        throw SystemSamplerError.notSupported("host sampling")
        #endif
    }
}
