import Dispatch
import Foundation

/// SIGINT and SIGTERM as events: the one place the CLI takes them over from their default
/// action (ignored, then delivered through Dispatch sources on a queue of their own).
enum SignalSources {
    /// Calls `handler` with each SIGINT or SIGTERM received; keep the returned sources alive as
    /// long as the handler should run.
    static func install(label: String, _ handler: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
        let queue = DispatchQueue(label: label)
        return [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { handler(sig) }
            source.resume()
            return source
        }
    }
}
