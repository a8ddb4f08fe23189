import Core

/// Fetches a target's Prometheus metrics page (`target.metrics` in the README's "Scenario
/// file"): one GET on a fresh, short connection per scrape (`OneShotGET`: the load's transport
/// and TLS settings), the whole body read whatever its framing (Content-Length, chunked, or until
/// the close).
///
/// Parsing and rates are the Metrics module's (`PrometheusParser`, `PromRateTracker`); the run
/// decides when to scrape.
public final class PrometheusScraper: Sendable {
    public let endpoint: Endpoint
    /// The page's path, always starting with `/`; the endpoint's base path is not prepended,
    /// as with `target.ready`.
    public let path: String
    /// The limit on one scrape: connect, request and the whole response.
    public let timeout: Duration
    /// Made once: building a TLS context loads the trust roots.
    private let tls: Result<TLSClientContext?, OneShotGET.Failure>

    /// The metrics page bigger than this is refused: `HTTPResponseParser` keeps at most 1 MiB of
    /// a body, and a cut page would read as valid but partial metrics.
    static let maxBody = 1 << 20

    public init(endpoint: Endpoint, path: String, timeout: Duration = .seconds(2)) {
        self.endpoint = endpoint
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.timeout = timeout
        self.tls = OneShotGET.tlsContext(for: endpoint)
    }

    /// The metrics page's text.
    ///
    /// - Throws: `PrometheusScrapeError` when the target cannot be reached, times out, answers
    ///   other than 2xx, or sends a malformed or too large response.
    public func scrape() async throws -> String {
        let tls: TLSClientContext?
        switch self.tls {
        case .success(let context): tls = context
        case .failure(let failure): throw PrometheusScrapeError(url: url, reason: failure.description)
        }
        let response: OneShotGET.Response
        switch await OneShotGET.run(endpoint: endpoint, path: path, tls: tls, timeout: timeout,
                                    extraHeaders: "Accept: text/plain;version=0.0.4\r\n", body: true, maxBytes: Self.maxBody + (64 << 10)) {
        case .success(let complete): response = complete
        case .failure(.tooLarge): throw PrometheusScrapeError(url: url, reason: "the page is larger than \(Self.maxBody >> 20) MiB")
        case .failure(let failure): throw PrometheusScrapeError(url: url, reason: failure.description)
        }
        guard (200..<300).contains(response.status) else {
            throw PrometheusScrapeError(url: url, reason: "answered \(response.status)")
        }
        guard response.body.count < Self.maxBody else {
            throw PrometheusScrapeError(url: url, reason: "the page is larger than \(Self.maxBody >> 20) MiB")
        }
        return String(decoding: response.body, as: UTF8.self)
    }

    private var url: String {
        let h = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        return "\(endpoint.tls ? "https" : "http")://\(h):\(endpoint.port)\(path)"
    }
}

/// A failed scrape: which URL, and why ("connection refused", "timed out", "answered 404", …).
public struct PrometheusScrapeError: Error, Sendable, CustomStringConvertible {
    public let url: String
    public let reason: String

    public var description: String { "cannot scrape \(url): \(reason)" }
}
