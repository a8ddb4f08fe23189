/// Why a system sampler could not produce values. The aggregator logs it and skips the source.
public struct SystemSamplerError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: Sendable, Hashable { case notSupported, unreadable, malformed }
    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// /proc sampling exists only on Linux.
    public static func notSupported(_ what: String) -> Self {
        Self(.notSupported, "\(what) is not supported on this OS (it reads /proc, Linux only)")
    }

    /// A /proc file could not be read — for a process file, usually because the process is gone.
    public static func unreadable(_ path: String, reason: String) -> Self {
        Self(.unreadable, "cannot read \(path): \(reason)")
    }

    /// A /proc file did not have the expected layout.
    public static func malformed(_ file: String, _ detail: String) -> Self {
        Self(.malformed, "unexpected \(file) format: \(detail)")
    }

    public var isNotSupported: Bool { code == .notSupported }
    public var isUnreadable: Bool { code == .unreadable }
    public var isMalformed: Bool { code == .malformed }
}
