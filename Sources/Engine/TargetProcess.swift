import CLoadIO
import Core
import Foundation

/// A target the runner launches (`target.start`): its output appended to a log file with the
/// scenario's secrets masked, stopped with SIGTERM and, after a grace period, SIGKILL; always
/// reaped. It dies with stress-ci however stress-ci ends (`TargetProcessGroups`).
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
    /// stdout and stderr appended to `logPath`, every occurrence of a `secrets` value in them
    /// written as `***`.
    ///
    /// - Throws: `StressError(.targetNotReady)` when the executable does not exist or cannot be
    ///   executed (with the reason), `.cannotWrite` when the log file cannot be opened,
    ///   `.invalidInput` when the command is empty.
    public static func launch(_ command: [String], logPath: String, environment: [String: String]? = nil,
                              secrets: Set<String> = []) throws -> TargetProcess {
        guard let name = command.first, !name.isEmpty else {
            throw StressError(.invalidInput, "target.start is empty", hint: "give the command and its arguments, e.g. [\"./server\", \"--port\", \"8080\"]")
        }
        let executable = try resolve(name)
        let directory = (logPath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw StressError(.cannotWrite, "cannot open the target's log file \(logPath): \(String(cString: strerror(errno)))")
        }
        var ends: [Int32] = [-1, -1]
        guard cload_pipe_cloexec(&ends) == 0 else {
            let code = errno
            close(log)
            throw StressError(.targetNotReady, "cannot start the target: pipe: \(String(cString: strerror(code)))")
        }
        let pid: pid_t, guardian: Int32
        do {
            (pid, guardian) = try spawn(executable: executable, arguments: Array(command.dropFirst()), environment: environment, output: ends[1])
        } catch {
            close(ends[0])
            close(ends[1])
            close(log)
            throw error
        }
        close(ends[1])  // the child holds its own
        let output = TargetLogPump(pipe: ends[0], log: log, secrets: secrets)

        let exit = LockedBox(ExitState())
        // Reap the child on a thread of its own and wake every waiter.
        let reaper = Thread {
            // Wait for the exit without reaping: while the leader is a zombie its id cannot be
            // reused, so its group can still be killed (what it started goes with it) and
            // dropped from the registry safely.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
            _ = kill(-pid, SIGKILL)
            cload_target_forget(pid)
            if guardian >= 0 { close(guardian) }  // its guardian went with the group
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            let signalNumber = raw & 0x7f
            let status = signalNumber == 0 ? (raw >> 8) & 0xff : -signalNumber
            // The log is complete once every writer is gone (those outside the group: 2 s at most).
            output.wait(timeout: .seconds(2))
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

    /// Starts the child (`cload_target_spawn`): its own process group (so a signal reaches its
    /// children too), SIGKILL when stress-ci dies (to it and, by its guardian, to its group), default dispositions and an empty mask for
    /// every signal (an ignored signal would otherwise be inherited and SIGTERM could not stop
    /// the target), stdin from /dev/null, stdout and stderr into `output`.
    private static func spawn(executable: String, arguments: [String], environment: [String: String]?, output: Int32) throws -> (pid_t, guardian: Int32) {
        let env = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var guardian: Int32 = -1
        let result = cload_target_spawn(executable, argv, envp, output, &pid, &guardian)
        guard result == 0 else {
            throw StressError(.targetNotReady, "cannot start the target: \(executable): \(String(cString: strerror(result)))",
                              hint: "target.start must name a program this user can execute (a script needs a #! line)")
        }
        return (pid, guardian)
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
        _ = kill(-pid, signal)  // the child leads its own group, so its children get it too
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
            guard fm.fileExists(atPath: name) else {
                throw StressError(.targetNotReady, "cannot start the target: \(name) does not exist",
                                  hint: name.hasPrefix("/") ? nil : "a relative path is taken from the working directory, \(fm.currentDirectoryPath)")
            }
            return name
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw StressError(.targetNotReady, "cannot start the target: \(name) is not on PATH", hint: "give a path (./\(name)) or install it; PATH is \(path)")
    }
}
