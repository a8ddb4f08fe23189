/// Timeouts: the sweep that ends requests and connects past their deadline, and the drain
/// deadline for arrivals still queued when the schedule ends.
extension LoadWorker {
    /// How often the sweep looks for timed-out requests: a tenth of the timeout, between 1 ms and
    /// 100 ms, so a timeout fires at most 10% (and 100 ms) late.
    static func sweepInterval(timeout: Nanos) -> Nanos {
        min(.milliseconds(100), max(.milliseconds(1), Nanos(timeout.value / 10)))
    }

    /// Ends every request past its deadline as a timeout, and every connect past the connect
    /// timeout as a connect failure.
    func sweepTimeouts() {
        let now = clock.now()
        for connection in connections {
            if connection.state == .connecting {
                if now - connection.connectStartedAt >= config.connectTimeout { connectFailed(connection) }
                continue
            }
            guard let current = connection.current, current.deadline <= now else { continue }
            complete(connection, status: 0, error: .timeout)
            connection.disconnect()
            afterClose(connection)
        }
    }

    /// Arrivals still queued when issuing ends get at most one timeout to find a connection;
    /// then they count as timeouts.
    func armDrainDeadline() {
        guard drainDeadline == nil else { return }
        drainDeadline = clock.schedule(in: config.timeout) { [self] in
            failQueued(.timeout)
            checkDone()
        }
    }
}
