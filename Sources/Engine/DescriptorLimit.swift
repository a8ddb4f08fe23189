#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

/// The process's file-descriptor limit (`ulimit -n`): checked before a run starts, and raised at
/// the start of the load so that every connection of the scenario can be open at once (10,000
/// connections need more than the usual 1024).
///
/// Too few descriptors is the machine's limit, not a fault in the scenario (the same file runs on
/// a machine with a higher limit), so it is a `targetNotReady` error (exit 69): the target cannot
/// be loaded as asked from here.
public enum DescriptorLimit {
    /// Descriptors kept for everything but connections: the event loops, files, the target's pipes.
    static let reserve = 64

    /// The sockets a run of `load` holds at its peak: its connections, and in the closed model
    /// at least one per user at the highest level.
    public static func sockets(for load: LoadSpec) -> Int {
        guard load.model == .closed else { return max(0, load.connections) }
        let peak = (load.stages.map(\.target) + [load.start]).max() ?? 0
        // Clamped before the conversion: `Int(Double)` traps out of range or on NaN.
        let users = peak.isNaN ? 0 : Int(min(max(0, peak.rounded(.up)), 1e15))
        return max(load.connections, users)
    }

    /// Throws unless `sockets` (twice as many when the target runs in this process: the embedded
    /// demo target holds the other end of each) plus the reserve fit under the limit it can be
    /// raised to. Changes nothing but, as root, the hard limit when it is too low.
    ///
    /// - Throws: `StressError(.targetNotReady)` naming the numbers and `ulimit -n`.
    public static func check(sockets: Int, inProcessTarget: Bool = false) throws {
        let needed = descriptors(for: sockets, inProcessTarget: inProcessTarget)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return }
        if limit.rlim_max == rlim_t.max || limit.rlim_max >= needed { return }
        // Only root (CAP_SYS_RESOURCE) may raise the hard limit, and only to fs.nr_open.
        var raised = limit
        raised.rlim_max = needed
        if setrlimit(resource, &raised) == 0 { return }
        throw tooFew(sockets: sockets, needed: needed, limit: limit, inProcessTarget: inProcessTarget)
    }

    /// Raises the soft limit so that `sockets` connections (and the reserve) fit: to the hard
    /// limit, capped at 1M, as the embedded demo target or a launched target may need
    /// descriptors of their own.
    ///
    /// - Throws: `StressError(.targetNotReady)` when it cannot be raised far enough.
    public static func raise(toFit sockets: Int) throws {
        let needed = descriptors(for: sockets, inProcessTarget: false)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return }
        let wanted = max(needed, min(limit.rlim_max, 1 << 20))
        if limit.rlim_cur >= wanted { return }
        var raised = limit
        raised.rlim_cur = min(wanted, limit.rlim_max)
        if setrlimit(resource, &raised) == 0, raised.rlim_cur >= needed { return }
        _ = getrlimit(resource, &limit)
        if limit.rlim_cur >= needed { return }
        throw tooFew(sockets: sockets, needed: needed, limit: limit, inProcessTarget: false)
    }

    static func descriptors(for sockets: Int, inProcessTarget: Bool) -> rlim_t {
        let open = rlim_t(clamping: max(0, sockets))
        let (doubled, overflow) = open.multipliedReportingOverflow(by: inProcessTarget ? 2 : 1)
        guard !overflow else { return .max }
        let (total, over) = doubled.addingReportingOverflow(rlim_t(reserve))
        return over ? .max : total
    }

    private static func tooFew(sockets: Int, needed: rlim_t, limit: rlimit, inProcessTarget: Bool) -> StressError {
        let most = limit.rlim_max == rlim_t.max ? limit.rlim_cur : limit.rlim_max
        let why = inProcessTarget ? "\(sockets) connections to the embedded demo target (both ends in this process)"
                                  : "\(sockets) connections"
        return StressError(
            .targetNotReady,
            "\(why) need \(needed) file descriptors, but this process may open at most \(most) (`ulimit -Hn`)",
            hint: "raise the limit before running stress-ci, e.g. `ulimit -n \(needed)` (above the hard limit: as root, "
                + "in /etc/security/limits.conf, or `docker run --ulimit nofile=\(needed)`), or use fewer connections")
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
