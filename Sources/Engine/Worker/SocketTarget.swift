#if canImport(Glibc)
import Glibc
#endif

/// Where the workers connect and how: the resolved address and, for https, the TLS setup.
struct SocketTarget: Sendable {
    var address: ConnectAddress
    var tls: TLSClientContext?
    /// SNI name (nil for IP literals).
    var serverHostname: String?
    /// The name (or IP address) the certificate must carry, when verifying.
    var verifyHost: String?
    var verifyHostIsIP = false
}

/// Where the workers connect: a resolved socket address, kept as the kernel wants it.
final class ConnectAddress: @unchecked Sendable {
    private var storage = sockaddr_storage()
    let length: socklen_t

    /// Copies `length` bytes of a `sockaddr`.
    init(_ address: UnsafeRawPointer, length: Int) {
        let count = min(length, MemoryLayout<sockaddr_storage>.size)
        self.length = socklen_t(count)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: count)) }
    }

    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}
