import Core
import Foundation

/// The store's exclusive lock: `flock(2)` on `ROOT/.lock`.
///
/// flock belongs to the open file description, so every holder opens the file itself: two
/// processes, or two threads of one process, exclude each other alike. Closing releases it,
/// also when a process dies holding it.
struct StoreLock {
    let path: String

    /// Runs `body` holding the lock; blocks until it is free.
    func withLock<T>(_ body: () throws(StressError) -> T) throws(StressError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StressError(.cannotWrite, "cannot open the store lock `\(path)`: \(String(cString: strerror(errno)))",
                              hint: "choose another store with --store")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw StressError(.cannotWrite, "cannot lock the store `\(path)`: \(String(cString: strerror(errno)))",
                                  hint: "choose another store with --store")
            }
        }
        return try body()
    }
}
