import Testing
@testable import Engine

/// Feeds `text` in pieces of `step` bytes; returns the outcome after the last piece and how many
/// pieces reported completion.
private func parse(_ text: String, step: Int, expectsBody: Bool = true, capture: Bool = true, close: Bool = false) -> HTTPResponseParser.Response? {
    var parser = HTTPResponseParser()
    parser.reset(expectsBody: expectsBody, captureBody: capture)
    let bytes = Array(text.utf8)
    var response: HTTPResponseParser.Response?
    var i = 0
    while i < bytes.count {
        let piece = Array(bytes[i..<min(bytes.count, i + step)])
        switch piece.withUnsafeBytes({ parser.feed($0) }) {
        case .complete(let r):
            #expect(response == nil, "completed twice")
            response = r
        case .invalid:
            return nil
        case .incomplete:
            break
        }
        i += step
    }
    if close, response == nil, case .complete(let r) = parser.finishAtClose() { response = r }
    return response
}

@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    @Test(arguments: [1, 2, 3, 7, 1000])
    func contentLength(step: Int) {
        let r = parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 5\r\n\r\nhello", step: step)
        #expect(r?.status == 200)
        #expect(r?.body == Array("hello".utf8))
        #expect(r?.close == false)
    }

    @Test(arguments: [1, 2, 5, 1000])
    func chunked(step: Int) {
        let text = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nB\r\n big world!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        let r = parse(text, step: step)
        #expect(r?.status == 201)
        #expect(r.map { String(decoding: $0.body ?? [], as: UTF8.self) } == "hello big world!")
    }

    @Test func connectionCloseAndHTTP10() {
        #expect(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", step: 100)?.close == true)
        #expect(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", step: 100)?.close == true)
        #expect(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", step: 100)?.close == false)
    }

    @Test func bodyUntilClose() {
        #expect(parse("HTTP/1.1 200 OK\r\n\r\nstreamed", step: 3) == nil)
        let r = parse("HTTP/1.1 200 OK\r\n\r\nstreamed", step: 3, close: true)
        #expect(r?.body == Array("streamed".utf8))
        #expect(r?.close == true)
    }

    @Test func noBodyResponses() {
        #expect(parse("HTTP/1.1 204 No Content\r\n\r\n", step: 4)?.status == 204)
        #expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", step: 4, expectsBody: false)?.status == 200)
        // An interim 100 Continue is skipped.
        #expect(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", step: 5)?.status == 200)
    }

    @Test func garbageIsInvalid() {
        var parser = HTTPResponseParser()
        parser.reset(expectsBody: true, captureBody: false)
        let bytes = Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)
        guard case .invalid = bytes.withUnsafeBytes({ parser.feed($0) }) else {
            Issue.record("expected invalid")
            return
        }
    }
}
