import Core
import Foundation

/// `run --control ADDR:PORT`: where the control server listens (README, *Live control and dashboard*).
/// `127.0.0.1:0`, `[::1]:8089`, `localhost:0`, `0.0.0.0:8089`; port 0 picks a free one.
public struct ControlAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host as given, without IPv6 brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `ADDR:PORT` (an IPv6 address in brackets); a bad one is a usage error (64).
    public init(parsing text: String) throws(StressError) {
        let bad = StressError(.usage, "--control expects ADDR:PORT, got `\(text)`",
                              hint: "e.g. --control 127.0.0.1:0 (port 0 picks a free one) or --control [::1]:8089")
        guard let colon = text.lastIndex(of: ":") else { throw bad }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { throw bad }
        } else if host.contains(":") {
            throw bad  // an IPv6 address needs its brackets
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") }),
            !portText.isEmpty, portText.utf8.allSatisfy({ (48...57).contains($0) }), portText.count <= 5,
            let port = Int(portText), port <= 65535
        else { throw bad }
        self.init(host: host, port: port)
    }

    /// 127.0.0.0/8, `::1` or `localhost`: reachable from this machine only.
    public var isLoopback: Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { "\(Self.bracketed(host)):\(port)" }

    /// The base URL at `port` (the one actually bound).
    public func url(port: Int) -> String { "http://\(Self.bracketed(host)):\(port)/" }

    private static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

/// How `run` serves live control: the address and the token every request must carry.
public struct ControlSettings: Sendable {
    /// The environment variable the CLI reads the token from.
    public static let tokenVariable = "STRESS_CI_CONTROL_TOKEN"

    public var address: ControlAddress
    /// The bearer token; nil (or empty) for none, which only a loopback address may have.
    public var token: String?

    /// Refuses (usage, 64) a non-loopback address without a token: the endpoints can stop a run.
    public init(address: ControlAddress, token: String?) throws(StressError) {
        let token = token.flatMap { $0.isEmpty ? nil : $0 }
        guard address.isLoopback || token != nil else {
            throw StressError(.usage, "--control \(address) is not a loopback address, so it needs a token: set \(Self.tokenVariable)",
                              hint: "every request must then carry `Authorization: Bearer <token>`; or listen on 127.0.0.1")
        }
        self.address = address
        self.token = token
    }
}
