/// An arrival of the open model (or a closed-model user's request): which request, and when
/// its latency clock started.
struct Arrival: Sendable {
    var request: Int
    /// Scenario clock.
    var scheduledAt: Nanos
}

/// A FIFO of arrivals waiting for a connection, without per-element allocation.
struct ArrivalQueue {
    private var storage: [Arrival] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ arrival: Arrival) { storage.append(arrival) }

    mutating func popFirst() -> Arrival? {
        guard head < storage.count else { return nil }
        let arrival = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return arrival
    }

    mutating func removeAll() -> [Arrival] {
        let rest = Array(storage[head...])
        storage.removeAll(keepingCapacity: true)
        head = 0
        return rest
    }
}
