/// A fixed-capacity buffer that keeps the newest `capacity` elements.
///
/// Appending to a full buffer overwrites the oldest element, so memory never grows past
/// `capacity` however long a run lasts. Iteration goes oldest to newest.
public struct RingBuffer<Element> {
    /// Storage grows to `capacity` and then stays there; `head` is the oldest element once full.
    private var storage: [Element] = []
    private var head = 0

    /// The most elements the buffer holds.
    public let capacity: Int

    /// Creates an empty buffer; `capacity` is clamped to at least 1.
    public init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    /// How many elements the buffer holds (at most `capacity`).
    public var count: Int { storage.count }

    /// Whether the buffer holds no elements.
    public var isEmpty: Bool { storage.isEmpty }

    /// Adds an element, overwriting the oldest when the buffer is full.
    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    /// Removes every element; capacity is kept.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// The oldest element, if any.
    public var first: Element? { isEmpty ? nil : self[0] }

    /// The newest element, if any.
    public var last: Element? { isEmpty ? nil : self[count - 1] }

    /// The element at `index`, counted from the oldest (0) to the newest (`count - 1`).
    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "RingBuffer index out of range")
        return storage[(head + index) % storage.count]
    }

    /// The newest `n` elements (fewer if the buffer holds fewer), oldest first, newest last.
    public func last(_ n: Int) -> [Element] {
        let k = Swift.min(Swift.max(0, n), count)
        return (count - k ..< count).map { self[$0] }
    }
}

extension RingBuffer: Sequence {
    public struct Iterator: IteratorProtocol {
        private let buffer: RingBuffer
        private var index = 0
        fileprivate init(_ buffer: RingBuffer) { self.buffer = buffer }
        public mutating func next() -> Element? {
            guard index < buffer.count else { return nil }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }
    public var underestimatedCount: Int { count }
}

extension RingBuffer: Sendable where Element: Sendable {}
