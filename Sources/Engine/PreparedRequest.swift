import Core
import Metrics

/// One request of the mix, ready to write: the whole request pre-encoded once when its templates
/// are constant, otherwise the constant parts pre-rendered and only the random parts rendered
/// per send. Also carries what its response must satisfy.
///
/// A class: the hot path looks one up per request, and a reference costs one retain where a
/// struct of this many fields would cost one per field.
final class PreparedRequest: Sendable {
    let name: String
    /// HEAD responses carry no body whatever their headers say.
    let expectsBody: Bool
    let expectedStatus: [Int]?
    /// `expect.bodyContains` as bytes; the parser keeps the body only when this is set.
    let bodyNeedle: [UInt8]?

    /// The whole request, when nothing in it varies.
    let constant: [UInt8]?
    private let requestLinePrefix: String
    private let path: Template
    private let fixedHeaders: String
    private let templatedHeaders: [(name: String, value: Template)]
    private let body: Template?
    private let sendsContentLength: Bool

    /// The header that names a request's index in the mix to the fault proxy, which strips it
    /// (README, *Failure injection*: `request:`).
    static let faultTagHeader = "x-stress-ci-request"

    /// - Parameter tag: the request's index in the mix, sent in `faultTagHeader` when set.
    init(_ spec: RequestSpec, endpoint: Endpoint, keepalive: Bool, tag: Int? = nil) {
        name = spec.name
        let method = spec.method.uppercased()
        expectsBody = method != "HEAD"
        expectedStatus = spec.expect.status
        bodyNeedle = spec.expect.bodyContains.flatMap { $0.isEmpty ? nil : Array($0.utf8) }

        requestLinePrefix = "\(method) \(endpoint.basePath)"
        path = spec.path
        let reserved: Set<String> = ["content-length", "connection", "transfer-encoding"]
        let userHeaders = spec.headers.filter { !reserved.contains($0.name.lowercased()) }
        var fixed = ""
        if !userHeaders.contains(where: { $0.name.lowercased() == "host" }) { fixed += "Host: \(endpoint.hostHeader)\r\n" }
        if !userHeaders.contains(where: { $0.name.lowercased() == "user-agent" }) { fixed += "User-Agent: stress-ci\r\n" }
        var templated: [(name: String, value: Template)] = []
        for header in userHeaders {
            if header.value.isConstant {
                fixed += "\(header.name): \(Self.renderConstant(header.value))\r\n"
            } else {
                templated.append((header.name, header.value))
            }
        }
        // HTTP/1.1 keeps connections alive unless told otherwise: only a close is said.
        if !keepalive { fixed += "Connection: close\r\n" }
        if let tag { fixed += "\(Self.faultTagHeader): \(tag)\r\n" }
        fixedHeaders = fixed
        templatedHeaders = templated
        body = spec.body
        sendsContentLength = spec.body != nil || ["POST", "PUT", "PATCH"].contains(method)

        if spec.path.isConstant && templated.isEmpty && (spec.body?.isConstant ?? true) {
            var rng = SplitMix64(seed: 0)  // constant templates draw nothing
            var buffer: [UInt8] = []
            Self.write(into: &buffer, prefix: requestLinePrefix, path: spec.path.render(using: &rng), headers: fixed,
                       templated: [], body: spec.body?.render(using: &rng), contentLength: sendsContentLength)
            constant = buffer
        } else {
            constant = nil
        }
    }

    /// Renders the request into `buffer`, replacing what it held: only the templated parts are
    /// rendered (a request without any is copied from `constant`, which callers use directly).
    func render<G: RandomNumberGenerator>(into buffer: inout [UInt8], using rng: inout G) {
        buffer.removeAll(keepingCapacity: true)
        if let constant {
            buffer.append(contentsOf: constant)
            return
        }
        let renderedPath = path.render(using: &rng)
        let headers = templatedHeaders.map { ($0.name, $0.value.render(using: &rng)) }
        let renderedBody = body?.render(using: &rng)
        Self.write(into: &buffer, prefix: requestLinePrefix, path: renderedPath, headers: fixedHeaders,
                   templated: headers, body: renderedBody, contentLength: sendsContentLength)
    }

    private static func write(into buffer: inout [UInt8], prefix: String, path: String, headers: String,
                              templated: [(String, String)], body: String?, contentLength: Bool) {
        buffer.append(contentsOf: prefix.utf8)
        buffer.append(contentsOf: (path.isEmpty ? "/" : path).utf8)
        buffer.append(contentsOf: " HTTP/1.1\r\n".utf8)
        buffer.append(contentsOf: headers.utf8)
        for (name, value) in templated {
            buffer.append(contentsOf: name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: value.utf8)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        if contentLength {
            buffer.append(contentsOf: "Content-Length: \(body?.utf8.count ?? 0)\r\n".utf8)
        }
        buffer.append(contentsOf: "\r\n".utf8)
        if let body { buffer.append(contentsOf: body.utf8) }
    }

    private static func renderConstant(_ template: Template) -> String {
        var rng = SplitMix64(seed: 0)
        return template.render(using: &rng)
    }

    /// The error class of a response, or nil when it meets the expectation.
    func classify(status: Int, body: [UInt8]?) -> ErrorClassResult {
        if let expectedStatus {
            if !expectedStatus.contains(status) { return .status }
        } else if status >= 400 {
            return .status
        }
        if let bodyNeedle {
            guard let body, Self.contains(body, bodyNeedle) else { return .expectation }
        }
        return .ok
    }

    enum ErrorClassResult {
        case ok, status, expectation

        /// The error a response with this outcome counts as (nil: none).
        var errorClass: ErrorClass? {
            switch self {
            case .ok: nil
            case .status: .status
            case .expectation: .expectation
            }
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}

/// The weighted choice of the next request.
struct RequestMix: Sendable {
    private let cumulative: [Int]
    private let total: Int

    init(weights: [Int]) {
        let positive = weights.map { max(0, $0) }
        let effective = positive.allSatisfy { $0 == 0 } ? positive.map { _ in 1 } : positive
        var sum = 0
        cumulative = effective.map { sum += $0; return sum }
        total = sum
    }

    func pick<G: RandomNumberGenerator>(using rng: inout G) -> Int {
        if cumulative.count <= 1 { return 0 }
        let r = Int.random(in: 0..<total, using: &rng)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > r { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
