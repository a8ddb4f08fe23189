import Engine
import Foundation

/// Who may use the control endpoints (README, *Live control and dashboard*): with a token, every
/// request carries `Authorization: Bearer <token>`, or — for a GET, which is all a page URL or an
/// `EventSource` can carry — `?token=<token>`. Compared in constant time.
struct ControlAuth: Sendable {
    private let token: [UInt8]?

    init(token: String?) { self.token = token.map { Array($0.utf8) } }

    /// The request carries the token, or none is needed.
    func permits(_ request: HTTPServer.Request) -> Bool {
        guard let token else { return true }
        if let header = request.header("authorization") {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].caseInsensitiveCompare("Bearer") == .orderedSame,
                Self.equal(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8), token)
            {
                return true
            }
        }
        if request.method == "GET", let given = request.query["token"] {
            return Self.equal(Array(given.utf8), token)
        }
        return false
    }

    /// A browser page on another origin may not change the run: a POST whose `Origin` is not this
    /// server's own (`http://` + its `Host`) is refused. Requests without `Origin` (curl, scripts) pass.
    static func isCrossOrigin(_ request: HTTPServer.Request) -> Bool {
        guard request.method != "GET", let origin = request.header("origin") else { return false }
        guard let host = request.header("host") else { return true }
        return origin.lowercased() != "http://\(host.lowercased())"
    }

    /// Equal byte strings, in time that depends on their lengths only.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
