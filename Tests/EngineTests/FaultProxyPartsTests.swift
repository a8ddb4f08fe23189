import Core
import Testing
@testable import Engine

/// The fault proxy's pure parts: the request head reader, the fault plan, the token bucket.
@Suite struct FaultProxyPartsTests {
    private func parse(_ text: String) -> RequestHead? {
        Array(text.utf8).withUnsafeBytes { RequestHead.parse($0) }
    }

    private func end(_ text: String, from start: Int = 0) -> Int? {
        Array(text.utf8).withUnsafeBytes { RequestHead.end(in: $0, from: start) }
    }

    @Test func theHeadEndsAtItsBlankLine() {
        #expect(end("GET / HTTP/1.1\r\nA: b\r\n\r\nbody") == 24)
        #expect(end("GET / HTTP/1.1\r\nA: b\r\n\r\n", from: 20) == 24)
        #expect(end("GET / HTTP/1.1\r\nA: b\r\n\r\n", from: 21) == nil)
        #expect(end("GET / HTTP/1.1\r\nA: b\r\n\r") == nil)
        #expect(end("\r\n\r\n") == 4)
        #expect(end("") == nil)
    }

    @Test func theHeadTellsFramingAndTheRequestIndex() throws {
        let post = try #require(parse("POST /x HTTP/1.1\r\nContent-Length:  12 \r\nX-Stress-CI-Request: 4\r\nA: b\r\n\r\n"))
        #expect(post.contentLength == 12 && !post.close && !post.isHEAD && !post.tunnel)
        #expect(post.requestIndex == 4)
        #expect(post.stripped == [40..<64])

        let head = try #require(parse("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
        #expect(head.isHEAD && !head.close)
        #expect(try #require(parse("GET / HTTP/1.0\r\n\r\n")).close)
        #expect(try #require(parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n")).close)
        #expect(try #require(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")).tunnel)
        #expect(try #require(parse("CONNECT h:443 HTTP/1.1\r\n\r\n")).tunnel)
        #expect(try #require(parse("POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")).expectsContinue)
        // Two index headers: both go; a value that is no number scopes nothing.
        let twice = try #require(parse("GET / HTTP/1.1\r\nx-stress-ci-request: x\r\nx-stress-ci-request: 1\r\n\r\n"))
        #expect(twice.stripped.count == 2 && twice.requestIndex == 1)
        #expect(try #require(parse("GET / HTTP/1.1\r\nx-stress-ci-request: -1\r\n\r\n")).requestIndex == nil)
    }

    @Test func malformedHeadsAreRefused() {
        for text in [
            "GET / HTTP/2.0\r\n\r\n", "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nNo colon\r\n\r\n", "GET / HTTP/1.1\r\n folded: x\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: -3\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 1234567890123456\r\n\r\n", "GET / HTTP/1.1\nA: b\n\n", "\u{0}\u{1}\r\n\r\n",
        ] {
            #expect(parse(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func endingFaultsComeFirstAndEveryActiveFaultCounts() {
        var plan = FaultPlan(faults: [
            ProxyFault(kind: .latency(delay: 5, jitter: 0), start: 0, end: 100),
            ProxyFault(kind: .reset(rate: 0), start: 0, end: 100),
            ProxyFault(kind: .error(status: 503, rate: 1), start: 50, end: 100),
            ProxyFault(kind: .blackhole, start: 50, end: 100),
            ProxyFault(kind: .bandwidth(bytesPerSecond: 1000), start: 0, end: 100),
            ProxyFault(kind: .bandwidth(bytesPerSecond: 500), start: 0, end: 100, requestIndex: 2),
        ], seed: 1)
        let early = plan.decide(requestIndex: 2, now: 10)
        #expect(early.ending == nil && early.delay == 5 && early.bytesPerSecond == 500)
        let late = plan.decide(requestIndex: nil, now: 60)
        #expect(late.ending == .error(status: 503) && late.delay == 0)
        #expect(plan.counts.map(\.requests) == [2, 2, 1, 1, 2, 1])
        #expect(plan.counts.map(\.affected) == [1, 0, 1, 0, 1, 1])
        #expect(plan.counts[2].firstAffected == 60 && plan.counts[0].lastAffected == 10)
        #expect(plan.decide(requestIndex: nil, now: 100).ending == nil)
    }

    @Test func jitterStaysWithinItsRangeAndIsSeeded() {
        let fault = ProxyFault(kind: .latency(delay: 100, jitter: 150), start: 0, end: .max)
        var a = FaultPlan(faults: [fault], seed: 9)
        var b = FaultPlan(faults: [fault], seed: 9)
        let delays = (0..<1000).map { _ in a.decide(requestIndex: nil, now: 0).delay }
        #expect(delays == (0..<1000).map { _ in b.decide(requestIndex: nil, now: 0).delay })
        #expect(delays.allSatisfy { (0...250).contains($0) })
        #expect(delays.contains(0) && delays.contains { $0 > 200 })
    }

    @Test func aTokenBucketEarnsItsRateAndCapsItsBurst() {
        var bucket = TokenBucket(rate: 102_400, now: 0)
        #expect(bucket.tokens == 10_240)
        bucket.spend(10_240)
        bucket.refill(now: 10_000_000)
        #expect(bucket.tokens == 1024)
        // Fractions of a byte carry over.
        var slow = TokenBucket(rate: 150, now: 0)
        slow.spend(100)
        slow.refill(now: 10_000_000)
        #expect(slow.tokens == 1)
        slow.refill(now: 20_000_000)
        #expect(slow.tokens == 3)
        bucket.refill(now: 10 * 1_000_000_000)
        #expect(bucket.tokens == 10_240)
    }
}
