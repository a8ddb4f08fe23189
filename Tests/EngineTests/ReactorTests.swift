import Foundation
import Testing
@testable import Engine
import Core

/// The load engine's event loop: timers, tasks from other threads, shutdown.
@Suite struct ReactorTests {
    /// Collects what the loop did, from any thread.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let reactor = try Reactor(name: "test")
        reactor.start()
        defer { reactor.shutdown() }
        let log = Log()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            reactor.execute {
                let base = Reactor.monotonicNow() + 5_000_000
                reactor.schedule(at: base + 3_000_000) { log.add("c") }
                reactor.schedule(at: base + 1_000_000) { log.add("a") }
                let cancelled = reactor.schedule(at: base + 2_000_000) { log.add("cancelled") }
                reactor.schedule(at: base + 2_000_000) { log.add("b") }
                // Same deadline: in the order they were scheduled.
                reactor.schedule(at: base + 4_000_000) { log.add("d1") }
                reactor.schedule(at: base + 4_000_000) { log.add("d2") }
                reactor.schedule(at: base + 6_000_000) { done.resume() }
                cancelled.cancel()
            }
        }
        #expect(log.all == ["a", "b", "c", "d1", "d2"])
    }

    @Test func aTimerDoesNotFireEarly() async throws {
        let reactor = try Reactor(name: "test")
        reactor.start()
        defer { reactor.shutdown() }
        let late = await withCheckedContinuation { (done: CheckedContinuation<Int64, Never>) in
            reactor.execute {
                // Below a millisecond: epoll_pwait2's nanosecond timeout, not epoll_wait's 1 ms.
                let due = Reactor.monotonicNow() + 300_000
                reactor.schedule(at: due) { done.resume(returning: Reactor.monotonicNow() - due) }
            }
        }
        #expect(late >= 0)
    }

    @Test func repeatingTimersRepeatUntilCancelled() async throws {
        let reactor = try Reactor(name: "test")
        reactor.start()
        defer { reactor.shutdown() }
        let fired = await withCheckedContinuation { (done: CheckedContinuation<Int, Never>) in
            reactor.execute {
                var count = 0
                var timer: RepeatingTimer?
                timer = reactor.scheduleRepeated(initialDelay: 0, every: 1_000_000) {
                    count += 1
                    if count == 5 {
                        timer?.cancel()
                        // Had the cancel not held, a sixth firing would come before this.
                        reactor.schedule(in: 20_000_000) { done.resume(returning: count) }
                    }
                }
            }
        }
        #expect(fired == 5)
    }

    @Test func tasksFromManyThreadsAllRunOnTheLoop() async throws {
        let reactor = try Reactor(name: "test")
        reactor.start()
        defer { reactor.shutdown() }
        let total = await withTaskGroup(of: Int.self) { group in
            for i in 1...200 {
                group.addTask { await reactor.submit { i } }
            }
            return await group.reduce(0, +)
        }
        #expect(total == 200 * 201 / 2)
    }

    @Test func shutdownRunsWhatWasAlreadyHandedOver() async throws {
        let reactor = try Reactor(name: "test")
        reactor.start()
        let log = Log()
        for i in 0..<10 { reactor.execute { log.add("\(i)") } }
        reactor.shutdown()
        #expect(log.all == (0..<10).map { "\($0)" })
    }

    @Test func timerHeapOrdersAnyInsertionOrder() {
        var rng = SplitMix64(seed: 42)
        var heap = TimerHeap()
        var expected: [(Int64, UInt64)] = []
        for sequence in UInt64(0)..<500 {
            let deadline = Int64.random(in: 0..<100, using: &rng)
            expected.append((deadline, sequence))
            heap.insert(ReactorTimer(deadline: deadline, sequence: sequence) {})
        }
        var out: [(Int64, UInt64)] = []
        while let next = heap.removeFirst() { out.append((next.deadline, next.sequence)) }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        #expect(out.map(\.0) == expected.map(\.0))
        #expect(out.map(\.1) == expected.map(\.1))
    }
}
