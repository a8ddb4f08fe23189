/// Writing: bytes go straight to the socket when nothing is queued for it, and only what it does
/// not take is copied (its writable interest then set by `settle`); a latency fault holds client
/// bytes in the session's delay line, a bandwidth fault lets through what its bucket allows.
extension ProxyLoop {
    /// Relays bytes to the client.
    func sendToClient(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer) {
        guard s.ending == nil, !bytes.isEmpty else { return }
        guard s.toClient.isEmpty else { return s.toClient.append(bytes) }
        let allowed = min(bytes.count, s.downThrottle?.tokens ?? bytes.count)
        guard let written = ProxySocket.write(s.client, UnsafeRawBufferPointer(rebasing: bytes[..<allowed])) else {
            s.ending = .close
            return
        }
        s.downThrottle?.spend(written)
        if written < bytes.count { s.toClient.append(UnsafeRawBufferPointer(rebasing: bytes[written...])) }
    }

    /// Relays bytes upstream, not before monotonic time `releaseAt` (0: now) nor before the bytes
    /// held before them.
    func sendToUpstream(_ s: ProxySession, _ bytes: UnsafeRawBufferPointer, releaseAt: Int64) {
        guard s.ending == nil, s.upstream >= 0, !bytes.isEmpty else { return }
        if !s.delayed.isEmpty || (releaseAt > 0 && releaseAt > Reactor.monotonicNow()) {
            let wasEmpty = s.delayed.isEmpty
            s.delayed.append(bytes, at: releaseAt)
            if wasEmpty { armDelay(s) }
            return
        }
        guard s.toUpstream.isEmpty, !s.upstreamConnecting else { return s.toUpstream.append(bytes) }
        let allowed = min(bytes.count, s.upThrottle?.tokens ?? bytes.count)
        guard let written = ProxySocket.write(s.upstream, UnsafeRawBufferPointer(rebasing: bytes[..<allowed])) else {
            return upstreamGone(s)
        }
        s.upThrottle?.spend(written)
        if written < bytes.count { s.toUpstream.append(UnsafeRawBufferPointer(rebasing: bytes[written...])) }
    }

    /// Writes what is queued for the client, as far as the socket and the throttle allow.
    func flushClient(_ s: ProxySession) {
        guard s.ending == nil, !s.toClient.isEmpty else { return }
        if !Self.flush(&s.toClient, to: s.client, throttle: &s.downThrottle) { s.ending = .close }
    }

    /// Writes what is queued upstream, as far as the socket and the throttle allow.
    func flushUpstream(_ s: ProxySession) {
        guard s.ending == nil, s.upstream >= 0, !s.upstreamConnecting, !s.toUpstream.isEmpty else { return }
        if !Self.flush(&s.toUpstream, to: s.upstream, throttle: &s.upThrottle) { upstreamGone(s) }
    }

    /// Writes from `outbox` to `fd` what the socket and the throttle take, spending the throttle's
    /// tokens; false when the socket failed.
    private static func flush(_ outbox: inout Outbox, to fd: CInt, throttle: inout TokenBucket?) -> Bool {
        let limit = throttle?.tokens ?? Int.max
        guard limit > 0 else { return true }
        var failed = false
        var total = 0
        outbox.write(upTo: limit) { pending in
            guard let written = ProxySocket.write(fd, pending) else {
                failed = true
                return 0
            }
            total = written
            return written
        }
        if failed { return false }
        throttle?.spend(total)
        return true
    }

    // MARK: - Latency

    /// Arms the session's timer for the first held run.
    private func armDelay(_ s: ProxySession) {
        s.delayTimer?.cancel()
        guard let at = s.delayed.nextRelease else {
            s.delayTimer = nil
            return
        }
        s.delayTimer = reactor.schedule(at: at) { [weak self, weak s] in
            guard let self, let s, !s.closed else { return }
            s.delayTimer = nil
            releaseDelayed(s)
            settle(s)
        }
    }

    private func releaseDelayed(_ s: ProxySession) {
        s.delayed.releaseDue(now: Reactor.monotonicNow()) { s.toUpstream.append($0) }
        flushUpstream(s)
        if !s.closed && s.upstream >= 0 { armDelay(s) }
    }

    // MARK: - Bandwidth

    /// Sets a session's throttles (nil: none) for the directions asked; a throttle at the same
    /// rate keeps its credit.
    func throttle(_ s: ProxySession, bytesPerSecond rate: Int?, up: Bool, down: Bool) {
        if up && s.upThrottle?.rate != rate { s.upThrottle = rate.map { TokenBucket(rate: $0, now: Reactor.monotonicNow()) } }
        if down && s.downThrottle?.rate != rate { s.downThrottle = rate.map { TokenBucket(rate: $0, now: Reactor.monotonicNow()) } }
        guard s.upThrottle != nil || s.downThrottle != nil else { return }
        throttled[s.slot] = s
        if ticker == nil {
            ticker = reactor.scheduleRepeated(initialDelay: Self.throttleTick, every: Self.throttleTick) { [weak self] in
                self?.refillThrottles()
            }
        }
    }

    /// Every tick: credit each throttled session, write what that allows, and let go of
    /// throttles with nothing left to slow.
    private func refillThrottles() {
        let now = Reactor.monotonicNow()
        // TLS passthrough throttles while a bandwidth fault is active, not just the chunks read then.
        let passthroughRate = passthrough && !plan.isEmpty ? plan.bandwidth(at: clock()) : nil
        for (slot, s) in throttled {
            if s.closed || (passthrough ? passthroughRate == nil : s.isQuiet) {
                s.upThrottle = nil
                s.downThrottle = nil
            }
            guard s.upThrottle != nil || s.downThrottle != nil else {
                // The slot may belong to a newer session by now.
                if throttled[slot] === s { throttled[slot] = nil }
                if !s.closed { settle(s) }
                continue
            }
            s.upThrottle?.refill(now: now)
            s.downThrottle?.refill(now: now)
            flushClient(s)
            flushUpstream(s)
            settle(s)
        }
        if throttled.isEmpty {
            ticker?.cancel()
            ticker = nil
        }
    }
}
