#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StressCI

/// Writing to the terminal: stdout for results, stderr for progress, warnings and errors.
///
/// Every write goes through `write(2)` and drops what cannot be written: a closed pipe (`| head`),
/// a full disk or a closed descriptor never ends a run. SIGPIPE is ignored for the whole process
/// (`TargetProcessGroups.installExitGuards`), so such a write fails with EPIPE instead of killing
/// it; Foundation's `FileHandle.write(_:)` would trap on that error.
enum Terminal {
    static func stderr(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
    }

    static func stdout(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// Prints an error with its hint and every problem (`FILE:LINE:COLUMN: error: …`), one per
    /// line, no stack trace.
    static func error(_ error: StressError) {
        var text = ""
        for problem in error.problems { text += "\(problem)\n" }
        text += "stress-ci: error: \(error.message)"
        if let hint = error.hint { text += "\n  hint: \(hint)" }
        stderr(text)
    }

    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }

    /// True when a write to `fd` would not block now (a reader that stopped reading leaves a pipe
    /// full): progress lines are skipped then rather than holding up the run.
    static func isWritable(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLOUT) != 0
    }

    /// All of `text`, or as much as the descriptor takes before an error; errors are dropped.
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }
}
