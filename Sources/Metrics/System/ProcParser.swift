/// Pure parsers of /proc file text, so they can be tested on fixed strings.
public enum ProcParser {
    /// The aggregate "cpu" line of /proc/stat, in clock ticks since boot.
    public struct CPUTimes: Sendable, Hashable {
        public var user: UInt64, nice: UInt64, system: UInt64, idle: UInt64
        public var iowait: UInt64, irq: UInt64, softirq: UInt64, steal: UInt64

        public init(user: UInt64, nice: UInt64, system: UInt64, idle: UInt64,
                    iowait: UInt64 = 0, irq: UInt64 = 0, softirq: UInt64 = 0, steal: UInt64 = 0) {
            (self.user, self.nice, self.system, self.idle) = (user, nice, system, idle)
            (self.iowait, self.irq, self.softirq, self.steal) = (iowait, irq, softirq, steal)
        }

        /// Ticks spent doing work. Guest time is already inside user/nice, so it is not added.
        public var busy: UInt64 { user + nice + system + irq + softirq + steal }
        /// Busy plus idle (iowait counts as idle: the CPU was free to run something else).
        public var total: UInt64 { busy + idle + iowait }

        /// Busy share (0…100) of the time between `earlier` and `self`; nil if no ticks passed
        /// or the counters went backwards.
        public func utilization(since earlier: CPUTimes) -> Double? {
            guard total > earlier.total, busy >= earlier.busy else { return nil }
            return Double(busy - earlier.busy) / Double(total - earlier.total) * 100
        }
    }

    /// /proc/meminfo's totals, in bytes.
    public struct Meminfo: Sendable, Hashable {
        public var total: UInt64
        public var available: UInt64
        public var used: UInt64 { total >= available ? total - available : 0 }
    }

    /// The fields of /proc/PID/stat a sampler uses.
    public struct ProcessStat: Sendable, Hashable {
        public var pid: Int
        /// The executable name, which may itself contain spaces and parentheses.
        public var comm: String
        public var state: Character
        /// User and system CPU time in clock ticks.
        public var utime: UInt64
        public var stime: UInt64
        public var threads: Int
        /// Start time in clock ticks after boot: tells a restarted process from a reused pid.
        public var startTime: UInt64
        /// Resident set size in pages.
        public var rssPages: Int64
    }

    /// Parses the aggregate "cpu" line of /proc/stat.
    public static func parseStat(_ text: String) throws -> CPUTimes {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            throw SystemSamplerError.malformed("/proc/stat", "no aggregate cpu line")
        }
        let f = line.split(separator: " ").dropFirst().map { UInt64($0) }
        guard f.count >= 4, !f.prefix(4).contains(nil) else {
            throw SystemSamplerError.malformed("/proc/stat", "cpu line has too few fields")
        }
        func at(_ i: Int) -> UInt64 { i < f.count ? f[i] ?? 0 : 0 }
        return CPUTimes(user: at(0), nice: at(1), system: at(2), idle: at(3),
                        iowait: at(4), irq: at(5), softirq: at(6), steal: at(7))
    }

    /// Parses /proc/meminfo's MemTotal and MemAvailable (kB) into bytes. Kernels before 3.14
    /// lack MemAvailable; MemFree + Buffers + Cached approximates it there.
    public static func parseMeminfo(_ text: String) throws -> Meminfo {
        var kB: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
            if parts.count >= 2, let v = UInt64(parts[1]) { kB[parts[0]] = v }
        }
        guard let total = kB["MemTotal"] else {
            throw SystemSamplerError.malformed("/proc/meminfo", "no MemTotal")
        }
        let available = kB["MemAvailable"] ?? ((kB["MemFree"] ?? 0) + (kB["Buffers"] ?? 0) + (kB["Cached"] ?? 0))
        return Meminfo(total: total * 1024, available: available * 1024)
    }

    /// Parses the 1, 5 and 15 minute load averages of /proc/loadavg.
    public static func parseLoadavg(_ text: String) throws -> (load1: Double, load5: Double, load15: Double) {
        let f = text.split(whereSeparator: \.isWhitespace).prefix(3).compactMap { Double($0) }
        guard f.count == 3 else { throw SystemSamplerError.malformed("/proc/loadavg", "expected three load averages") }
        return (f[0], f[1], f[2])
    }

    /// Parses /proc/PID/stat. The command name sits in parentheses and may contain spaces and
    /// parentheses itself, so fields are split after the *last* ")".
    public static func parseProcessStat(_ text: String) throws -> ProcessStat {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              let pid = text[..<open].split(separator: " ").first.flatMap({ Int($0) })
        else { throw SystemSamplerError.malformed("/proc/PID/stat", "no \"pid (comm)\" prefix") }
        let comm = String(text[text.index(after: open)..<close])
        // Field 3 (state) is rest[0], so field n is rest[n - 3].
        let rest = text[text.index(after: close)...].split(whereSeparator: \.isWhitespace)
        guard rest.count >= 22, let state = rest[0].first,
              let utime = UInt64(rest[11]), let stime = UInt64(rest[12]),
              let threads = Int(rest[17]), let start = UInt64(rest[19]), let rss = Int64(rest[21])
        else { throw SystemSamplerError.malformed("/proc/PID/stat", "too few or non-numeric fields") }
        return ProcessStat(pid: pid, comm: comm, state: state, utime: utime, stime: stime,
                           threads: threads, startTime: start, rssPages: rss)
    }
}

