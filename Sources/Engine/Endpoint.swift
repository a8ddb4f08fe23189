import Core

/// Where the load generator connects: host and port, plain or TLS, and what it puts in `Host`
/// and before every path.
public struct Endpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Speak TLS (https).
    public var tls: Bool
    /// With `tls`: accept any certificate (self-signed test targets).
    public var insecure: Bool
    /// The `Host` header value.
    public var hostHeader: String
    /// A path prefix put before every request's path ("" or "/api").
    public var basePath: String
    /// With `tls`: a PEM file of the certificates to trust instead of the system's roots.
    public var caFile: String?

    public init(host: String, port: Int, tls: Bool = false, insecure: Bool = false, hostHeader: String? = nil, basePath: String = "") {
        self.host = host
        self.port = port
        self.tls = tls
        self.insecure = insecure
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = tls ? 443 : 80
        self.hostHeader = hostHeader ?? (port == defaultPort ? h : "\(h):\(port)")
        self.basePath = basePath
    }

    /// The endpoint of a target URL.
    public init(_ url: TargetURL, insecure: Bool = false) {
        self.init(host: url.host, port: url.port, tls: url.scheme == .https, insecure: insecure, basePath: url.basePath)
    }

    /// `http://host:port/base`, for messages.
    public var urlDescription: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "https" : "http")://\(h):\(port)\(basePath)"
    }
}
