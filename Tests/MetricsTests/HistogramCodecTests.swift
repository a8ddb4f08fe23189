import Foundation
import Histogram
import Testing
@testable import Metrics

/// `Tests/Fixtures/histograms`, found from this file's path.
private let histogramFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent("histograms")

/// Our run-level latency layout: µs, 1 µs … 1 h, 3 digits.
private func latencyLayoutHistogram() -> Histogram<UInt64> {
    Histogram(lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestMicroseconds, numberOfSignificantValueDigits: .three)
}

/// SplitMix64: a small deterministic generator for the fuzz and random round trips.
private struct CodecTestGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Percentiles checked in round trips: a coarse grid plus the tail.
private let checkedPercentiles: [Double] = stride(from: 0.0, through: 100.0, by: 2.5).map { $0 }
    + [1, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 99.9999, 100]

/// Decodes `encode(original)` and checks that nothing observable changed.
private func expectRoundTrip(_ original: Histogram<UInt64>, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let text = HistogramCodec.encodeBase64(original)
    // "HISTFAAA" while the zlib stream is under 64 KiB; its length is the next bytes.
    #expect(text.hasPrefix("HISTF"), sourceLocation: sourceLocation)
    let decoded = try HistogramCodec.decodeBase64(text)
    #expect(decoded.lowestDiscernibleValue == original.lowestDiscernibleValue, sourceLocation: sourceLocation)
    #expect(decoded.highestTrackableValue == original.highestTrackableValue, sourceLocation: sourceLocation)
    #expect(decoded.numberOfSignificantValueDigits == original.numberOfSignificantValueDigits, sourceLocation: sourceLocation)
    #expect(decoded.totalCount == original.totalCount, sourceLocation: sourceLocation)
    #expect(decoded.max == original.max, sourceLocation: sourceLocation)
    // Counts come back at their bucket's lowest value: min is exact to the bucket, as in Java.
    #expect(decoded.min == (original.min == 0 ? 0 : original.lowestEquivalentForValue(original.min)), sourceLocation: sourceLocation)
    #expect(decoded.minNonZero == original.minNonZero, sourceLocation: sourceLocation)
    #expect(decoded.mean == original.mean, sourceLocation: sourceLocation)
    // The format keeps buckets, not values: percentiles come back as the top of their bucket (p0,
    // the minimum, as the bottom), exactly what Java and Python report for the same string.
    for p in checkedPercentiles {
        let value = original.valueAtPercentile(p)
        let expected = p == 0 ? original.lowestEquivalentForValue(value) : original.highestEquivalentForValue(value)
        #expect(decoded.valueAtPercentile(p) == expected, "p\(p)", sourceLocation: sourceLocation)
    }
    #expect(decoded == original, sourceLocation: sourceLocation)
    #expect(HistogramCodec.encode(decoded) == HistogramCodec.encode(original), "re-encoding is stable", sourceLocation: sourceLocation)
}

/// Expects `body` to throw a codec error of `kind`.
private func expectError(_ kind: HistogramCodecError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws(HistogramCodecError) -> Histogram<UInt64>) {
    do {
        let h = try body()
        Issue.record("expected \(kind), decoded a histogram of \(h.totalCount)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    }
}

/// Hand-built uncompressed V2: header fields as given, then `words` as ZigZag varints.
private func uncompressedV2(digits: Int32 = 3, lowest: Int64 = 1, highest: Int64 = 3_600_000_000, offset: Int32 = 0,
                            words: [Int64], payloadLength: Int32? = nil) -> [UInt8] {
    var payload = [UInt8]()
    for w in words { HistogramCodec.ZigZag.append(w, to: &payload) }
    var out = [UInt8]()
    func be<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }
    be(UInt32(0x1C84_9313))
    be(payloadLength ?? Int32(payload.count))
    be(offset)
    be(digits)
    be(lowest)
    be(highest)
    be((1.0 as Double).bitPattern)
    return out + payload
}

/// Wraps uncompressed V2 bytes in the compressed envelope.
private func compressedV2(_ inner: [UInt8], cookie: UInt32 = 0x1C84_9314) -> [UInt8] {
    let z = HistogramCodec.Zlib.compress(inner)
    var out = [UInt8]()
    withUnsafeBytes(of: cookie.bigEndian) { out += $0 }
    withUnsafeBytes(of: UInt32(z.count).bigEndian) { out += $0 }
    return out + z
}

@Suite struct HistogramCodecTests {
    // MARK: Round trips

    @Test func emptyRoundTrip() throws {
        let h = latencyLayoutHistogram()
        try expectRoundTrip(h)
        #expect(HistogramCodec.encodeBase64(h).hasPrefix("HISTFAAA"))
        #expect(HistogramCodec.encodeUncompressed(h).count == 41, "header and one zero count, as Java writes")
    }

    @Test(arguments: [UInt64(0), 1, 2, 1023, 2047, 2048, 1_000_003, 123_456_789, 3_599_999_999, 3_600_000_000])
    func oneValueRoundTrip(value: UInt64) throws {
        var h = latencyLayoutHistogram()
        let recorded = h.record(value)
        #expect(recorded)
        try expectRoundTrip(h)
    }

    @Test func valuesAcrossTheWholeRange() throws {
        var h = latencyLayoutHistogram()
        var v: UInt64 = 1
        while v < LatencyHistogram.highestMicroseconds {
            h.record(v, count: v % 7 + 1)
            v = v * 11 / 10 + 1
        }
        h.record(LatencyHistogram.highestMicroseconds)
        try expectRoundTrip(h)
    }

    @Test func largeCounts() throws {
        var h = latencyLayoutHistogram()
        h.record(1, count: 1 << 40)
        h.record(1000, count: (1 << 35) + 12_345)
        h.record(3_600_000_000, count: 1 << 30)
        h.record(999_999, count: UInt64(Int32.max) + 1)
        try expectRoundTrip(h)
    }

    @Test func manyZeroRunsRandomized() throws {
        var rng = CodecTestGenerator(state: 42)
        for _ in 0 ..< 20 {
            var h = latencyLayoutHistogram()
            for _ in 0 ..< Int.random(in: 1 ... 3000, using: &rng) {
                // Log-uniform over the range, so every bucket gets visits and gaps of every length.
                let value = UInt64(exp(Double.random(in: 0 ... log(3.6e9), using: &rng)))
                h.record(min(value, LatencyHistogram.highestMicroseconds), count: UInt64.random(in: 1 ... 1_000_000, using: &rng))
            }
            try expectRoundTrip(h)
        }
    }

    @Test(arguments: [(UInt64(1), UInt64(2), SignificantDigits.zero), (1, 1000, .three), (20, 1000, .three),
                      (1000, 3_600_000_000_000, .two), (1, 200_000, .five), (1 << 20, 1 << 50, .four)])
    func otherLayoutsRoundTrip(lowest: UInt64, highest: UInt64, digits: SignificantDigits) throws {
        var h = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: digits)
        var rng = CodecTestGenerator(state: lowest &* 31 &+ highest)
        // Values below lowestDiscernibleValue share index 0 with zero: the format cannot tell them apart.
        for _ in 0 ..< 200 { h.record(UInt64.random(in: lowest ... min(highest, 1 << 40), using: &rng)) }
        h.record(highest)
        try expectRoundTrip(h)
    }

    @Test func latencyHistogramEncodesAsHISTFAAA() throws {
        var latency = LatencyHistogram()
        for ms: Int64 in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89] { latency.record(nanoseconds: ms * 1_000_000) }
        let text = HistogramCodec.encodeBase64(latency)
        #expect(text.hasPrefix("HISTFAAA"))
        let back = try HistogramCodec.decodeLatency(text)
        #expect(back.count == latency.count)
        #expect(back.max == latency.max)
        #expect(back.mean == latency.mean)
        #expect(back.min == latency.min)
        for p in checkedPercentiles where p > 0 {
            let micros = UInt64(latency.value(atPercentile: p) / .microseconds(1))
            #expect(back.value(atPercentile: p) == .microseconds(Int64(latency.histogram.highestEquivalentForValue(micros))), "p\(p)")
        }
    }

    @Test func matchesAnotherImplementationByteForByte() throws {
        // The Go/JS suites' one-42-best vector is (1, 2, 3 digits) holding one 42, deflated at level 9.
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: .three)
        let recorded = h.record(42)
        #expect(recorded)
        let theirs = try HistogramCodec.Base64.decode(try #require(Self.foreignVectors()["one-42-best"]))
        let ours = HistogramCodec.encode(h)
        #expect(try HistogramCodec.Zlib.decompress(ours[8...], limit: 1000) == HistogramCodec.Zlib.decompress(theirs[8...], limit: 1000))
        // Same deflate blocks; only the zlib header's level bits differ (78 9C default, 78 DA best).
        #expect(Array(ours[..<8]) == Array(theirs[..<8]))
        #expect(Array(ours[8 ..< 10]) == [0x78, 0x9C])
        #expect(Array(ours[10...]) == Array(theirs[10...]))
        #expect(HistogramCodec.encodeBase64(h) == "HISTFAAAAB54nJNpmSzMwMDAxAABzFCaEUoz2X+AMIKZAEARAtM=")
    }

    // MARK: Other implementations' vectors

    private static func foreignVectors() throws -> [String: String] {
        let text = try String(contentsOf: histogramFixtures.appendingPathComponent("foreign-vectors.txt"), encoding: .utf8)
        var vectors: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { vectors[String(parts[0])] = String(parts[1]) }
        }
        return vectors
    }

    @Test func goAndJavaScriptVectors() throws {
        let vectors = try Self.foreignVectors()
        #expect(vectors.count == 5)
        for name in ["one-42-best", "one-42-default"] {
            let h = try HistogramCodec.decodeBase64(try #require(vectors[name]))
            #expect(h.totalCount == 1, "\(name)")
            #expect(h.mean == 42, "\(name)")
            #expect(h.min == 42 && h.max == 42 && h.valueAtPercentile(50) == 42, "\(name)")
            #expect(h.lowestDiscernibleValue == 1 && h.highestTrackableValue == 2 && h.numberOfSignificantValueDigits == .three)
        }

        let empty = try HistogramCodec.decodeBase64(try #require(vectors["empty-20-1000"]))
        #expect(empty.lowestDiscernibleValue == 20)
        #expect(empty.highestTrackableValue == 1000)
        #expect(empty.numberOfSignificantValueDigits == .three)
        #expect(empty.totalCount == 0)

        let big = try HistogramCodec.decodeBase64(try #require(vectors["big-10000"]))
        #expect(big.totalCount == 10000)
        // What the Python implementation reports for the same string (see the fixture's comment).
        #expect(big.lowestDiscernibleValue == 1 && big.highestTrackableValue == 131_071)
        #expect(big.max == 100_031)
        #expect([50.0, 90, 99, 99.9].map { big.valueAtPercentile($0) } == [50207, 90495, 99007, 99903])

        expectError(.unsupportedEncoding) { () throws(HistogramCodecError) in
            try HistogramCodec.decodeBase64(vectors["v1-rejected"] ?? "")
        }
    }

    /// The HISTFAAA strings of an HdrHistogram log, with the interval start times.
    private static func jHiccupIntervals() throws -> [String] {
        let text = try String(contentsOf: histogramFixtures.appendingPathComponent("jHiccup-2.0.7S.logV2.hlog"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("\"") }
            .compactMap { $0.split(separator: ",").last.map(String.init) }
    }

    @Test func javaJHiccupLogMatchesJavasAssertions() throws {
        let intervals = try Self.jHiccupIntervals()
        #expect(intervals.count == 38)
        // Java adds them into `new Histogram(3)`: auto-resizing, lowest 1; across layouts its `add`
        // re-records every count at its bucket's lowest value.
        var accumulated = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var total: UInt64 = 0
        for text in intervals {
            let h = try HistogramCodec.decodeBase64(text)
            #expect(h.lowestDiscernibleValue == 20000 && h.highestTrackableValue == 3_600_000_000_000)
            #expect(h.numberOfSignificantValueDigits == .two)
            total += h.totalCount
            for bucket in HistogramCodec.buckets(of: h) {
                let recorded = accumulated.record(bucket.value, count: bucket.count)
                #expect(recorded)
            }
        }
        #expect(total == 30874)
        #expect(accumulated.totalCount == 30874)
        #expect(accumulated.valueAtPercentile(99.9) == 956_825_599)
        #expect(accumulated.max == 981_991_423)
    }

    @Test func decodeLatencyRerecordsAForeignLayout() throws {
        // jHiccup's values are nanoseconds up to ~1 s: read as µs they still fit our 1 h range, and
        // our layout is Java's Histogram(3)'s, so decodeLatency must reproduce Java's numbers.
        var latency = LatencyHistogram()
        for text in try Self.jHiccupIntervals() { latency.add(try HistogramCodec.decodeLatency(text)) }
        #expect(latency.count == 30874)
        #expect(latency.clamped == 0)
        #expect(latency.value(atPercentile: 99.9) == .microseconds(956_825_599))
        #expect(latency.max == .microseconds(981_991_423))
    }

    @Test func decodeLatencyClampsAboveOneHour() throws {
        var wide = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1 << 40, numberOfSignificantValueDigits: .three)
        wide.record(500, count: 3)
        wide.record(5_000_000_000, count: (1 << 30) + 5) // above one hour
        let latency = try HistogramCodec.decodeLatency(HistogramCodec.encodeBase64(wide))
        #expect(latency.count == 3 + (1 << 30) + 5)
        #expect(latency.clamped == (1 << 30) + 5)
        #expect(latency.max == .microseconds(Int64(latency.histogram.highestEquivalentForValue(LatencyHistogram.highestMicroseconds))))
        #expect(latency.min == .microseconds(500))
    }

    // MARK: Pieces

    @Test func zigZagMatchesTheFormat() {
        func bytes(_ v: Int64) -> [UInt8] {
            var out = [UInt8]()
            HistogramCodec.ZigZag.append(v, to: &out)
            return out
        }
        #expect(bytes(0) == [0])
        #expect(bytes(-1) == [1])
        #expect(bytes(1) == [2])
        #expect(bytes(63) == [126])
        #expect(bytes(-64) == [127])
        #expect(bytes(64) == [0x80, 0x01])
        #expect(bytes(Int64.max).count == 9)
        #expect(bytes(Int64.min) == [UInt8](repeating: 0xFF, count: 9))
        var rng = CodecTestGenerator(state: 7)
        var values: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1]
        for shift in 0 ..< 64 { values += [Int64(bitPattern: 1 << UInt64(shift)), -Int64(bitPattern: (1 << UInt64(shift)) - 1)] }
        for _ in 0 ..< 1000 { values.append(Int64(bitPattern: rng.next()) >> Int64.random(in: 0 ... 63, using: &rng)) }
        var stream = [UInt8]()
        for v in values { HistogramCodec.ZigZag.append(v, to: &stream) }
        var position = 0
        for v in values { #expect(HistogramCodec.ZigZag.read(stream, at: &position, end: stream.count) == v) }
        #expect(position == stream.count)
        var cut = 0
        #expect(HistogramCodec.ZigZag.read([0x80, 0x80], at: &cut, end: 2) == nil)
    }

    @Test func base64MatchesRFC4648() throws {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(HistogramCodec.Base64.encode(Array(plain.utf8)) == encoded)
            #expect(try HistogramCodec.Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(try HistogramCodec.Base64.decode(" Zm9v\nYmE \r\n") == Array("fooba".utf8), "whitespace and missing padding are tolerated")
        for bad in ["Zm9v!", "Z", "Zm9vY", "Zg===", "Zg==Zg==", "=", "Zm-_"] {
            #expect(throws: HistogramCodecError.self, "\(bad)") { try HistogramCodec.Base64.decode(bad) }
        }
    }

    @Test(arguments: [(UInt64(1), UInt64(3_600_000_000), SignificantDigits.three), (1, 2, .zero), (20, 1000, .three),
                      (20000, 3_600_000_000_000, .two), (1000, UInt64(Int64.max), .five), (3, 1 << 62, .one)])
    func layoutMirrorsTheLibrary(lowest: UInt64, highest: UInt64, digits: SignificantDigits) {
        var h = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: digits)
        let layout = HistogramCodec.CountsLayout(of: h)
        var rng = CodecTestGenerator(state: highest)
        for _ in 0 ..< 2000 {
            let v = UInt64.random(in: 0 ... highest, using: &rng) >> UInt64.random(in: 0 ... 60, using: &rng)
            let index = layout.index(of: v)
            #expect(layout.value(at: index) == h.lowestEquivalentForValue(v), "value \(v)")
            #expect(layout.index(of: h.highestEquivalentForValue(v)) == index)
        }
        // The last index is recordable, the next is not: the lengths agree.
        let lastFits = h.record(layout.value(at: layout.countsLength - 1))
        let nextFits = h.record(layout.value(at: layout.countsLength))
        #expect(lastFits && !nextFits)
    }

    @Test func storedZlibFallbackIsAValidStream() throws {
        let payload = HistogramCodec.encodeUncompressed(latencyLayoutHistogram()) + [UInt8](repeating: 7, count: 150_000)
        #expect(try HistogramCodec.Zlib.decompress(HistogramCodec.Zlib.stored(payload)[...], limit: 1 << 20) == payload)
        #expect(try HistogramCodec.Zlib.decompress(HistogramCodec.Zlib.stored([])[...], limit: 10) == [])
    }

    // MARK: Malformed input

    @Test func malformedInputsThrow() throws {
        var h = latencyLayoutHistogram()
        h.record(1234, count: 5)
        let valid = HistogramCodec.encode(h)

        expectError(.truncated) { () throws(HistogramCodecError) in try HistogramCodec.decodeBase64("") }
        expectError(.invalidBase64) { () throws(HistogramCodecError) in try HistogramCodec.decodeBase64("HISTFAAA not base64!") }
        expectError(.truncated) { () throws(HistogramCodecError) in try HistogramCodec.decodeBase64("HISTFAAA") }
        expectError(.truncated) { () throws(HistogramCodecError) in try HistogramCodec.decode(Array(valid.dropLast(3))) }
        expectError(.truncated) { () throws(HistogramCodecError) in
            // The declared length still fits, but the zlib stream is cut short.
            var cut = Array(valid.dropLast(6))
            cut.replaceSubrange(4 ..< 8, with: withUnsafeBytes(of: UInt32(cut.count - 8).bigEndian, Array.init))
            return try HistogramCodec.decode(cut)
        }
        expectError(.unknownCookie) { () throws(HistogramCodecError) in try HistogramCodec.decode([0xDE, 0xAD, 0xBE, 0xEF] + valid.dropFirst(4)) }
        expectError(.unsupportedEncoding) { () throws(HistogramCodecError) in try HistogramCodec.decode([0x1C, 0x84, 0x93, 0x22] + valid.dropFirst(4)) }
        expectError(.unsupportedEncoding) { () throws(HistogramCodecError) in try HistogramCodec.decode([0x0C, 0x72, 0x12, 0x4F] + valid.dropFirst(4)) }
        expectError(.inflateFailed) { () throws(HistogramCodecError) in
            var corrupt = valid
            corrupt[8] = 0x00 // not a zlib header
            return try HistogramCodec.decode(corrupt)
        }
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(Array(valid.prefix(4)) + [0xFF, 0xFF, 0xFF, 0xFF] + valid.dropFirst(8)) }

        // Headers no histogram can have: each would trap in hdrhistogram-swift's initializer.
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(digits: 6, words: [1]))) }
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(digits: -1, words: [1]))) }
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(lowest: 0, words: [1]))) }
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(lowest: 100, highest: 150, words: [1]))) }
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(lowest: -5, words: [1]))) }
        expectError(.invalidHeader) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(digits: 5, lowest: 1 << 45, highest: .max, words: [1]))) }
        expectError(.truncated) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(words: [1], payloadLength: 50))) }
        expectError(.truncated) { () throws(HistogramCodecError) in
            // The payload length stops inside a six-byte varint.
            try HistogramCodec.decode(compressedV2(uncompressedV2(words: [1 << 40], payloadLength: 3)))
        }
        expectError(.countOutOfRange) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(highest: 1000, words: [-5000, 1]))) }
        expectError(.countOutOfRange) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(words: [-(1 << 40), 1]))) }
        expectError(.countsOverflow) { () throws(HistogramCodecError) in try HistogramCodec.decode(compressedV2(uncompressedV2(words: [.max, .max, .max]))) }
        expectError(.countsOverflow) { () throws(HistogramCodecError) in
            // 2^40 counts near 3·10^9 µs: the sum of values no longer fits 64 bits.
            try HistogramCodec.decode(compressedV2(uncompressedV2(words: [-23000, 1 << 40])))
        }
        // Trailing zero runs past the range are harmless (nothing is recorded there).
        let trailing = try HistogramCodec.decode(compressedV2(uncompressedV2(highest: 1000, words: [0, 4, -100_000])))
        #expect(trailing.totalCount == 4 && trailing.max == 1)
        // normalizingIndexOffset is a storage detail (HdrHistogramJS writes 1): ignored.
        #expect(try HistogramCodec.decode(compressedV2(uncompressedV2(offset: 3, words: [-42, 1]))).max == 42)
        // Uncompressed V2 is read too.
        #expect(try HistogramCodec.decode(HistogramCodec.encodeUncompressed(h)) == h)
    }

    @Test func zlibBombIsRefused() {
        // A header, then 64 MiB of zeros: about 64 kB compressed, one byte past the cap inflated.
        let inner = uncompressedV2(words: []) + [UInt8](repeating: 0, count: HistogramCodec.maximumDecompressedBytes + 1)
        let bomb = compressedV2(inner)
        #expect(bomb.count < 200_000)
        expectError(.tooLarge) { () throws(HistogramCodecError) in try HistogramCodec.decode(bomb) }
    }

    @Test func fuzzedInputsNeverCrash() {
        var rng = CodecTestGenerator(state: 0x5EED)
        var seeds: [[UInt8]] = []
        for values: [UInt64] in [[], [1], [1, 1000, 1_000_000, 3_600_000_000], Array(1 ... 300)] {
            var h = latencyLayoutHistogram()
            for v in values { h.record(v, count: v % 5 + 1) }
            seeds.append(HistogramCodec.encode(h))
            seeds.append(HistogramCodec.encodeUncompressed(h))
        }
        var decoded = 0, rejected = 0
        for iteration in 0 ..< 1000 {
            var bytes: [UInt8]
            switch iteration % 4 {
            case 0: // random bytes
                bytes = (0 ..< Int.random(in: 0 ... 200, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            case 1: // random bytes behind a valid cookie
                bytes = [0x1C, 0x84, 0x93, [0x14, 0x13, 0x04, 0x03].randomElement(using: &rng) ?? 0x14]
                bytes += (0 ..< Int.random(in: 0 ... 200, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            case 2: // a valid encoding with bytes flipped
                bytes = seeds.randomElement(using: &rng) ?? []
                for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) where !bytes.isEmpty {
                    bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] ^= UInt8.random(in: 1 ... 255, using: &rng)
                }
            default: // a valid encoding cut short, or a payload re-wrapped with a bad header field
                bytes = seeds.randomElement(using: &rng) ?? []
                if Bool.random(using: &rng) {
                    bytes = Array(bytes.prefix(Int.random(in: 0 ... bytes.count, using: &rng)))
                } else if bytes.count > 40, bytes[3] == 0x13 {
                    bytes[Int.random(in: 4 ..< 40, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
                    bytes = compressedV2(bytes)
                }
            }
            do {
                let h = try HistogramCodec.decode(bytes)
                _ = (h.totalCount, h.max, h.valueAtPercentile(99), h.mean)
                decoded += 1
            } catch {
                rejected += 1
            }
            // The base64 path, on text that is mostly not base64.
            let text = String(decoding: bytes.prefix(64).map { $0 & 0x7F }, as: UTF8.self)
            _ = try? HistogramCodec.decodeBase64(text)
            _ = try? HistogramCodec.decodeBase64(HistogramCodec.Base64.encode(bytes))
        }
        #expect(decoded + rejected == 1000)
        #expect(rejected > 500)
    }
}

// MARK: Golden output

/// Deterministic latency histograms (µs) whose encodings `histograms/stress-ci-encoded.json` holds,
/// for `bench/verify_histograms.py` to decode with another implementation.
private func goldenHistograms() -> [(name: String, histogram: LatencyHistogram)] {
    var overall = LatencyHistogram()
    for i: Int64 in 0 ..< 10_000 { overall.record(nanoseconds: (100 + (i * i * 7919) % 500_000) * 1000) }
    for _ in 0 ..< 5 { overall.record(nanoseconds: 7_200_000_000_000) } // two hours: clamped to one
    var linear = LatencyHistogram()
    for i: Int64 in 1 ... 1000 { linear.record(nanoseconds: i * 1_000_000) }
    return [("overall", overall), ("linear", linear), ("empty", LatencyHistogram())]
}

extension HistogramCodecTests {
    @Test func encoderOutputMatchesGoldenFixture() throws {
        let data = try Data(contentsOf: histogramFixtures.appendingPathComponent("stress-ci-encoded.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let histograms = try #require(json["histograms"] as? [String: Any])
        for (name, latency) in goldenHistograms() {
            let entry = try #require(histograms[name] as? [String: Any], "\(name)")
            let text = HistogramCodec.encodeBase64(latency)
            // Re-record on purpose only: a changed string means a changed encoder.
            #expect(entry["histogram"] as? String == text, "\(name): now encodes as \(text)")
            #expect(entry["count"] as? Int == Int(latency.count), "\(name)")
            let decoded = try HistogramCodec.decodeBase64(text)
            for (key, p) in [("p50_us", 50.0), ("p95_us", 95.0), ("p99_us", 99.0)] {
                #expect(entry[key] as? Int == Int(decoded.valueAtPercentile(p)), "\(name) \(key)")
            }
            #expect(entry["max_us"] as? Int == Int(decoded.max), "\(name)")
            let mean = try #require(entry["mean_us"] as? Double)
            #expect(abs(decoded.mean - mean) <= 1e-4 * Swift.max(1, mean), "\(name): mean \(decoded.mean)")
            // The latency view agrees (our layout maps onto itself).
            let latency = try HistogramCodec.decodeLatency(text)
            #expect(latency.value(atPercentile: 99) == .microseconds(Int64(decoded.valueAtPercentile(99))), "\(name)")
        }
    }
}
