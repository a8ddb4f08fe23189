import Foundation

extension HistogramCodec {
    /// Standard base64 (RFC 4648 §4, padded), the text form of HdrHistogram's compressed
    /// encoding: Foundation's, with ASCII whitespace (wrapped lines) ignored and padding optional
    /// when reading, as HdrHistogram's own libraries accept.
    enum Base64 {
        static func encode(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString()
        }

        /// Decodes `text`; anything that is not base64 is `.invalidBase64`.
        static func decode(_ text: String) throws(HistogramCodecError) -> [UInt8] {
            var compact = String(String.UnicodeScalarView(text.unicodeScalars.filter { !" \t\n\r".unicodeScalars.contains($0) }))
            // Padding only at the end, and at most two (Foundation's decoder is laxer there).
            let padding = compact.utf8.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, !compact.utf8.dropLast(padding).contains(UInt8(ascii: "=")) else {
                throw HistogramCodecError(.invalidBase64, "misplaced padding")
            }
            switch compact.utf8.count % 4 {
            case 2 where !compact.hasSuffix("="): compact += "=="
            case 3 where !compact.hasSuffix("="): compact += "="
            default: break
            }
            guard let data = Data(base64Encoded: compact) else {
                throw HistogramCodecError(.invalidBase64, "not base64 (RFC 4648 §4): \(compact.utf8.count) characters")
            }
            return [UInt8](data)
        }
    }
}
