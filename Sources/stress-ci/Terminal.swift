import Foundation
import StressCI

/// Writing to the terminal: stdout for results, stderr for progress, warnings and errors.
enum Terminal {
    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func stdout(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints an error with its hint and every diagnostic, one per line, no stack trace.
    static func error(_ error: StressError) {
        var text = ""
        for d in error.diagnostics { text += "\(d)\n" }
        text += "stress-ci: error: \(error.message)"
        if let hint = error.hint { text += "\n  hint: \(hint)" }
        stderr(text)
    }

    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
}
