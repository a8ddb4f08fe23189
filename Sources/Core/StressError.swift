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
    /// Every problem found, for validation errors, each located in its file
    /// (`FILE:LINE:COLUMN: error: …` when printed).
    public let problems: [Problem]

    public init(_ kind: Kind, _ message: String, hint: String? = nil, problems: [Problem] = []) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.problems = problems
    }

    public var description: String {
        var text = message
        if let hint { text += " (\(hint))" }
        return text
    }
}
