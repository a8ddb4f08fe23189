extension HistogramCodec {
    /// ZigZag LEB128-64b9B, the variable-length integers of HdrHistogram's V2 payload.
    ///
    /// ZigZag maps signed to unsigned (0, −1, 1, −2 … → 0, 1, 2, 3 …); LEB128 writes seven bits a byte,
    /// low group first, the high bit flagging a following byte. The "64b9B" variant stops at nine
    /// bytes: the ninth carries the last eight bits whole, so no 64-bit value needs a tenth.
    enum ZigZag {
        /// Appends `value` in at most nine bytes.
        static func append(_ value: Int64, to bytes: inout [UInt8]) {
            var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
            for _ in 0 ..< 8 {
                if v < 0x80 {
                    bytes.append(UInt8(v))
                    return
                }
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(truncatingIfNeeded: v))
        }

        /// Reads one value starting at `position`, advancing it; `nil` if it would run past `end`.
        static func read(_ bytes: [UInt8], at position: inout Int, end: Int) -> Int64? {
            var raw: UInt64 = 0
            for group in 0 ..< 8 {
                guard position < end else { return nil }
                let byte = bytes[position]
                position += 1
                raw |= UInt64(byte & 0x7F) << UInt64(7 * group)
                if byte & 0x80 == 0 { return decode(raw) }
            }
            guard position < end else { return nil }
            raw |= UInt64(bytes[position]) << 56
            position += 1
            return decode(raw)
        }

        private static func decode(_ raw: UInt64) -> Int64 {
            Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }
    }
}
