#if canImport(Glibc)
import Glibc
#endif

/// The fault proxy's plain non-blocking socket calls: one system call each.
enum ProxySocket {
    enum ReadResult {
        case bytes(Int)
        case wouldBlock
        /// The peer closed its side.
        case closed
        /// A reset or another error.
        case failed
    }

    /// Reads what is there, up to the buffer's size.
    @inline(__always)
    static func read(_ fd: CInt, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        guard let base = buffer.baseAddress else { return .wouldBlock }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            default: return .failed
            }
        }
    }

    /// Writes what the socket takes now: the count (0 when it is full), or nil when it failed.
    @inline(__always)
    static func write(_ fd: CInt, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        while true {
            let n = send(fd, base, bytes.count, CInt(MSG_NOSIGNAL))
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN: return 0
            default: return nil
            }
        }
    }

    /// Whether the peer is gone (closed or reset), without taking any byte: for an event on a
    /// socket the proxy is not reading from just now (epoll reports a hang-up regardless).
    static func peerGone(_ fd: CInt) -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, CInt(MSG_PEEK | MSG_DONTWAIT))
            if n > 0 { return false }
            if n == 0 { return true }
            switch errno {
            case EINTR: continue
            case EAGAIN: return false
            default: return true
            }
        }
    }
}
