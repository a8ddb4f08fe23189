import Testing
@testable import Metrics

@Suite struct RingBufferTests {
    @Test func keepsInsertionOrderBeforeFull() {
        var b = RingBuffer<Int>(capacity: 4)
        #expect(b.isEmpty && b.first == nil && b.last == nil)
        b.append(1); b.append(2); b.append(3)
        #expect(Array(b) == [1, 2, 3])
        #expect(b.count == 3 && b.capacity == 4)
    }

    @Test func wrapAroundOverwritesOldest() {
        var b = RingBuffer<Int>(capacity: 3)
        for i in 1...7 { b.append(i) }
        #expect(Array(b) == [5, 6, 7])
        #expect(b.first == 5 && b.last == 7)
        #expect(b[0] == 5 && b[2] == 7)
        #expect(b.count == 3)
    }

    @Test func lastNIsNewestLast() {
        var b = RingBuffer<Int>(capacity: 5)
        for i in 1...8 { b.append(i) }
        #expect(b.last(2) == [7, 8])
        #expect(b.last(5) == [4, 5, 6, 7, 8])
        #expect(b.last(50) == [4, 5, 6, 7, 8])
        #expect(b.last(0) == [])
        #expect(b.last(-1) == [])
    }

    @Test func capacityNeverExceeded() {
        var b = RingBuffer<Int>(capacity: 100)
        for i in 0..<10_000 {
            b.append(i)
            #expect(b.count <= 100)
        }
        #expect(b.count == 100)
        #expect(Array(b) == Array(9_900..<10_000))
        #expect(b.underestimatedCount == 100)
    }

    @Test func removeAllAndMinimumCapacity() {
        var b = RingBuffer<String>(capacity: 0)
        #expect(b.capacity == 1)
        b.append("a"); b.append("b")
        #expect(Array(b) == ["b"])
        b.removeAll()
        #expect(b.isEmpty)
        b.append("c")
        #expect(Array(b) == ["c"])
    }
}
