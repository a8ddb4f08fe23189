/// Why a histogram string or byte buffer could not be decoded by ``HistogramCodec``.
///
/// A struct wrapping a private code, so kinds can be added without breaking callers. Compare
/// ``kind`` with the static kinds (`error.kind == .truncated`); ``description`` says what was wrong.
public struct HistogramCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of problem.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Sendable, Hashable {
            case invalidBase64, unknownCookie, unsupportedEncoding, truncated, inflateFailed
            case tooLarge, invalidHeader, countOutOfRange, countsOverflow
        }
        private let code: Code

        /// The text is not standard (RFC 4648) base64.
        public static let invalidBase64 = Kind(code: .invalidBase64)
        /// The buffer does not start with an HdrHistogram cookie.
        public static let unknownCookie = Kind(code: .unknownCookie)
        /// An HdrHistogram encoding this codec does not read (V0/V1, DoubleHistogram).
        public static let unsupportedEncoding = Kind(code: .unsupportedEncoding)
        /// The buffer ends before the data it announces.
        public static let truncated = Kind(code: .truncated)
        /// The zlib stream is corrupt.
        public static let inflateFailed = Kind(code: .inflateFailed)
        /// The decompressed payload would exceed ``HistogramCodec/maximumDecompressedBytes``.
        public static let tooLarge = Kind(code: .tooLarge)
        /// The header's range or precision is not one a histogram can have.
        public static let invalidHeader = Kind(code: .invalidHeader)
        /// A count lies past the highest trackable value the header declares.
        public static let countOutOfRange = Kind(code: .countOutOfRange)
        /// The counts (or counts × values) do not fit in 64 bits.
        public static let countsOverflow = Kind(code: .countsOverflow)

        public var description: String {
            switch code {
            case .invalidBase64: "bad base64"
            case .unknownCookie: "unknown cookie"
            case .unsupportedEncoding: "unsupported encoding"
            case .truncated: "truncated"
            case .inflateFailed: "inflate failure"
            case .tooLarge: "too large"
            case .invalidHeader: "invalid header"
            case .countOutOfRange: "count out of range"
            case .countsOverflow: "counts overflow"
            }
        }
    }

    /// The class of problem.
    public let kind: Kind
    /// Specifics: offsets, the values found.
    public let detail: String

    init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "histogram: \(kind): \(detail)" }
}
