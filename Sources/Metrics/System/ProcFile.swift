#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole /proc file. /proc files report size 0, so this reads until end of file instead
/// of trusting `stat`.
func readProcFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemSamplerError.unreadable(path, reason: errnoText()) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n == 0 { break }
        if n < 0 {
            if errno == EINTR { continue }
            throw SystemSamplerError.unreadable(path, reason: errnoText())
        }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func errnoText() -> String {
    String(cString: strerror(errno))
}

/// Clock ticks per second for /proc CPU times (`USER_HZ`, almost always 100).
func clockTicksPerSecond() -> Double {
    let t = sysconf(Int32(_SC_CLK_TCK))
    return t > 0 ? Double(t) : 100
}

/// Memory page size in bytes, for /proc/PID/stat's rss.
func pageSize() -> Double {
    let p = sysconf(Int32(_SC_PAGESIZE))
    return p > 0 ? Double(p) : 4096
}
