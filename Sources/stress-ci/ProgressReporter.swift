import ArgumentParser
import Foundation
import StressCI
import Synchronization

/// Live progress on stderr (docs/architecture.md, *Run states*): one updating line on a TTY, a plain line every 5 s otherwise
/// (and at once when the state changes: PAUSED, RUNNING again).
/// A line that stderr cannot take at once (a reader that stopped reading) is skipped, never
/// waited for.
final class ProgressReporter: Sendable {
    enum Mode: Sendable {
        case none, tty, plain

        /// The mode `--progress` chose: `auto` is a live line on a TTY, plain lines elsewhere.
        init(_ choice: Choice) {
            switch choice {
            case .none: self = .none
            case .tty: self = .tty
            case .plain: self = .plain
            case .auto: self = Terminal.stderrIsTTY ? .tty : .plain
            }
        }
    }

    /// `--progress auto|tty|plain|none`.
    enum Choice: String, ExpressibleByArgument, CaseIterable {
        case auto, tty, plain, none
    }

    private let mode: Mode
    private let planned: Duration
    private let lastPlain = Mutex<Duration>(.seconds(-10))
    /// The state of the last plain line: a change (PAUSED, RUNNING again) prints at once.
    private let lastState = Mutex<RunState?>(nil)
    private let drewLine = Mutex(false)

    init(mode: Mode, planned: Duration) {
        self.mode = mode
        self.planned = planned
    }

    func update(_ status: TestStatus) {
        guard mode != .none else { return }
        let line = Self.line(status, planned: planned)
        switch mode {
        case .tty:
            guard Terminal.isWritable(STDERR_FILENO) else { return }
            drewLine.withLock { $0 = true }
            Terminal.write("\r\u{1B}[2K\(line)", to: STDERR_FILENO)
        case .plain:
            let changed = lastState.withLock { last -> Bool in
                defer { last = status.state }
                return last != nil && last != status.state
            }
            let due = lastPlain.withLock { last -> Bool in
                guard changed || status.elapsed - last >= .seconds(5) else { return false }
                last = status.elapsed
                return true
            }
            if due, Terminal.isWritable(STDERR_FILENO) { Terminal.stderr(line) }
        case .none:
            break
        }
    }

    /// Ends the live line so later output starts on a fresh one.
    func finish() {
        if mode == .tty, drewLine.withLock({ $0 }) { Terminal.write("\n", to: STDERR_FILENO) }
    }

    static func line(_ s: TestStatus, planned: Duration) -> String {
        let second = s.lastSecond?.overall
        let rate = second.map { "\($0.counters.requests)/s" } ?? "-"
        let p95 = second?.latency.value(atPercentile: 95).map(Units.formatDuration) ?? "-"
        return "[\(s.state)] \(Units.formatDuration(s.elapsed))/\(Units.formatDuration(planned))  rate \(rate)  p95 \(p95)  requests \(s.requests)  errors \(s.errors)"
    }
}
