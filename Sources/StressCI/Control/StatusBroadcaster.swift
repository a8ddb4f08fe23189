import Foundation
import Synchronization

/// The Server-Sent Events of `GET /status?stream=1`: each subscriber gets every event published
/// after it subscribed (after one with the status at that moment), until `finish`.
final class StatusBroadcaster: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        /// The last event, replayed to anyone who subscribes after `finish`.
        var finished: String?
    }
    private let state = Mutex(State())

    /// An event in the stream's wire format: `data: JSON` (with `event: NAME` before it unless it
    /// is a plain message) and a blank line.
    static func event(_ json: String, name: String? = nil) -> String {
        (name.map { "event: \($0)\n" } ?? "") + "data: \(json)\n\n"
    }

    /// A new subscriber's stream, starting with `first`; it ends at `finish` or when dropped.
    func subscribe(first: String) -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(64))
        continuation.yield("retry: 2000\n\n")
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        let ended = state.withLock { s -> Bool in
            if let last = s.finished {
                continuation.yield(last)
                return true
            }
            // Under the lock, so no event published after this one can come before it.
            continuation.yield(first)
            s.subscribers[id] = continuation
            return false
        }
        // Outside the lock: finishing calls `onTermination`, which takes it.
        if ended { continuation.finish() }
        return stream
    }

    /// Sends `event` to every subscriber.
    func publish(_ event: String) {
        for continuation in state.withLock({ Array($0.subscribers.values) }) { continuation.yield(event) }
    }

    /// Sends `last` to every subscriber and ends every stream.
    func finish(last: String) {
        let continuations = state.withLock { s -> [AsyncStream<String>.Continuation] in
            s.finished = last
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        for continuation in continuations {
            continuation.yield(last)
            continuation.finish()
        }
    }
}
