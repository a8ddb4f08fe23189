/// One problem found in an input: what is wrong, where, and optionally how to fix it.
///
/// Each producer says where in the terms it knows, and the problem is re-anchored as it travels
/// outward. The criterion and template parsers know an offset into the text they parsed; the
/// scenario checks know a path (`criteria[1]`); the scenario reader knows the file, line and
/// column each path was written at. So a misspelt metric is thrown by `CriterionParser` at
/// `.offset(4)`, placed `within("criteria[1]")` by `ScenarioBuilder`, and reported by it
/// `flattened(into:)` the builder's name; the scenario reader `moved(to:)` the file position of
/// the criterion's text instead.
///
/// Thrown by the parsers; a `StressError` carries every problem of an invalid input.
public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where a problem is, in the terms of whoever found it.
    public enum Location: Sendable, Hashable, CustomStringConvertible {
        /// A 1-based line and column in a named file: `FILE:LINE:COLUMN`.
        case file(String, line: Int, column: Int)
        /// A 1-based line and column in a text that has no name yet (the scenario file's text).
        case text(line: Int, column: Int)
        /// A part of a scenario as the file spells it (`load.stages[1].name`, `criteria[2]`),
        /// optionally with a 0-based character offset into that part's text.
        case path(String, offset: Int? = nil)
        /// A 0-based character offset into the text that was parsed (a criterion, a template).
        case offset(Int)

        /// The 1-based line, for a file or text position.
        public var line: Int? {
            switch self {
            case .file(_, let line, _), .text(let line, _): line
            case .path, .offset: nil
            }
        }

        /// The 1-based column, for a file or text position.
        public var column: Int? {
            switch self {
            case .file(_, _, let column), .text(_, let column): column
            case .path, .offset: nil
            }
        }

        /// The scenario path, for a path location.
        public var path: String? {
            if case .path(let path, _) = self { return path }
            return nil
        }

        /// The 0-based character offset, for an offset or a path location that has one.
        public var offset: Int? {
            switch self {
            case .offset(let offset), .path(_, let offset?): offset
            case .file, .text, .path: nil
            }
        }

        /// `FILE:LINE:COLUMN`, `LINE:COLUMN`, `PATH` (with `, at character N` when it has an
        /// offset, counted from 1) or `at OFFSET`.
        public var description: String {
            switch self {
            case .file(let file, let line, let column): "\(file):\(line):\(column)"
            case .text(let line, let column): "\(line):\(column)"
            case .path(let path, nil): path
            case .path(let path, let offset?): "\(path), at character \(offset + 1)"
            case .offset(let offset): "at \(offset)"
            }
        }

        /// The same position `columns` further right on its line; other locations are unchanged.
        func shifted(by columns: Int) -> Location {
            switch self {
            case .file(let file, let line, let column): .file(file, line: line, column: column + columns)
            case .text(let line, let column): .text(line: line, column: column + columns)
            case .path, .offset: self
            }
        }
    }

    /// Where the problem is.
    public var location: Location
    /// What is wrong, e.g. "unknown metric `latncy`".
    public var message: String
    /// How to fix it, e.g. "did you mean `latency`?".
    public var hint: String?
    /// Other parts of the scenario the problem depends on (a stage name check depends on
    /// `load.stages`): when one of them could not be read, the problem is a consequence and is
    /// not reported.
    public var dependsOn: [String]

    /// A problem at `location`.
    public init(_ location: Location, _ message: String, hint: String? = nil, dependsOn: [String] = []) {
        self.location = location
        self.message = message
        self.hint = hint
        self.dependsOn = dependsOn
    }

    /// By location:
    /// - file: `FILE:LINE:COLUMN: error: message (hint)`, as `validate` prints it;
    /// - text: `LINE:COLUMN: message (hint)`;
    /// - path: `PATH: message (hint)` (an offset is left to `flattened(into:)`);
    /// - offset: `at OFFSET: message (hint)`.
    public var description: String {
        let text = switch location {
        case .file: "\(location): error: \(message)"
        case .text, .offset: "\(location): \(message)"
        case .path(let path, _): "\(path): \(message)"
        }
        return hint.map { "\(text) (\($0))" } ?? text
    }

    // MARK: Re-anchoring

    /// The problem at `location` instead, e.g. the file position where its path or offset was
    /// written.
    public func moved(to location: Location) -> Problem {
        var copy = self
        copy.location = location
        return copy
    }

    /// An offset-located problem placed at `path` in a scenario, the offset now into the text at
    /// that path. A problem that already has a path, a line or a file is returned unchanged.
    public func within(_ path: String) -> Problem {
        guard case .offset(let offset) = location else { return self }
        return moved(to: .path(path, offset: offset))
    }

    /// A problem at a line and column of a text placed in `file`. Any other problem is returned
    /// unchanged.
    public func inFile(_ file: String) -> Problem {
        guard case .text(let line, let column) = location else { return self }
        return moved(to: .file(file, line: line, column: column))
    }

    /// The problem reported in `file`, for inputs that have no lines to point at (a scenario
    /// built in code): a path or an offset, which name no line there, is written into the
    /// message (`criteria[1]: unknown metric `latncy` (at character 5)`) and the problem placed at
    /// `FILE:1:1`. A text position keeps its line and column; a file position is kept.
    public func flattened(into file: String) -> Problem {
        switch location {
        case .file:
            return self
        case .text:
            return inFile(file)
        case .path, .offset:
            var copy = moved(to: .file(file, line: 1, column: 1))
            copy.message = placedMessage
            return copy
        }
    }

    /// The message with a path and offset written in front and behind:
    /// `PATH: message (at character N)`.
    private var placedMessage: String {
        var text = message
        if let path = location.path { text = "\(path): \(text)" }
        if let offset = location.offset { text += " (at character \(offset + 1))" }
        return text
    }
}
