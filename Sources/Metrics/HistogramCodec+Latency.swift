import Histogram

extension HistogramCodec {
    /// Decodes into our latency range (µs, 1 µs…1 h, 3 digits), re-recording values.
    ///
    /// Each bucket's count is recorded at the lowest value of the bucket, as HdrHistogram's `add`
    /// does between histograms of different layouts, so a histogram already in our layout keeps its
    /// counts exactly; one count of the highest bucket goes to the top of its bucket, where Java
    /// reports the maximum. Values above one hour are clamped and counted in `clamped`, values
    /// below 1 µs count as 1 µs, as for ``LatencyHistogram/record(nanoseconds:)``.
    ///
    /// `limits` caps what the decoding may allocate (see ``Limits``).
    public static func decodeLatency(_ text: String, limits: Limits = Limits()) throws(HistogramCodecError) -> LatencyHistogram {
        try LatencyHistogram(rerecording: decodeBase64(text, limits: limits))
    }

    /// The non-zero counts of `h`, each at the lowest value of its bucket, in value order.
    static func buckets(of h: Histogram<UInt64>) -> [(value: UInt64, count: UInt64)] {
        let layout = CountsLayout(of: h)
        return denseCounts(of: h).enumerated().compactMap { index, count in
            count == 0 ? nil : (layout.value(at: index), count)
        }
    }
}

extension LatencyHistogram {
    /// A latency histogram holding `source`'s counts, each re-recorded at its bucket's lowest value.
    ///
    /// Throws ``HistogramCodecError/Kind/countsOverflow`` when the counts times their values would
    /// overflow the 64-bit sums hdrhistogram-swift keeps when iterating.
    init(rerecording source: Histogram<UInt64>) throws(HistogramCodecError) {
        var result = LatencyHistogram(digits: .three)
        let highest = Self.highestMicroseconds
        // One past the range still reads as "above one hour", so `record` clamps and counts it.
        var buckets = HistogramCodec.buckets(of: source).map { (value: Swift.min($0.value, highest + 1), count: $0.count) }
        // hdrhistogram-swift caps percentiles at the largest value recorded: put one count of the
        // highest bucket at the top of its (target) bucket, where Java's `getMaxValue` is.
        if let top = buckets.last, top.value <= highest {
            buckets.removeLast()
            if top.count > 1 { buckets.append((top.value, top.count - 1)) }
            buckets.append((Swift.min(result.histogram.highestEquivalentForValue(top.value), highest), 1))
        }

        var valueSum: UInt64 = 0
        for (value, count) in buckets {
            let landsAt = result.histogram.highestEquivalentForValue(Swift.min(Swift.max(value, 1), highest))
            let (weighted, productOverflow) = count.multipliedReportingOverflow(by: landsAt)
            let (sum, sumOverflow) = valueSum.addingReportingOverflow(weighted)
            guard !productOverflow, !sumOverflow else {
                throw HistogramCodecError(.countsOverflow, "the sum of values exceeds 64 bits in the latency range")
            }
            valueSum = sum
        }

        var counts = result.histogram
        var clamped: UInt64 = 0
        for (value, count) in buckets {
            if value > highest { clamped += count }
            _ = counts.record(Swift.min(Swift.max(value, 1), highest), count: count)
        }
        result = LatencyHistogram(histogram: counts, clamped: clamped)
        self = result
    }
}
