import Histogram

/// HdrHistogram's standard compressed V2 encoding: the `HISTFAAA…` base64 strings that
/// HdrHistogram's Java, C, Go, Python, Rust and JavaScript libraries write and read (README, *Results store and baselines*).
///
/// Layout (all integers big-endian):
///
/// ```
/// compressed:   cookie 0x1c849314 (int32) | length of the zlib stream (int32) | zlib stream
/// uncompressed: cookie 0x1c849313 (int32) | payload length in bytes (int32)
///               | normalizingIndexOffset (int32, 0) | significant digits (int32)
///               | lowestDiscernibleValue (int64) | highestTrackableValue (int64)
///               | integerToDoubleValueConversionRatio (float64, 1.0) | payload
/// payload:      the counts array, index 0 up to the maximum's index, as ZigZag LEB128 varints;
///               a run of N > 1 zero counts is written as the single value −N.
/// ```
///
/// The cookies' bases are 0x1c849304 / 0x1c849303; the 0x10 in the word-size nibble marks the
/// varint payload (readers mask the nibble off). Strings start "HISTFAAA" while the zlib stream is
/// under 64 KiB. Encoding is byte-identical to Java's `encodeIntoCompressedByteBuffer` at its
/// default level (checked against HdrHistogram 2.1.11: `Tests/Fixtures/histograms`).
///
/// Decoding rebuilds a histogram with the encoded range and precision, whatever they are;
/// ``decodeLatency(_:)`` maps into stress-ci's own range.
public enum HistogramCodec {
    /// The most bytes a compressed histogram may decompress to (64 MiB). The largest histogram
    /// HdrHistogram can describe (5 digits over the whole 63-bit range) needs about 57 MiB.
    public static let maximumDecompressedBytes = 64 << 20

    /// Caps on what decoding one histogram may allocate, for input that may be hostile (a stored
    /// result file). The defaults accept every histogram HdrHistogram can describe.
    public struct Limits: Sendable, Hashable {
        /// The most bytes the zlib stream may inflate to.
        public var decompressedBytes: Int
        /// The longest counts array the header's range and precision may ask for (8 bytes each).
        public var countsLength: Int

        /// Limits as given.
        public init(decompressedBytes: Int = HistogramCodec.maximumDecompressedBytes, countsLength: Int = .max) {
            self.decompressedBytes = decompressedBytes
            self.countsLength = countsLength
        }
    }

    static let compressedCookieBase: UInt32 = 0x1C84_9304
    static let uncompressedCookieBase: UInt32 = 0x1C84_9303
    static let varintWordSizeFlag: UInt32 = 0x10
    static let headerSize = 40

    // MARK: Encoding

    /// Compressed V2, base64 ("HISTFAAA…").
    public static func encodeBase64(_ h: LatencyHistogram) -> String {
        encodeBase64(h.histogram)
    }

    /// Compressed V2 of any histogram, base64 ("HISTFAAA…").
    public static func encodeBase64(_ h: Histogram<UInt64>) -> String {
        Base64.encode(encode(h))
    }

    /// Compressed V2 bytes: the compressed header, then zlib of the uncompressed V2 encoding.
    public static func encode(_ h: Histogram<UInt64>) -> [UInt8] {
        let compressed = Zlib.compress(encodeUncompressed(h))
        var out = [UInt8]()
        out.reserveCapacity(8 + compressed.count)
        appendBigEndian(compressedCookieBase | varintWordSizeFlag, to: &out)
        appendBigEndian(UInt32(compressed.count), to: &out)
        out += compressed
        return out
    }

    /// Uncompressed V2 bytes (header and varint payload).
    ///
    /// A `highestTrackableValue` or count above `Int64.max` (the format's signed 64 bits) is written
    /// as `Int64.max`.
    static func encodeUncompressed(_ h: Histogram<UInt64>) -> [UInt8] {
        var payload = [UInt8]()
        var pendingZeros: Int64 = 0
        func flushZeros() {
            // A lone zero is cheaper as itself; a run as its negated length.
            if pendingZeros == 1 { ZigZag.append(0, to: &payload) }
            if pendingZeros > 1 { ZigZag.append(-pendingZeros, to: &payload) }
            pendingZeros = 0
        }
        for count in denseCounts(of: h) {
            if count == 0 {
                pendingZeros += 1
            } else {
                flushZeros()
                ZigZag.append(Int64(clamping: count), to: &payload)
            }
        }
        flushZeros()

        var out = [UInt8]()
        out.reserveCapacity(headerSize + payload.count)
        appendBigEndian(uncompressedCookieBase | varintWordSizeFlag, to: &out)
        appendBigEndian(UInt32(payload.count), to: &out)
        appendBigEndian(UInt32(0), to: &out) // normalizingIndexOffset
        appendBigEndian(UInt32(h.numberOfSignificantValueDigits.rawValue), to: &out)
        appendBigEndian(h.lowestDiscernibleValue, to: &out)
        appendBigEndian(UInt64(Int64(clamping: h.highestTrackableValue)), to: &out)
        appendBigEndian((1.0 as Double).bitPattern, to: &out) // integerToDoubleValueConversionRatio
        out += payload
        return out
    }

    /// The counts array from index 0 through the maximum's index (one zero for an empty histogram).
    static func denseCounts(of h: Histogram<UInt64>) -> [UInt64] {
        let layout = CountsLayout(of: h)
        // `max` is the highest value equivalent to the largest recorded one: same index.
        let limit = layout.index(of: h.max) + 1
        return (0 ..< limit).map { h.countForValue(layout.value(at: $0)) }
    }

    // MARK: Decoding

    /// Decodes a base64 compressed V2 string (surrounding whitespace is ignored).
    public static func decodeBase64(_ text: String, limits: Limits = Limits()) throws(HistogramCodecError) -> Histogram<UInt64> {
        try decode(Base64.decode(text), limits: limits)
    }

    /// Decodes compressed V2 bytes (the uncompressed V2 form is accepted too), refusing
    /// (``HistogramCodecError/Kind/tooLarge``) what would allocate more than `limits` allow.
    ///
    /// The histogram has the encoded lowest discernible value, highest trackable value and
    /// precision, and the encoded counts. The format keeps counts per bucket, not the exact values
    /// recorded, so, as Java's decoder does, `min` reads as the bottom of its bucket and `max` and
    /// the percentiles as the top of theirs.
    public static func decode(_ bytes: [UInt8], limits: Limits = Limits()) throws(HistogramCodecError) -> Histogram<UInt64> {
        guard bytes.count >= 4 else { throw HistogramCodecError(.truncated, "\(bytes.count) bytes, no cookie") }
        let cookie = readBigEndian32(bytes, at: 0)
        switch cookie & ~0xF0 {
        case compressedCookieBase:
            guard bytes.count >= 8 else { throw HistogramCodecError(.truncated, "no compressed length") }
            let length = Int(Int32(bitPattern: readBigEndian32(bytes, at: 4)))
            guard length > 0 else { throw HistogramCodecError(.invalidHeader, "compressed length \(length)") }
            guard length <= bytes.count - 8 else {
                throw HistogramCodecError(.truncated, "compressed length \(length) but \(bytes.count - 8) bytes follow")
            }
            let inner = try Zlib.decompress(bytes[8 ..< 8 + length], limit: min(limits.decompressedBytes, maximumDecompressedBytes))
            return try decodeUncompressed(inner, limits: limits)
        case uncompressedCookieBase:
            return try decodeUncompressed(bytes, limits: limits)
        case 0x1C84_9301, 0x1C84_9302, 0x1C84_9308, 0x1C84_9309:
            throw HistogramCodecError(.unsupportedEncoding,
                                      "cookie 0x\(hex(cookie)) is the older V0/V1 encoding; re-encode it with a current HdrHistogram")
        default:
            if cookie == 0x0C72_124E || cookie == 0x0C72_124F {
                throw HistogramCodecError(.unsupportedEncoding, "cookie 0x\(hex(cookie)) is a DoubleHistogram")
            }
            throw HistogramCodecError(.unknownCookie, "cookie 0x\(hex(cookie)) is not an HdrHistogram encoding")
        }
    }

    static func decodeUncompressed(_ bytes: [UInt8], limits: Limits = Limits()) throws(HistogramCodecError) -> Histogram<UInt64> {
        guard bytes.count >= headerSize else {
            throw HistogramCodecError(.truncated, "\(bytes.count) bytes, shorter than the \(headerSize)-byte header")
        }
        let cookie = readBigEndian32(bytes, at: 0)
        guard cookie & ~0xF0 == uncompressedCookieBase else {
            throw HistogramCodecError(.unknownCookie, "payload cookie 0x\(hex(cookie)) is not V2")
        }
        let payloadLength = Int(Int32(bitPattern: readBigEndian32(bytes, at: 4)))
        // bytes 8..<12: normalizingIndexOffset, where Java's shifted histograms keep their counts
        // array rotated. The payload is always in logical order, so it is ignored, as the Go,
        // Python and JavaScript readers do (HdrHistogramJS even writes 1 there).
        let digits = Int(Int32(bitPattern: readBigEndian32(bytes, at: 12)))
        let lowest = Int64(bitPattern: readBigEndian64(bytes, at: 16))
        let highest = Int64(bitPattern: readBigEndian64(bytes, at: 24))
        // bytes 32..<40: integerToDoubleValueConversionRatio, meaningful only to DoubleHistogram.

        guard payloadLength >= 0 else { throw HistogramCodecError(.invalidHeader, "payload length \(payloadLength)") }
        guard payloadLength <= bytes.count - headerSize else {
            throw HistogramCodecError(.truncated, "payload length \(payloadLength) but \(bytes.count - headerSize) bytes follow the header")
        }
        guard let layout = validLayout(digits: digits, lowest: lowest, highest: highest) else {
            throw HistogramCodecError(.invalidHeader,
                                      "lowest \(lowest), highest \(highest), \(digits) digits is not a valid histogram range")
        }
        guard layout.countsLength <= limits.countsLength else {
            throw HistogramCodecError(.tooLarge, "the header's range needs \(layout.countsLength) counts, more than the \(limits.countsLength) allowed")
        }
        guard let precision = SignificantDigits(rawValue: Int8(digits)) else {
            throw HistogramCodecError(.invalidHeader, "\(digits) significant digits")
        }
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: UInt64(lowest), highestTrackableValue: UInt64(highest),
                                          numberOfSignificantValueDigits: precision)
        guard CountsLayout(of: histogram) == layout else {
            throw HistogramCodecError(.invalidHeader, "lowest \(lowest) has no exact bucket layout")
        }
        try fillCounts(from: bytes, payloadEnd: headerSize + payloadLength, layout: layout, into: &histogram)
        return histogram
    }

    /// The layout for a header's range, or nil where hdrhistogram-swift would refuse it (its
    /// initializer traps, so every precondition is checked here first).
    private static func validLayout(digits: Int, lowest: Int64, highest: Int64) -> CountsLayout? {
        guard (0 ... 5).contains(digits), lowest >= 1, lowest <= Int64.max / 2, highest >= 2 * lowest else { return nil }
        let unitMagnitude = 63 - UInt64(lowest).leadingZeroBitCount
        let halfMagnitude = CountsLayout.halfCountMagnitudes[digits]
        // The library allows a sum of 61 but takes log2 in floating point, which can round up by one.
        guard unitMagnitude + halfMagnitude <= 60 else { return nil }
        return CountsLayout(unitMagnitude: unitMagnitude, subBucketHalfCountMagnitude: halfMagnitude,
                            highestTrackableValue: UInt64(highest))
    }

    private static func fillCounts(from bytes: [UInt8], payloadEnd: Int, layout: CountsLayout,
                                   into histogram: inout Histogram<UInt64>) throws(HistogramCodecError) {
        var position = headerSize
        var index = 0
        var total: UInt64 = 0
        // hdrhistogram-swift's iterators (behind `mean`, `recordedValues()`…) sum count × value with
        // trapping arithmetic: refuse what would overflow there rather than crash later.
        var valueSum: UInt64 = 0
        var topValue: UInt64?
        while position < payloadEnd {
            guard let word = ZigZag.read(bytes, at: &position, end: payloadEnd) else {
                throw HistogramCodecError(.truncated, "a count is cut off at payload offset \(position - headerSize)")
            }
            if word < 0 {
                let zeros = word.magnitude
                guard zeros <= UInt64(Int32.max) else {
                    throw HistogramCodecError(.countOutOfRange, "a run of \(zeros) zero counts")
                }
                index += Int(zeros) // at most 2^31 per payload byte: no overflow for any payload in memory
                continue
            }
            if word > 0 {
                guard index < layout.countsLength else {
                    throw HistogramCodecError(.countOutOfRange,
                                              "a count at index \(index), past the \(layout.countsLength) the header's range has")
                }
                let count = UInt64(word)
                let value = layout.value(at: index)
                let (newTotal, totalOverflow) = total.addingReportingOverflow(count)
                let (weighted, productOverflow) = count.multipliedReportingOverflow(by: histogram.highestEquivalentForValue(value))
                let (newSum, sumOverflow) = valueSum.addingReportingOverflow(weighted)
                guard !totalOverflow, !productOverflow, !sumOverflow else {
                    throw HistogramCodecError(.countsOverflow, "the counts' total or sum of values exceeds 64 bits at index \(index)")
                }
                guard histogram.record(value, count: count) else {
                    throw HistogramCodecError(.countOutOfRange, "value \(value) does not fit the histogram")
                }
                total = newTotal
                valueSum = newSum
                topValue = value
            }
            index += 1
        }
        // hdrhistogram-swift caps percentiles at the largest value recorded; Java reports the top
        // of the highest bucket. A zero count at that value (same bucket) sets the cap there.
        if let topValue {
            histogram.record(histogram.highestEquivalentForValue(topValue), count: 0)
        }
    }

    // MARK: Bytes

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func readBigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0 ..< 4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    private static func readBigEndian64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0 ..< 8).reduce(0) { $0 << 8 | UInt64(bytes[offset + $1]) }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
