import Core

/// Waits until a target answers `GET path` with a 2xx: one short connection per attempt, every
/// `interval`, until `timeout` (`target.ready` in the README's "Scenario file").
public struct ReadinessProbe: Sendable {
    /// The outcome of one attempt.
    public enum Attempt: Sendable, Hashable, CustomStringConvertible {
        case ready(status: Int)
        case status(Int)
        case failed(String)

        public var description: String {
            switch self {
            case .ready(let status): "answered \(status)"
            case .status(let status): "answered \(status)"
            case .failed(let reason): reason
            }
        }
    }

    public var endpoint: Endpoint
    public var path: String
    public var timeout: Duration
    public var interval: Duration

    public init(endpoint: Endpoint, path: String = "/", timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100)) {
        self.endpoint = endpoint
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.timeout = timeout
        self.interval = interval
    }

    /// The probe a scenario's `target.ready` describes.
    public init(url: TargetURL, ready: ReadySpec, insecure: Bool = false) {
        self.init(endpoint: Endpoint(url, insecure: insecure), path: ready.path, timeout: ready.timeout)
    }

    /// Returns once the target answers 2xx.
    ///
    /// - Parameter process: the launched target, if any: its exit before it is ready fails at once.
    /// - Throws: `StressError(.targetNotReady)` on timeout (with the last attempt's outcome) or
    ///   when the process exits first (with its status and log file); at once, the error the load
    ///   would throw when TLS cannot be set up (`.invalidInput` for an unreadable CA file).
    public func wait(for process: TargetProcess? = nil) async throws {
        let deadline = ContinuousClock.now + timeout
        // Made once for all the attempts (it loads the trust roots), as the load makes it.
        let tls = endpoint.tls ? try TLSClientContext(insecure: endpoint.insecure, caFile: endpoint.caFile) : nil
        var last = Attempt.failed("no attempt made")
        while true {
            try Task.checkCancellation()
            if let process, let status = process.exitStatus { throw Self.exited(process, status: status) }
            let remaining = deadline - .now
            if remaining <= .zero { break }
            last = try await cancellableAttempt(timeout: min(remaining, .seconds(2)), tls: tls)
            if case .ready = last { return }
            if let process, let status = process.exitStatus { throw Self.exited(process, status: status) }
            let pause = min(deadline - .now, interval)
            if pause <= .zero { break }
            try await Task.sleep(for: pause)
        }
        throw StressError(
            .targetNotReady,
            "target \(endpoint.urlDescription) did not answer 2xx on \(path) within \(Units.formatDuration(timeout))",
            hint: "last attempt: \(last)")
    }

    private static func exited(_ process: TargetProcess, status: Int32) -> StressError {
        let how = status < 0 ? "was killed by signal \(-status)" : "exited with status \(status)"
        return StressError(.targetNotReady, "the target process (\(process.command.joined(separator: " "))) \(how) before it was ready",
                           hint: "see its output in \(process.logPath)")
    }

    /// `attempt`, but a cancelled task (a stop during the readiness wait) stops waiting for it at
    /// once: the attempt ends on its own within its timeout.
    private func cancellableAttempt(timeout: Duration, tls: TLSClientContext?) async throws -> Attempt {
        let once = LockedBox<CheckedContinuation<Attempt?, Never>?>(nil)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Attempt?, Never>) in
                once.withLock { $0 = continuation }
                // Cancelled before the continuation was kept: the handler found nothing to resume.
                if Task.isCancelled { once.withLock { $0.take() }?.resume(returning: nil) }
                Task {
                    let outcome = await attempt(timeout: timeout, tls: tls)
                    once.withLock { $0.take() }?.resume(returning: outcome)
                }
            }
        } onCancel: {
            once.withLock { $0.take() }?.resume(returning: nil)
        }
        guard let result else { throw CancellationError() }
        return result
    }

    /// One GET on a fresh connection, read up to the end of the response's head.
    public func attempt(timeout: Duration = .seconds(2)) async -> Attempt {
        switch OneShotGET.tlsContext(for: endpoint) {
        case .success(let tls): await attempt(timeout: timeout, tls: tls)
        case .failure(let failure): .failed(failure.description)
        }
    }

    private func attempt(timeout: Duration, tls: TLSClientContext?) async -> Attempt {
        switch await OneShotGET.run(endpoint: endpoint, path: path, tls: tls, timeout: timeout) {
        case .success(let response):
            return (200..<300).contains(response.status) ? .ready(status: response.status) : .status(response.status)
        case .failure(let failure):
            return .failed(failure.description)
        }
    }
}
