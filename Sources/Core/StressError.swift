/// An error that ends a command. It carries the kind of failure, which the CLI (and only the CLI)
/// maps to a process exit code, a message, and optionally a hint on how to fix it.
///
/// The kind wraps a private code so new kinds can be added without breaking callers.
public struct StressError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms of the README's exit codes.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Sendable, Hashable { case usage, invalidInput, notFound, targetNotReady, internalError, cannotWrite }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// Bad command line (exit 64).
        public static let usage = Kind(.usage)
        /// Invalid scenario, baseline or result file (exit 65).
        public static let invalidInput = Kind(.invalidInput)
        /// A named input does not exist (exit 66).
        public static let notFound = Kind(.notFound)
        /// The target never became ready (exit 69).
        public static let targetNotReady = Kind(.targetNotReady)
        /// A bug (exit 70).
        public static let internalError = Kind(.internalError)
        /// The store or an artifact cannot be written (exit 73).
        public static let cannotWrite = Kind(.cannotWrite)

        public var description: String {
            switch code {
            case .usage: "usage"
            case .invalidInput: "invalid input"
            case .notFound: "not found"
            case .targetNotReady: "target not ready"
            case .internalError: "internal error"
            case .cannotWrite: "cannot write"
            }
        }
    }

    public let kind: Kind
    public let message: String
    public let hint: String?
    /// Every problem found, for validation errors (each already formatted `FILE:LINE:COLUMN: …`).
    public let diagnostics: [Diagnostic]

    public init(_ kind: Kind, _ message: String, hint: String? = nil, diagnostics: [Diagnostic] = []) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.diagnostics = diagnostics
    }

    public var description: String {
        var text = message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// A position in a source file, 1-based.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found while validating an input, with where it is and how to fix it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var hint: String?
    public init(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }
    /// `FILE:LINE:COLUMN: error: message (hint)`.
    public var description: String {
        var text = "\(location): error: \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }
}
