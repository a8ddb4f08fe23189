#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The fast path for plain-HTTP requests: write a request straight to the connection's socket
/// with one `send(2)`, bypassing NIO's pipeline and pending-write machinery (a fifth of the CPU
/// per request at full speed). Reads, readiness and closing stay with NIO.
///
/// NIO does not expose a channel's descriptor, so it is found once per connection by
/// reflection, and only used after the kernel confirms it is this very connection (same local
/// and remote ports). Anything unexpected — another NIO layout, TLS, a partial write — falls back
/// to `Channel.writeAndFlush`, so the fast path can only ever be skipped, never wrong.
enum DirectSocket {
    /// The descriptor of a connected plain TCP channel, or -1.
    static func descriptor(of channel: Channel) -> CInt {
        guard let local = channel.localAddress?.port, let remote = channel.remoteAddress?.port,
              let socket = child("socket", of: channel),
              let fd = child("descriptor", of: socket) as? CInt, fd >= 0
        else { return -1 }
        return port(of: fd, peer: false) == local && port(of: fd, peer: true) == remote ? fd : -1
    }

    /// Sends all of `bytes` on `fd` without blocking; false when the kernel took less than all
    /// (nothing or part: `sent` says how much), or failed — the caller then hands the rest to NIO.
    static func send(_ bytes: ByteBuffer, on fd: CInt, sent: inout Int) -> Bool {
        sent = 0
        return bytes.withUnsafeReadableBytes { raw in
            while sent < raw.count {
                let n = sendNow(fd, raw.baseAddress! + sent, raw.count - sent)
                if n > 0 {
                    sent += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    #if canImport(Glibc)
    private static func sendNow(_ fd: CInt, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        Glibc.send(fd, pointer, count, CInt(MSG_NOSIGNAL) | CInt(MSG_DONTWAIT))
    }
    #else
    private static func sendNow(_ fd: CInt, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        Darwin.send(fd, pointer, count, MSG_DONTWAIT)  // SO_NOSIGPIPE is set by NIO on Darwin
    }
    #endif

    /// A stored property named `label` of `subject` or of one of its superclasses.
    private static func child(_ label: String, of subject: Any) -> Any? {
        var mirror: Mirror? = Mirror(reflecting: subject)
        while let current = mirror {
            if let found = current.children.first(where: { $0.label == label }) { return found.value }
            mirror = current.superclassMirror
        }
        return nil
    }

    private static func port(of fd: CInt, peer: Bool) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }
}
