import Histogram

extension HistogramCodec {
    /// The counts-array geometry that HdrHistogram's encodings index by.
    ///
    /// Every HdrHistogram implementation (Java, C, Go, Rust, Python, hdrhistogram-swift) lays counts
    /// out the same way for the same lowest discernible value and precision: bucket 0 holds
    /// `subBucketCount` unit-wide slots, each later bucket the upper half of a bucket twice as wide.
    /// hdrhistogram-swift keeps its index arithmetic internal, so the codec mirrors it here.
    struct CountsLayout: Sendable, Equatable {
        /// log2 of the lowest discernible value, rounded down.
        let unitMagnitude: Int
        /// log2 of half the sub-bucket count.
        let subBucketHalfCountMagnitude: Int
        /// The length of the counts array for the histogram's highest trackable value.
        let countsLength: Int

        var subBucketHalfCount: Int { 1 << subBucketHalfCountMagnitude }
        var subBucketCount: Int { 2 << subBucketHalfCountMagnitude }

        /// `subBucketHalfCountMagnitude` for 0…5 significant digits: ⌈log2(2 · 10^digits)⌉ − 1,
        /// written out so no floating-point rounding can disagree with another implementation.
        static let halfCountMagnitudes = [0, 4, 7, 10, 14, 17]

        /// The layout of an existing histogram.
        init(of histogram: Histogram<UInt64>) {
            // Bucket 0's slots are 2^unitMagnitude wide: read it back rather than recompute the
            // library's floating-point log2.
            let unitMagnitude = histogram.sizeOfEquivalentRangeForValue(0).trailingZeroBitCount
            let halfMagnitude = Self.halfCountMagnitudes[Int(histogram.numberOfSignificantValueDigits.rawValue)]
            self.init(unitMagnitude: unitMagnitude, subBucketHalfCountMagnitude: halfMagnitude,
                      highestTrackableValue: histogram.highestTrackableValue)
        }

        init(unitMagnitude: Int, subBucketHalfCountMagnitude: Int, highestTrackableValue: UInt64) {
            self.unitMagnitude = unitMagnitude
            self.subBucketHalfCountMagnitude = subBucketHalfCountMagnitude
            // Buckets needed so the last one reaches past highestTrackableValue (as every implementation does).
            var smallestUntrackableValue = UInt64(2 << subBucketHalfCountMagnitude) << UInt64(unitMagnitude)
            var buckets = 1
            while smallestUntrackableValue <= highestTrackableValue {
                if smallestUntrackableValue > UInt64.max / 2 {
                    buckets += 1
                    break
                }
                smallestUntrackableValue <<= 1
                buckets += 1
            }
            countsLength = (buckets + 1) << subBucketHalfCountMagnitude
        }

        /// The lowest value counted at `index` (HdrHistogram's `valueFromIndex`). `index` must be ≥ 0.
        func value(at index: Int) -> UInt64 {
            var bucketIndex = (index >> subBucketHalfCountMagnitude) - 1
            var subBucketIndex = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
            if bucketIndex < 0 {
                subBucketIndex -= subBucketHalfCount
                bucketIndex = 0
            }
            let shift = bucketIndex + unitMagnitude
            return shift < 64 ? UInt64(subBucketIndex) << UInt64(shift) : .max
        }

        /// The index `value` is counted at (HdrHistogram's `countsArrayIndex`).
        func index(of value: UInt64) -> Int {
            let subBucketMask = UInt64(subBucketCount - 1) << UInt64(unitMagnitude)
            let leadingZeroCountBase = 64 - unitMagnitude - (subBucketHalfCountMagnitude + 1)
            let bucketIndex = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
            let subBucketIndex = Int(value >> UInt64(bucketIndex + unitMagnitude))
            return ((bucketIndex + 1) << subBucketHalfCountMagnitude) + subBucketIndex - subBucketHalfCount
        }
    }
}
