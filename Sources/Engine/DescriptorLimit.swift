#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file-descriptor limit, raised at the start of a run so that every connection
/// of the scenario can be open at once (10,000 connections need more than the usual 1024).
public enum DescriptorLimit {
    /// Descriptors kept for everything but connections: the event loops, files, the target's pipes.
    static let reserve = 64

    /// Raises the soft limit so `connections` sockets fit: to the hard limit (capped at 1M), as
    /// the embedded demo target or a launched target may need descriptors of their own.
    ///
    /// - Returns: a warning for the user when the limit cannot be raised far enough (connections
    ///   beyond it would fail to connect), or nil.
    @discardableResult
    public static func raise(toFit connections: Int) -> String? {
        let needed = rlim_t(connections + reserve)
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else { return nil }
        let wanted = max(needed, min(limit.rlim_max, 1 << 20))
        if limit.rlim_cur >= wanted { return nil }
        var raised = limit
        raised.rlim_cur = min(wanted, limit.rlim_max)
        if setrlimit(Self.resource, &raised) == 0, raised.rlim_cur >= needed { return nil }
        let now = getrlimit(Self.resource, &limit) == 0 ? limit.rlim_cur : raised.rlim_cur
        return "\(connections) connections need \(needed) file descriptors, but the limit is \(now) "
            + "(hard limit \(limit.rlim_max == rlim_t.max ? "unlimited" : String(limit.rlim_max))); "
            + "connections beyond it will fail to connect. Raise it with `ulimit -n \(needed)` "
            + "(as root, or in /etc/security/limits.conf) or use fewer connections."
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
