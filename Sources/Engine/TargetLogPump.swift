#if canImport(Glibc)
import Glibc
#endif
import Core
import Foundation

/// Copies a launched target's stdout and stderr (one pipe) into its log file on a thread of its
/// own, with every secret masked (`SecretMasker`), until the last writer closes the pipe.
///
/// A failing log write (a full disk) drops that output but keeps reading, so the target never
/// blocks on a pipe nobody empties.
final class TargetLogPump: Sendable {
    private let done = DispatchSemaphore(value: 0)

    /// Starts copying from `pipe` (its read end) into `log` (opened for appending); takes over
    /// both descriptors and closes them at the end.
    init(pipe: Int32, log: Int32, secrets: Set<String>) {
        let done = self.done
        let thread = Thread {
            var masker = SecretMasker(secrets: secrets)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
            defer {
                buffer.deallocate()
                close(pipe)
                close(log)
                done.signal()
            }
            while true {
                let n = read(pipe, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<n])
                if masker.isEmpty {
                    Self.write(chunk, to: log)
                } else {
                    masker.feed(chunk).withUnsafeBytes { Self.write($0, to: log) }
                }
            }
            masker.finish().withUnsafeBytes { Self.write($0, to: log) }
        }
        thread.name = "stress-ci target log"
        thread.start()
    }

    /// Waits until the pipe reached its end and the log is complete, or `timeout` passed
    /// (something outside the target's process group still holds the pipe); true if complete.
    @discardableResult
    func wait(timeout: Duration) -> Bool {
        let nanoseconds = max(0, min(timeout.nanoseconds, 3_600_000_000_000))
        guard done.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return false }
        done.signal()  // later waiters return at once too
        return true
    }

    private static func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}
