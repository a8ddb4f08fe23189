/// Why a report could not be rendered: the XML library (or another renderer) failed.
///
/// Renderers propagate these rather than swallow them (STYLE habit 6); the CLI maps them to an
/// exit code.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    /// What failed, with the library's return code where there is one.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
