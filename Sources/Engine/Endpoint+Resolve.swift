import Core
import Dispatch
import NIOCore

extension Endpoint {
    /// The address to connect to: the host as an IP literal, or its first address from the
    /// resolver (getaddrinfo, off the event loops and the cooperative pool: it blocks).
    ///
    /// - Throws: `StressError(.targetNotReady)` when the host does not resolve: the target
    ///   cannot be reached, which is what exit code 69 says.
    func resolve() async throws -> SocketAddress {
        if let literal = try? SocketAddress(ipAddress: host, port: port) { return literal }
        let host = self.host, port = self.port, url = urlDescription
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try SocketAddress.makeAddressResolvingHost(host, port: port))
                } catch {
                    continuation.resume(throwing: StressError(
                        .targetNotReady, "cannot resolve the target's host \(host) (\(url))",
                        hint: "check the host name in target.url, and that this machine's DNS can resolve it"))
                }
            }
        }
    }
}
