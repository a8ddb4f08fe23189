/// TLS passthrough: a TCP relay that never sees HTTP. Each chunk of client bytes (one read) is
/// what a fault decides on: a reset ends the connection, a blackhole swallows it and everything
/// after, a latency delays the chunk (chunks never overtake each other), a bandwidth throttles
/// both directions while it is active.
extension ProxyLoop {
    func tunnelFromClient(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) {
        if case .blackholed = s.phase { return }
        requests &+= 1
        guard !plan.isEmpty else { return sendToUpstream(s, bytes, releaseAt: 0) }
        let decision = plan.decide(requestIndex: nil, now: clock())
        switch decision.ending {
        case .reset:
            s.ending = .reset
        case .blackhole:
            // Forwarding what comes later would be a broken TLS stream anyway.
            closeUpstream(s)
            s.phase = .blackholed
        case .error, nil:
            // Error answers cannot apply here (`ProxyFault.check` refuses them).
            throttle(s, bytesPerSecond: decision.bytesPerSecond, up: true, down: true)
            let releaseAt = decision.delay > 0 ? Reactor.monotonicNow() &+ decision.delay : 0
            sendToUpstream(s, bytes, releaseAt: releaseAt)
        }
    }

    func tunnelFromUpstream(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) {
        if !plan.isEmpty { throttle(s, bytesPerSecond: plan.bandwidth(at: clock()), up: false, down: true) }
        sendToClient(s, bytes)
    }
}
