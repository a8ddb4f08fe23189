#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Consumes bytes just read; reports a complete response as soon as its last byte is read.
    ///
    /// Parses in place over the bytes: nothing is allocated unless a line spans two reads or the
    /// body is captured.
    @inline(__always)
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        bytesReceived += bytes.count
        var consumed = 0
        return feed(bytes, consumed: &consumed)
    }

    /// `feed(_:)` that also tells where a complete response ended: `consumed` is how many of
    /// `bytes` belong to it (the fault proxy relays exactly those, then the next request goes).
    mutating func feed(_ bytes: UnsafeRawBufferPointer, endingAt consumed: inout Int) -> Outcome {
        bytesReceived += bytes.count
        consumed = 0
        return feed(bytes, consumed: &consumed)
    }

    private mutating func feed(_ raw: UnsafeRawBufferPointer, consumed i: inout Int) -> Outcome {
        let end = raw.count
        while i < end {
            switch state {
            case .done:
                i = end
                return .incomplete
            case .body(let remaining):
                let n = min(remaining, end - i)
                consumeBody(raw, from: i, count: n)
                i += n
                if n == remaining { return finish() }
                state = .body(remaining: remaining - n)
            case .chunkData(let remaining):
                let n = min(remaining, end - i)
                consumeBody(raw, from: i, count: n)
                i += n
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
            case .untilClose:
                consumeBody(raw, from: i, count: end - i)
                i = end
            case .statusLine, .headers, .chunkSize, .chunkDataEnd, .trailers:
                let start = i
                guard let newline = Self.index(of: UInt8(ascii: "\n"), in: raw, from: start) else {
                    partialLine.append(contentsOf: raw[start..<end])
                    i = end
                    let limit = if case .chunkDataEnd = state { 2 } else { Self.maxLine }
                    return partialLine.count > limit ? .invalid : .incomplete
                }
                i = newline + 1
                let outcome: Outcome?
                if partialLine.isEmpty {
                    outcome = line(UnsafeRawBufferPointer(rebasing: raw[start..<newline]))
                } else {
                    // A line that spans reads (rare): join it with its start.
                    var joined = partialLine
                    joined.append(contentsOf: raw[start..<newline])
                    partialLine.removeAll(keepingCapacity: true)
                    outcome = joined.withUnsafeBytes { line($0) }
                }
                if let outcome { return outcome }
            }
        }
        return .incomplete
    }

    /// Handles one line (without its LF) in a line-oriented state; an outcome ends the feed.
    private mutating func line(_ bytes: UnsafeRawBufferPointer) -> Outcome? {
        var line = bytes
        if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        switch state {
        case .statusLine:
            if line.isEmpty { return nil }  // tolerate stray CRLF between responses
            guard parseStatusLine(line) else { return .invalid }
            state = .headers
        case .headers:
            if line.isEmpty { return endOfHead() }
            parseHeader(line)
        case .chunkSize:
            guard let size = Self.parseChunkSize(line) else { return .invalid }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .chunkDataEnd:
            guard line.isEmpty else { return .invalid }
            state = .chunkSize
        case .trailers:
            if line.isEmpty { return finish() }
        case .body, .chunkData, .untilClose, .done:
            break
        }
        return nil
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

    private mutating func consumeBody(_ raw: UnsafeRawBufferPointer, from start: Int, count n: Int) {
        guard capture && body.count < Self.maxCapturedBody else { return }
        body.append(contentsOf: raw[start..<(start + min(n, Self.maxCapturedBody - body.count))])
    }

    private mutating func parseStatusLine(_ line: UnsafeRawBufferPointer) -> Bool {
        // HTTP/1.1 200 OK
        guard line.count >= 12, HTTPBytes.startsWith(line, "HTTP/1."), line[8] == UInt8(ascii: " ") else { return false }
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

    private mutating func parseHeader(_ line: UnsafeRawBufferPointer) {
        // Only three headers matter, of 10, 14 and 17 letters: skip the rest before trimming.
        guard let colon = Self.index(of: UInt8(ascii: ":"), in: line, from: 0), colon == 10 || colon == 14 || colon == 17 else { return }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        var valueStart = colon + 1
        while valueStart < line.count && (line[valueStart] == 32 || line[valueStart] == 9) { valueStart += 1 }
        var valueEnd = line.count
        while valueEnd > valueStart && (line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9) { valueEnd -= 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
        // Dispatch on the length first: most headers are none of the three.
        switch name.count {
        case 14 where HTTPBytes.equalsIgnoringCase(name, "content-length"):
            var n = 0
            var digits = 0
            for d in value {
                guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9"), digits < 18 else { return }
                n = n * 10 + Int(d - UInt8(ascii: "0"))
                digits += 1
            }
            if digits > 0 { contentLength = n }
        case 17 where HTTPBytes.equalsIgnoringCase(name, "transfer-encoding"):
            if HTTPBytes.containsIgnoringCase(value, "chunked") { chunked = true }
        case 10 where HTTPBytes.equalsIgnoringCase(name, "connection"):
            if HTTPBytes.containsIgnoringCase(value, "close") { close = true }
            if HTTPBytes.containsIgnoringCase(value, "keep-alive") { keepAliveHeader = true }
        default:
            break
        }
    }

    private static func parseChunkSize(_ line: UnsafeRawBufferPointer) -> Int? {
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

    /// The first `byte` at or after `start` (memchr: vectorized).
    @inline(__always)
    private static func index(of byte: UInt8, in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < raw.count, let base = raw.baseAddress,
              let found = memchr(base + start, Int32(byte), raw.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
