extension HistogramCodec {
    /// Standard base64 (RFC 4648 §4, padded), the text form of HdrHistogram's compressed encoding.
    /// Kept here so the Metrics target needs no Foundation.
    enum Base64 {
        private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

        /// 255 marks a byte outside the alphabet.
        private static let sextets: [UInt8] = {
            var table = [UInt8](repeating: 255, count: 256)
            for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
            return table
        }()

        static func encode(_ bytes: [UInt8]) -> String {
            var out = [UInt8]()
            out.reserveCapacity((bytes.count + 2) / 3 * 4)
            var i = 0
            while i + 3 <= bytes.count {
                let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
                i += 3
            }
            switch bytes.count - i {
            case 1:
                let n = UInt32(bytes[i]) << 16
                out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
            case 2:
                let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
                out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
            default:
                break
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// Decodes `text`, ignoring ASCII whitespace (wrapped lines); padding is optional.
        static func decode(_ text: String) throws(HistogramCodecError) -> [UInt8] {
            var out = [UInt8]()
            out.reserveCapacity(text.utf8.count / 4 * 3)
            var accumulator: UInt32 = 0
            var pending = 0 // sextets in the accumulator
            var padding = 0
            for (offset, c) in text.utf8.enumerated() {
                switch c {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    continue
                case UInt8(ascii: "="):
                    padding += 1
                    guard padding <= 2 else { throw HistogramCodecError(.invalidBase64, "too much padding at offset \(offset)") }
                    continue
                default:
                    let sextet = sextets[Int(c)]
                    guard sextet != 255 else {
                        throw HistogramCodecError(.invalidBase64, "unexpected byte 0x\(String(c, radix: 16)) at offset \(offset)")
                    }
                    guard padding == 0 else { throw HistogramCodecError(.invalidBase64, "data after padding at offset \(offset)") }
                    accumulator = accumulator << 6 | UInt32(sextet)
                    pending += 1
                    if pending == 4 {
                        out += [UInt8(accumulator >> 16), UInt8(accumulator >> 8 & 255), UInt8(accumulator & 255)]
                        accumulator = 0
                        pending = 0
                    }
                }
            }
            switch pending {
            case 0:
                guard padding == 0 else { throw HistogramCodecError(.invalidBase64, "padding without data") }
            case 2:
                guard padding == 0 || padding == 2 else { throw HistogramCodecError(.invalidBase64, "wrong padding") }
                out.append(UInt8(accumulator >> 4 & 255))
            case 3:
                guard padding <= 1 else { throw HistogramCodecError(.invalidBase64, "wrong padding") }
                out += [UInt8(accumulator >> 10 & 255), UInt8(accumulator >> 2 & 255)]
            default:
                throw HistogramCodecError(.invalidBase64, "length is not a whole number of bytes")
            }
            return out
        }
    }
}
