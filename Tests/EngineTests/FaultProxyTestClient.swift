#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Engine

/// Why a test connection's step failed.
enum TestSocketError: Error, Equatable {
    case cannotConnect(Int32)
    case timedOut
    case closed
    case failed(Int32)
    case invalid
}

/// A response as read off the wire: its exact bytes, and its parts.
struct TestResponse {
    let raw: [UInt8]

    var status: Int {
        let line = raw.prefix(while: { $0 != 13 })
        return line.count >= 12 ? Int(String(decoding: line[line.startIndex + 9..<line.startIndex + 12], as: UTF8.self)) ?? 0 : 0
    }

    private var headEnd: Int {
        guard raw.count >= 4 else { return raw.count }
        for i in 0...(raw.count - 4) where raw[i] == 13 && raw[i + 1] == 10 && raw[i + 2] == 13 && raw[i + 3] == 10 {
            return i + 4
        }
        return raw.count
    }

    var head: String { String(decoding: raw[..<headEnd], as: UTF8.self) }
    var body: [UInt8] { Array(raw[headEnd...]) }

    /// A header's value (the first of that name).
    func header(_ name: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 && parts[0].lowercased() == name.lowercased() {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}

/// One blocking TCP connection to 127.0.0.1 for the tests; every read has a deadline. Used on
/// one thread (see `onThread`).
final class TestSocket {
    /// What the connection has for a reader.
    enum State: Equatable {
        case data
        case eof
        case failed(Int32)
        case nothing
    }

    let fd: CInt
    /// Bytes read past the last response (a pipelined one's).
    private var leftover: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSocketError.cannotConnect(errno) }
        var one: CInt = 1
        setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw TestSocketError.cannotConnect(code)
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, CInt(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestSocketError.failed(errno)
            }
            offset += n
        }
    }

    /// Waits up to `milliseconds` for something to read, and says what it is without taking it.
    func state(within milliseconds: Int) -> State {
        if !leftover.isEmpty { return .data }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(milliseconds)) > 0 else { return .nothing }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, CInt(MSG_PEEK | MSG_DONTWAIT))
        if n > 0 { return .data }
        if n == 0 { return .eof }
        return errno == EAGAIN ? .nothing : .failed(errno)
    }

    /// Reads one whole response (`toHEAD`: one without a body), within `seconds`.
    func response(toHEAD: Bool = false, within seconds: Double = 10) throws -> TestResponse {
        var parser = HTTPResponseParser()
        parser.reset(expectsBody: !toHEAD, captureBody: false)
        var raw: [UInt8] = []
        func feed(_ chunk: [UInt8]) throws -> Bool {
            var consumed = 0
            switch chunk.withUnsafeBytes({ parser.feed($0, endingAt: &consumed) }) {
            case .incomplete:
                raw += chunk
                return false
            case .invalid:
                throw TestSocketError.invalid
            case .complete:
                raw += chunk[..<consumed]
                leftover = Array(chunk[consumed...])
                return true
            }
        }
        if !leftover.isEmpty {
            let pending = leftover
            leftover = []
            if try feed(pending) { return TestResponse(raw: raw) }
        }
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let chunk = try read(until: deadline)
            if chunk.isEmpty {
                if case .complete = parser.finishAtClose() { return TestResponse(raw: raw) }
                throw TestSocketError.closed
            }
            if try feed(chunk) { return TestResponse(raw: raw) }
        }
    }

    /// Reads until the peer closes, within `seconds`.
    func readToEnd(within seconds: Double = 10) throws -> [UInt8] {
        var all = leftover
        leftover = []
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let chunk = try read(until: deadline)
            if chunk.isEmpty { return all }
            all += chunk
        }
    }

    /// Reads exactly `count` bytes within `seconds`.
    func read(exactly count: Int, within seconds: Double = 10) throws -> [UInt8] {
        var all = leftover
        leftover = []
        let deadline = Date().addingTimeInterval(seconds)
        while all.count < count {
            let chunk = try read(until: deadline)
            if chunk.isEmpty { throw TestSocketError.closed }
            all += chunk
        }
        return all
    }

    /// What one read returns ([]: the peer closed).
    private func read(until deadline: Date) throws -> [UInt8] {
        while true {
            let remaining = Int(deadline.timeIntervalSinceNow * 1000)
            guard remaining > 0 else { throw TestSocketError.timedOut }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(min(remaining, 1000))) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { return Array(buffer[..<n]) }
            if n == 0 { return [] }
            if errno == EINTR || errno == EAGAIN { continue }
            throw TestSocketError.failed(errno)
        }
    }
}

/// A GET request line and headers, with `extra` header lines (each ending in CRLF).
func getRequest(_ path: String, extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: upstream.test\r\nUser-Agent: stress-ci\r\n\(extra)\r\n"
}
