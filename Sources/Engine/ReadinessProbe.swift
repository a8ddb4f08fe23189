import Core
import NIOCore
import NIOPosix
import NIOSSL

/// Waits until a target answers `GET path` with a 2xx: one short connection per attempt, every
/// `interval`, until `timeout` (SPEC §3 `target.ready`).
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
    ///   when the process exits first (with its status and log file).
    public func wait(for process: TargetProcess? = nil) async throws {
        let start = NIODeadline.now()
        let deadline = start + .nanoseconds(timeout.nanoseconds)
        var last = Attempt.failed("no attempt made")
        while true {
            try Task.checkCancellation()
            if let process, let status = process.exitStatus { throw Self.exited(process, status: status) }
            let remaining = deadline - .now()
            if remaining <= .zero { break }
            last = try await cancellableAttempt(timeout: min(remaining, .seconds(2)))
            if case .ready = last { return }
            if let process, let status = process.exitStatus { throw Self.exited(process, status: status) }
            let pause = min(deadline - .now(), .nanoseconds(interval.nanoseconds))
            if pause <= .zero { break }
            try await Task.sleep(nanoseconds: UInt64(pause.nanoseconds))
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
    private func cancellableAttempt(timeout: TimeAmount) async throws -> Attempt {
        let once = LockedBox<CheckedContinuation<Attempt?, Never>?>(nil)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Attempt?, Never>) in
                once.withLock { $0 = continuation }
                // Cancelled before the continuation was kept: the handler found nothing to resume.
                if Task.isCancelled { once.withLock { $0.take() }?.resume(returning: nil) }
                Task {
                    let outcome = await attempt(timeout: timeout)
                    once.withLock { $0.take() }?.resume(returning: outcome)
                }
            }
        } onCancel: {
            once.withLock { $0.take() }?.resume(returning: nil)
        }
        guard let result else { throw CancellationError() }
        return result
    }

    /// One GET on a fresh connection.
    public func attempt(timeout: TimeAmount = .seconds(2)) async -> Attempt {
        let tls: NIOSSLContext?
        do { tls = try OneShotGET.tlsContext(for: endpoint) } catch { return .failed("TLS setup failed: \(error)") }
        do {
            let status = try await OneShotGET.run(endpoint: endpoint, path: path, tls: tls, timeout: timeout) { StatusLineHandler(promise: $0) }
            return (200..<300).contains(status) ? .ready(status: status) : .status(status)
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// A short reason for a failed attempt: "connection refused", "timed out", …
    static func describe(_ error: Error) -> String {
        if error is ProbeTimeout { return "timed out" }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve \(error.host)" }
            return "cannot connect"
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case ETIMEDOUT: return "connect timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return String(cString: strerror(error.errnoCode))
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return "connect timed out"
            case .eof, .ioOnClosedChannel, .alreadyClosed: return "connection closed before a response"
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}

struct ProbeTimeout: Error {}

/// Reads a response's status line and fulfils the promise with the status.
private final class StatusLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Int>
    private var bytes: [UInt8] = []

    init(promise: EventLoopPromise<Int>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let chunk = buffer.readBytes(length: buffer.readableBytes) { bytes.append(contentsOf: chunk) }
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            if bytes.count > 8192 { promise.fail(ChannelError.eof) }
            return
        }
        // HTTP/1.1 200 OK
        let line = bytes[..<end]
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
        if parts.count >= 2, parts[0].starts(with: Array("HTTP/".utf8)), let status = Int(String(decoding: parts[1], as: UTF8.self)) {
            promise.succeed(status)
        } else {
            promise.fail(ChannelError.eof)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
