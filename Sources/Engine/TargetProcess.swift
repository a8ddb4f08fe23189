import Core
import Foundation

/// A target the runner launches (`target.start`): its output appended to a log file, stopped with
/// SIGTERM and, after a grace period, SIGKILL; always reaped.
public final class TargetProcess: Sendable {
    private struct ExitState {
        var status: Int32?
        var waiters: [Int: CheckedContinuation<Int32?, Never>] = [:]
        var cancelled: Set<Int> = []
        var nextWaiter = 0
    }

    /// The command as given.
    public let command: [String]
    /// The resolved executable.
    public let executable: String
    /// Where stdout and stderr go (appended).
    public let logPath: String
    public let pid: Int32
    private let exit: LockedBox<ExitState>

    private init(command: [String], executable: String, logPath: String, pid: pid_t, exit: LockedBox<ExitState>) {
        self.command = command
        self.executable = executable
        self.logPath = logPath
        self.exit = exit
        self.pid = pid
    }

    /// Launches `command` (the executable is looked up on PATH unless it contains a `/`), with
    /// stdout and stderr appended to `logPath`.
    ///
    /// - Throws: `StressError(.notFound)` when the executable does not exist,
    ///   `.cannotWrite` when the log file cannot be opened, `.usage` when the launch fails.
    public static func launch(_ command: [String], logPath: String, environment: [String: String]? = nil) throws -> TargetProcess {
        guard let name = command.first, !name.isEmpty else {
            throw StressError(.usage, "target.start is empty", hint: "give the command and its arguments, e.g. [\"./server\", \"--port\", \"8080\"]")
        }
        let executable = try resolve(name)
        let fm = FileManager.default
        if !fm.fileExists(atPath: logPath) {
            let directory = (logPath as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            guard fm.createFile(atPath: logPath, contents: nil) else {
                throw StressError(.cannotWrite, "cannot create the target's log file \(logPath)")
            }
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw StressError(.cannotWrite, "cannot open the target's log file \(logPath)")
        }
        _ = try? log.seekToEnd()

        defer { try? log.close() }  // the child holds its own descriptor
        let pid = try spawn(executable: executable, arguments: Array(command.dropFirst()), environment: environment, output: log.fileDescriptor)
        let exit = LockedBox(ExitState())
        // Reap the child on a thread of its own and wake every waiter.
        let reaper = Thread {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            let signalNumber = raw & 0x7f
            let status = signalNumber == 0 ? (raw >> 8) & 0xff : -signalNumber
            let waiters = exit.withLock { s -> [CheckedContinuation<Int32?, Never>] in
                s.status = status
                defer { s.waiters.removeAll() }
                return Array(s.waiters.values)
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        reaper.name = "stress-ci target reaper"
        reaper.start()
        return TargetProcess(command: command, executable: executable, logPath: logPath, pid: pid, exit: exit)
    }

    /// Starts the child with posix_spawn: its own process group (so a signal reaches its children
    /// too), default dispositions for the signals the runner itself catches or ignores (an ignored
    /// signal would otherwise be inherited and SIGTERM could not stop the target), an empty signal
    /// mask, stdin from /dev/null, stdout and stderr into the log.
    private static func spawn(executable: String, arguments: [String], environment: [String: String]?, output: Int32) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)

        let env = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw StressError(.usage, "cannot launch \(executable): \(String(cString: strerror(result)))",
                              hint: "check that target.start names an executable program")
        }
        return pid
    }

    /// The exit status once it exited (negative: killed by that signal).
    public var exitStatus: Int32? { exit.withLock { $0.status } }

    public var hasExited: Bool { exitStatus != nil }

    /// Waits until the process exits (its status) or `timeout` passes (nil).
    public func waitForExit(timeout: Duration) async -> Int32? {
        if let status = exitStatus { return status }
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.exitStatus
        }
    }

    /// Waits until the process exits; nil if the task is cancelled first.
    public func waitForExit() async -> Int32? {
        let id = exit.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                let immediate = exit.withLock { s -> Int32?? in
                    if let status = s.status { return .some(status) }
                    if s.cancelled.contains(id) { return .some(nil) }
                    s.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = exit.withLock { s -> CheckedContinuation<Int32?, Never>? in
                s.cancelled.insert(id)
                return s.waiters.removeValue(forKey: id)
            }
            waiter?.resume(returning: nil)
        }
    }

    /// SIGTERM, up to `grace` to exit, then SIGKILL; returns once it has exited and been reaped.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32? {
        if let status = exitStatus { return status }
        signal(SIGTERM)
        if let status = await waitForExit(timeout: grace) { return status }
        signal(SIGKILL)
        return await waitForExit(timeout: .seconds(10))
    }

    /// Sends a signal (to its process group when it leads one, so children go too).
    public func signal(_ signal: Int32) {
        guard !hasExited else { return }
        _ = kill(-pid, signal)  // the child leads its own group (posix_spawn), so its children get it too
    }

    deinit {
        // Never leave a target behind.
        if exit.withLock({ $0.status == nil }) {
            _ = kill(-pid, SIGKILL)
        }
    }

    /// The executable for `name`: a path as given (relative to the working directory), or the
    /// first executable of that name on PATH.
    static func resolve(_ name: String) throws -> String {
        let fm = FileManager.default
        if name.contains("/") {
            guard fm.isExecutableFile(atPath: name) else {
                throw StressError(.notFound, "target.start: \(name) does not exist or is not executable")
            }
            return name
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw StressError(.notFound, "target.start: \(name) is not on PATH", hint: "give a path (./\(name)) or install it; PATH is \(path)")
    }
}
