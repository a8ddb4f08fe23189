import Foundation
import Synchronization
import Testing

/// A minimal HTTP/1.1 server on 127.0.0.1 for the control tests: it answers every request 200 and
/// records when each arrived, so a test can see when the load sent nothing. A thread per
/// connection, plain blocking sockets: nothing of stress-ci's own in the way.
final class ArrivalServer: Sendable {
    let port: Int
    private let listener: Int32
    private let arrivals = Mutex<[ContinuousClock.Instant]>([])
    private let stopped = Atomic<Bool>(false)

    init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = listener
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound, listen(listener, 64) == 0 else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// When each request arrived, in order.
    var times: [ContinuousClock.Instant] { arrivals.withLock { $0 } }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if stopped.load(ordering: .relaxed) { return }
                continue
            }
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    /// Answers each request head as it completes (the load sends GETs without bodies).
    private func serve(_ fd: Int32) {
        defer { close(fd) }
        let answer = Array("HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok".utf8)
        let blank = Array("\r\n\r\n".utf8)
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return }
            pending += chunk[0..<n]
            while let end = Self.find(blank, in: pending) {
                arrivals.withLock { $0.append(.now) }
                pending.removeFirst(end + blank.count)
                if answer.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) < 0 { return }
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// One HTTP exchange with the control server, on a connection of its own (`connection: close`).
struct ControlHTTP {
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    let port: Int

    /// Sends one request and reads the answer to its end (or until `limit` says enough was read).
    func send(_ method: String = "GET", _ target: String, headers: [String: String] = [:], timeout: Int = 10,
              until limit: (@Sendable (String) -> Bool)? = nil) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
        var head = "\(method) \(target) HTTP/1.1\r\nhost: 127.0.0.1:\(port)\r\nconnection: close\r\ncontent-length: 0\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw POSIXError(.EIO) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            received += chunk[0..<n]
            if let limit, limit(String(decoding: received, as: UTF8.self)) { break }
        }
        return try Self.parse(String(decoding: received, as: UTF8.self))
    }

    private static func parse(_ text: String) throws -> Reply {
        guard let split = text.range(of: "\r\n\r\n") else { throw POSIXError(.EBADMSG) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw POSIXError(.EBADMSG) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

/// Runs `stress-ci run … --control 127.0.0.1:0` and finds the control port in its stderr.
struct ControlledRun {
    let process: CLIProcess
    let http: ControlHTTP
    let out: URL

    init(_ scenario: String, extra: [String] = [], environment: [String: String] = [:]) async throws {
        let out = try temporaryDirectory()
        let process = try CLIProcess(["run", scenario, "--out", out.path, "--store", out.appendingPathComponent("store").path,
                                      "--control", "127.0.0.1:0"] + extra, environment: environment)
        let marker = "stress-ci: control on http://127.0.0.1:"
        let listening = await process.waitForStderr(containing: marker, timeout: .seconds(60))
        try #require(listening, "no control line in: \(process.stderr)")
        let rest = process.stderr.components(separatedBy: marker)[1]
        let port = try #require(Int(rest.prefix { $0.isNumber }))
        self.process = process
        self.http = ControlHTTP(port: port)
        self.out = out
    }

    /// Polls `/status` until `condition` holds (or `timeout` passes); the last status.
    func status(within timeout: Duration = .seconds(30), headers: [String: String] = [:],
                until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try http.send("GET", "/status", headers: headers).json
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    var resultJSON: [String: Any] {
        get throws {
            let data = try Data(contentsOf: out.appendingPathComponent("result.json"))
            return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// `status["total"]["requests"]` and the like.
    func int(_ object: String, _ key: String) -> Int? { (self[object] as? [String: Any])?[key] as? Int }
    var state: String? { self["state"] as? String }
}
