#if canImport(Glibc)
import Glibc
#endif
import CLoadIO
import Foundation
import Synchronization

/// One thread of the load generator: an epoll loop over its connections' sockets, its timers,
/// and the few tasks other threads hand it (run control, the once-a-second drain).
///
/// Why not a SwiftNIO event loop: at full speed a request costs the kernel about 6 µs of
/// loopback TCP and the client whatever it adds on top. NIO's channel pipeline, promises and
/// per-read buffers added about 1 µs a request — more than wrk's whole user time — and 50 µs per
/// new connection. Here a ready socket is read into one buffer per loop, parsed in place, and
/// the next request goes out with one `send(2)` from the same callback.
///
/// Sockets are registered with a 64-bit token; ready ones are handed to `onEvent` with the
/// token. Everything but `execute`, `submit` and `shutdown` must be called on the loop's thread.
final class Reactor: @unchecked Sendable {
    /// What a ready descriptor is ready for.
    struct Readiness: OptionSet {
        let rawValue: UInt32
        static let readable = Readiness(rawValue: UInt32(CLOAD_READABLE))
        static let writable = Readiness(rawValue: UInt32(CLOAD_WRITABLE))
    }

    let name: String
    private let poller: CInt
    private let wakeup: CInt
    /// The token of `wakeup`; connection tokens never reach it.
    private static let wakeToken = UInt64.max

    /// Called on the loop for every ready registered descriptor. Set before `start`.
    var onEvent: (UInt64, Readiness) -> Void = { _, _ in }
    /// Called on the loop, once, when its poller fails for good (see `run`). From then on no
    /// descriptor event arrives; tasks, timers and `shutdown` still work. Set before `start`.
    var onFailure: (ReactorError) -> Void = { _ in }

    // Loop state: only the loop's thread touches it.
    @exclusivity(unchecked) private var timers = TimerHeap()
    private var timerSequence: UInt64 = 0
    private var running = false
    private var thread: Thread?

    // Shared with other threads.
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private let shutdownRequested = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    /// Creates the loop's descriptors; `start` begins running it.
    init(name: String) throws(ReactorError) {
        self.name = name
        poller = cload_poller_create()
        guard poller >= 0 else { throw ReactorError("epoll_create1", errno: errno) }
        wakeup = cload_eventfd()
        guard wakeup >= 0 else {
            let saved = errno
            close(poller)
            throw ReactorError("eventfd", errno: saved)
        }
        guard cload_poller_set(poller, wakeup, UInt32(CLOAD_READABLE), Self.wakeToken, 1) == 0 else {
            let saved = errno
            close(poller)
            close(wakeup)
            throw ReactorError("epoll_ctl", errno: saved)
        }
    }

    deinit {
        close(poller)
        close(wakeup)
    }

    /// Starts the loop's thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Ends the loop after the tasks already handed to it, and waits for its thread to exit.
    /// Descriptors still registered stay open: their owners close them first.
    func shutdown() {
        guard thread != nil else { return }
        execute { [self] in shutdownRequested.store(true, ordering: .relaxed) }
        exited.wait()
        thread = nil
    }

    // MARK: - From any thread

    /// Runs `task` on the loop soon.
    func execute(_ task: @escaping @Sendable () -> Void) {
        inbox.withLock { $0.append(task) }
        var one: UInt64 = 1
        _ = write(wakeup, &one, 8)
    }

    /// Runs `task` on the loop and returns its result.
    func submit<T: Sendable>(_ task: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: task()) }
        }
    }

    // MARK: - Descriptors (on the loop)

    /// Starts watching `fd` for `interest`, handing its events to `onEvent` with `token`.
    func register(_ fd: CInt, interest: Readiness, token: UInt64) -> Bool {
        cload_poller_set(poller, fd, interest.rawValue, token, 1) == 0
    }

    /// Changes what `fd` is watched for (and its token).
    func reregister(_ fd: CInt, interest: Readiness, token: UInt64) {
        _ = cload_poller_set(poller, fd, interest.rawValue, token, 0)
    }

    // Closing a descriptor removes it from epoll: there is no `unregister`.

    // MARK: - Timers (on the loop)

    /// Monotonic nanoseconds (CLOCK_MONOTONIC, as `ScenarioClock` reads it).
    @inline(__always)
    static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Runs `body` once, `delay` nanoseconds from now, unless cancelled first.
    @discardableResult
    func schedule(in delay: Int64, _ body: @escaping () -> Void) -> ReactorTimer {
        schedule(at: Self.monotonicNow() &+ max(0, delay), body)
    }

    /// Runs `body` once at monotonic time `deadline`, unless cancelled first.
    @discardableResult
    func schedule(at deadline: Int64, _ body: @escaping () -> Void) -> ReactorTimer {
        timerSequence &+= 1
        let timer = ReactorTimer(deadline: deadline, sequence: timerSequence, body: body)
        timers.insert(timer)
        return timer
    }

    /// Runs `body` every `interval` nanoseconds, the first time after `initialDelay`, until the
    /// returned timer is cancelled.
    @discardableResult
    func scheduleRepeated(initialDelay: Int64, every interval: Int64, _ body: @escaping () -> Void) -> RepeatingTimer {
        let repeating = RepeatingTimer()
        func arm(after delay: Int64) {
            repeating.current = schedule(in: delay) {
                guard !repeating.cancelled else { return }
                body()
                if !repeating.cancelled { arm(after: interval) }
            }
        }
        arm(after: initialDelay)
        return repeating
    }

    // MARK: - The loop

    private func run() {
        cload_thread_name(name)
        let capacity = 512
        let events = UnsafeMutablePointer<cload_event>.allocate(capacity: capacity)
        defer {
            events.deallocate()
            exited.signal()
        }
        let onEvent = self.onEvent
        var failed = false
        while true {
            let timeout = runDueTimers()
            var woken = false
            if failed {
                // No poller: wait for the wakeup descriptor alone (poll(2)), or, should that fail
                // too, a millisecond; the tasks are looked at either way. Only until `shutdown`,
                // which whoever heard `onFailure` is on its way to.
                if cload_wakeup_wait(wakeup, timeout) < 0 && errno != EINTR { usleep(1000) }
                woken = true
            } else {
                let n = cload_poller_wait(poller, events, CInt(capacity), timeout)
                if n < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    // epoll_wait itself refused (epoll_pwait2 already fell back): nothing will
                    // ever be ready again. Say so instead of spinning.
                    failed = true
                    onFailure(ReactorError("epoll_wait", errno: code))
                    continue
                }
                for i in 0..<Int(n) {
                    let event = events[i]
                    if event.token == Self.wakeToken {
                        woken = true
                    } else {
                        onEvent(event.token, Readiness(rawValue: event.events))
                    }
                }
            }
            if woken {
                var value: UInt64 = 0
                _ = read(wakeup, &value, 8)
                let tasks = inbox.withLock { tasks -> [@Sendable () -> Void] in
                    defer { tasks.removeAll(keepingCapacity: true) }
                    return tasks
                }
                for task in tasks { task() }
                if shutdownRequested.load(ordering: .relaxed) { return }
            }
        }
    }

    /// Runs every timer that is due; returns how long the loop may wait for events (-1: forever).
    private func runDueTimers() -> Int64 {
        var now = Self.monotonicNow()
        while let next = timers.first {
            if next.body == nil {
                _ = timers.removeFirst()
                continue
            }
            if next.deadline > now { return next.deadline - now }
            _ = timers.removeFirst()
            let body = next.body
            next.body = nil
            body?()
            now = Self.monotonicNow()
        }
        return -1
    }
}

/// A timer of a `Reactor`; cancelling it before it fires means it never does.
final class ReactorTimer {
    let deadline: Int64
    let sequence: UInt64
    fileprivate(set) var body: (() -> Void)?

    init(deadline: Int64, sequence: UInt64, body: @escaping () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.body = body
    }

    /// On the loop: the timer will not fire.
    func cancel() { body = nil }

    fileprivate func precedes(_ other: ReactorTimer) -> Bool {
        deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
    }
}

/// A timer that fires every interval until cancelled.
final class RepeatingTimer {
    fileprivate var current: ReactorTimer?
    fileprivate(set) var cancelled = false

    /// On the loop: no further firing.
    func cancel() {
        cancelled = true
        current?.cancel()
        current = nil
    }
}

/// A binary min-heap of timers by deadline, then by the order they were scheduled.
struct TimerHeap {
    private var items: [ReactorTimer] = []

    var first: ReactorTimer? { items.first }
    var count: Int { items.count }

    mutating func insert(_ timer: ReactorTimer) {
        items.append(timer)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() -> ReactorTimer? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let first = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            let right = left + 1
            let child = right < items.count && items[right].precedes(items[left]) ? right : left
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            parent = child
        }
        return first
    }
}

/// A system call of the reactor failed: the run cannot start, or cannot go on.
struct ReactorError: Error, CustomStringConvertible {
    let call: String
    let code: CInt

    init(_ call: String, errno code: CInt) {
        self.call = call
        self.code = code
    }

    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}
