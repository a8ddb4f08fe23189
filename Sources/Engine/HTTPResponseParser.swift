import NIOCore

/// An incremental HTTP/1.1 response parser for the load generator's hot path: status line,
/// headers (`Content-Length`, `Transfer-Encoding: chunked`, `Connection`), and the body —
/// skipped, or kept when an expectation needs it. Bodies without a length end at the close.
///
/// One response at a time: the generator never pipelines, so bytes after a complete response
/// are ignored.
struct HTTPResponseParser {
    /// A complete response.
    struct Response {
        var status: Int
        /// The server asked to close the connection (or delimited the body by closing it).
        var close: Bool
        /// The body, when it was asked for.
        var body: [UInt8]?
    }

    enum Outcome {
        case incomplete
        case complete(Response)
        /// Not HTTP/1.x, or a malformed frame: the connection is unusable.
        case invalid
    }

    private enum State {
        case statusLine, headers, body(remaining: Int), chunkSize, chunkData(remaining: Int), chunkDataEnd, trailers, untilClose, done
    }

    private static let maxLine = 64 * 1024
    private static let maxCapturedBody = 1 << 20

    private var state = State.statusLine
    private var partialLine: [UInt8] = []
    private var status = 0
    private var contentLength: Int?
    private var chunked = false
    private var close = false
    private var http10 = false
    private var keepAliveHeader = false
    private var expectsBody = true
    private var capture = false
    private var body: [UInt8] = []
    /// Response bytes received since the last `reset`.
    private(set) var bytesReceived = 0

    init() {}

    /// Readies the parser for the response to the next request.
    mutating func reset(expectsBody: Bool, captureBody: Bool) {
        state = .statusLine
        partialLine.removeAll(keepingCapacity: true)
        status = 0
        contentLength = nil
        chunked = false
        close = false
        http10 = false
        keepAliveHeader = false
        self.expectsBody = expectsBody
        capture = captureBody
        body = []
        bytesReceived = 0
    }

    /// Consumes `buffer`; reports a complete response as soon as its last byte is read.
    mutating func feed(_ buffer: inout ByteBuffer) -> Outcome {
        bytesReceived += buffer.readableBytes
        while buffer.readableBytes > 0 {
            switch state {
            case .done:
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return .incomplete
            case .statusLine:
                guard let line = readLine(&buffer) else { return partialLine.count > Self.maxLine ? .invalid : .incomplete }
                if line.isEmpty { continue }  // tolerate stray CRLF between responses
                guard parseStatusLine(line) else { return .invalid }
                state = .headers
            case .headers:
                guard let line = readLine(&buffer) else { return partialLine.count > Self.maxLine ? .invalid : .incomplete }
                if line.isEmpty {
                    if let outcome = endOfHead() { return outcome }
                } else {
                    parseHeader(line)
                }
            case .body(let remaining):
                let n = min(remaining, buffer.readableBytes)
                consumeBody(&buffer, n)
                if n == remaining { return finish() }
                state = .body(remaining: remaining - n)
            case .chunkSize:
                guard let line = readLine(&buffer) else { return partialLine.count > Self.maxLine ? .invalid : .incomplete }
                guard let size = Self.parseChunkSize(line) else { return .invalid }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let n = min(remaining, buffer.readableBytes)
                consumeBody(&buffer, n)
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
            case .chunkDataEnd:
                guard let line = readLine(&buffer) else { return partialLine.count > 2 ? .invalid : .incomplete }
                guard line.isEmpty else { return .invalid }
                state = .chunkSize
            case .trailers:
                guard let line = readLine(&buffer) else { return partialLine.count > Self.maxLine ? .invalid : .incomplete }
                if line.isEmpty { return finish() }
            case .untilClose:
                consumeBody(&buffer, buffer.readableBytes)
            }
        }
        return .incomplete
    }

    /// The connection closed: completes a body delimited by the close; otherwise the response
    /// is incomplete.
    mutating func finishAtClose() -> Outcome {
        if case .untilClose = state { return finish() }
        return .incomplete
    }

    // MARK: - Pieces

    private mutating func finish() -> Outcome {
        state = .done
        let response = Response(status: status, close: close || (http10 && !keepAliveHeader), body: capture ? body : nil)
        return .complete(response)
    }

    /// Decides how the body is framed once the head is read; returns an outcome when the
    /// response is already complete.
    private mutating func endOfHead() -> Outcome? {
        if status >= 100 && status < 200 && status != 101 {
            // An interim response (100 Continue, 103 Early Hints): the real one follows.
            let keep = (expectsBody, capture, bytesReceived)
            reset(expectsBody: keep.0, captureBody: keep.1)
            bytesReceived = keep.2
            return nil
        }
        if !expectsBody || status == 204 || status == 304 || status == 101 { return finish() }
        if chunked { state = .chunkSize; return nil }
        if let contentLength {
            if contentLength == 0 { return finish() }
            state = .body(remaining: contentLength)
            return nil
        }
        close = true
        state = .untilClose
        return nil
    }

    private mutating func consumeBody(_ buffer: inout ByteBuffer, _ n: Int) {
        if capture && body.count < Self.maxCapturedBody, let bytes = buffer.readBytes(length: min(n, Self.maxCapturedBody - body.count)) {
            body.append(contentsOf: bytes)
            buffer.moveReaderIndex(forwardBy: n - bytes.count)
        } else {
            buffer.moveReaderIndex(forwardBy: n)
        }
    }

    /// The next line without its CRLF (or bare LF), or nil when it is not complete yet.
    private mutating func readLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if let rest = buffer.readBytes(length: buffer.readableBytes) { partialLine.append(contentsOf: rest) }
            return nil
        }
        let length = newline - view.startIndex + 1
        guard let bytes = buffer.readBytes(length: length) else { return nil }
        var line: [UInt8]
        if partialLine.isEmpty {
            line = bytes
        } else {
            line = partialLine
            line.append(contentsOf: bytes)
            partialLine.removeAll(keepingCapacity: true)
        }
        line.removeLast()  // \n
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    private mutating func parseStatusLine(_ line: [UInt8]) -> Bool {
        // HTTP/1.1 200 OK
        guard line.count >= 12, line.starts(with: Array("HTTP/1.".utf8)), line[8] == UInt8(ascii: " ") else { return false }
        http10 = line[7] == UInt8(ascii: "0")
        var code = 0
        for i in 9..<12 {
            let d = line[i]
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return false }
            code = code * 10 + Int(d - UInt8(ascii: "0"))
        }
        guard line.count == 12 || line[12] == UInt8(ascii: " ") else { return false }
        status = code
        return true
    }

    private mutating func parseHeader(_ line: [UInt8]) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = line[..<colon]
        var valueStart = colon + 1
        while valueStart < line.count && (line[valueStart] == 32 || line[valueStart] == 9) { valueStart += 1 }
        var valueEnd = line.count
        while valueEnd > valueStart && (line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9) { valueEnd -= 1 }
        let value = line[valueStart..<valueEnd]
        if Self.equalsIgnoringCase(name, "content-length") {
            var n = 0
            var digits = 0
            for d in value {
                guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9"), digits < 18 else { return }
                n = n * 10 + Int(d - UInt8(ascii: "0"))
                digits += 1
            }
            if digits > 0 { contentLength = n }
        } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
            if Self.containsIgnoringCase(value, "chunked") { chunked = true }
        } else if Self.equalsIgnoringCase(name, "connection") {
            if Self.containsIgnoringCase(value, "close") { close = true }
            if Self.containsIgnoringCase(value, "keep-alive") { keepAliveHeader = true }
        }
    }

    private static func parseChunkSize(_ line: [UInt8]) -> Int? {
        var n = 0
        var digits = 0
        for c in line {
            let v: Int
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int(c - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = Int(c - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                return digits > 0 ? n : nil
            default: return nil
            }
            guard digits < 15 else { return nil }
            n = n * 16 + v
            digits += 1
        }
        return digits > 0 ? n : nil
    }

    private static func lower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c
    }

    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercased: StaticString) -> Bool {
        guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
        return lowercased.withUTF8Buffer { target in
            var i = 0
            for b in bytes {
                if lower(b) != target[i] { return false }
                i += 1
            }
            return true
        }
    }

    private static func containsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercased: StaticString) -> Bool {
        lowercased.withUTF8Buffer { target in
            let n = target.count
            guard bytes.count >= n else { return false }
            let base = bytes.startIndex
            for start in 0...(bytes.count - n) {
                var j = 0
                while j < n && lower(bytes[base + start + j]) == target[j] { j += 1 }
                if j == n { return true }
            }
            return false
        }
    }
}
