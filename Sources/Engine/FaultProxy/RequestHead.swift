#if canImport(Glibc)
import Glibc
#endif

/// What the fault proxy needs of an HTTP/1.1 request head: how its body is framed, whether the
/// connection ends after it, the request index the load put in `x-stress-ci-request`, and where
/// that header's lines are, so they are left out when the head is forwarded.
///
/// Strict where framing is at stake (a malformed request line, a header line without a name, a
/// conflicting or non-numeric `Content-Length`: nil, and the proxy closes the connection),
/// lenient about the rest.
struct RequestHead {
    /// The header the load marks each request with; the target never sees it.
    static let indexHeader: StaticString = "x-stress-ci-request"

    /// `HEAD`: the response has no body, whatever its headers say.
    var isHEAD = false
    /// `CONNECT`, or a `Transfer-Encoding` body: the proxy relays the rest of the connection
    /// unchanged, both ways, without faults (the load engine never sends either).
    var tunnel = false
    /// The body's length (0: none).
    var contentLength = 0
    /// The connection ends after this exchange (`Connection: close`, or HTTP/1.0 without keep-alive).
    var close = false
    /// `Expect: 100-continue`: the client may hold its body back until it hears from the server.
    var expectsContinue = false
    /// The value of `x-stress-ci-request`, when it is a number.
    var requestIndex: Int?
    /// The byte ranges of the `x-stress-ci-request` lines (each with its CRLF).
    var stripped: [Range<Int>] = []

    /// The index just past the head's blank line in `bytes`, searching from `start`; nil when the
    /// head is not complete yet.
    static func end(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = max(0, start)
        while i + 3 < bytes.count {
            guard let base = bytes.baseAddress, let found = memchr(base + i, 13, bytes.count - i - 3) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(found))
            if bytes[at + 1] == 10 && bytes[at + 2] == 13 && bytes[at + 3] == 10 { return at + 4 }
            i = at + 1
        }
        return nil
    }

    /// Parses a complete head (through its blank line); nil when it is malformed.
    static func parse(_ head: UnsafeRawBufferPointer) -> RequestHead? {
        var result = RequestHead()
        guard let firstEnd = lineEnd(head, from: 0), parseRequestLine(UnsafeRawBufferPointer(rebasing: head[0..<firstEnd]), into: &result)
        else { return nil }
        let http10 = result.close
        result.close = false
        var keepAlive = false
        var start = firstEnd + 2
        while let end = lineEnd(head, from: start) {
            if end == start { break }  // the blank line
            let line = UnsafeRawBufferPointer(rebasing: head[start..<end])
            guard let header = Header(line) else { return nil }
            switch header.name.count {
            case 14 where HTTPBytes.equalsIgnoringCase(header.name, "content-length"):
                guard let length = decimal(header.value, maxDigits: 15),
                      result.contentLength == 0 || result.contentLength == length else { return nil }
                result.contentLength = length
            case 17 where HTTPBytes.equalsIgnoringCase(header.name, "transfer-encoding"):
                result.tunnel = true
            case 10 where HTTPBytes.equalsIgnoringCase(header.name, "connection"):
                if HTTPBytes.containsIgnoringCase(header.value, "close") { result.close = true }
                if HTTPBytes.containsIgnoringCase(header.value, "keep-alive") { keepAlive = true }
            case 6 where HTTPBytes.equalsIgnoringCase(header.name, "expect"):
                if HTTPBytes.containsIgnoringCase(header.value, "100-continue") { result.expectsContinue = true }
            case 19 where HTTPBytes.equalsIgnoringCase(header.name, indexHeader):
                result.requestIndex = decimal(header.value, maxDigits: 9)
                result.stripped.append(start..<(end + 2))
            default:
                break
            }
            start = end + 2
        }
        if http10 && !keepAlive { result.close = true }
        return result
    }

    // MARK: - Pieces

    /// The index of the CR of the CRLF ending the line that starts at `start`; nil if none (a
    /// bare LF is malformed).
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + start, 10, bytes.count - start) else { return nil }
        let lf = base.distance(to: UnsafeRawPointer(found))
        guard lf > start, bytes[lf - 1] == 13 else { return nil }
        return lf - 1
    }

    /// `METHOD SP target SP HTTP/1.x`; sets `isHEAD`, `tunnel` for CONNECT, and `close` for HTTP/1.0.
    private static func parseRequestLine(_ line: UnsafeRawBufferPointer, into result: inout RequestHead) -> Bool {
        guard let space = line.firstIndex(of: 32), space > 0, space <= 32 else { return false }
        for c in line[..<space] where !isTokenCharacter(c) { return false }
        let method = UnsafeRawBufferPointer(rebasing: line[..<space])
        guard let second = line[(space + 1)...].firstIndex(of: 32), second > space + 1 else { return false }
        for c in line[(space + 1)..<second] where c <= 32 || c == 127 { return false }
        let version = UnsafeRawBufferPointer(rebasing: line[(second + 1)...])
        guard version.count == 8, HTTPBytes.startsWith(version, "HTTP/1."), version[7] == 48 || version[7] == 49 else { return false }
        // Methods are case-sensitive.
        result.isHEAD = method.elementsEqual("HEAD".utf8)
        result.tunnel = method.elementsEqual("CONNECT".utf8)
        result.close = version[7] == 48
        return true
    }

    /// A header line split at its colon, the value without surrounding blanks.
    private struct Header {
        let name: UnsafeRawBufferPointer
        let value: UnsafeRawBufferPointer

        init?(_ line: UnsafeRawBufferPointer) {
            // A continuation line (obsolete folding) or a name with blanks is malformed.
            guard let colon = line.firstIndex(of: 58), colon > 0 else { return nil }
            for c in line[..<colon] where !RequestHead.isTokenCharacter(c) { return nil }
            var start = colon + 1
            var end = line.count
            while start < end && (line[start] == 32 || line[start] == 9) { start += 1 }
            while end > start && (line[end - 1] == 32 || line[end - 1] == 9) { end -= 1 }
            name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            value = UnsafeRawBufferPointer(rebasing: line[start..<end])
        }
    }

    /// A decimal number of 1…`maxDigits` digits and nothing else.
    private static func decimal(_ bytes: UnsafeRawBufferPointer, maxDigits: Int) -> Int? {
        guard !bytes.isEmpty, bytes.count <= maxDigits else { return nil }
        var n = 0
        for d in bytes {
            guard d >= 48 && d <= 57 else { return nil }
            n = n * 10 + Int(d - 48)
        }
        return n
    }

    /// RFC 9110's `tchar`: what a method or a header name is made of.
    private static func isTokenCharacter(_ c: UInt8) -> Bool {
        switch c {
        case 48...57, 65...90, 97...122: true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
        default: false
        }
    }
}
