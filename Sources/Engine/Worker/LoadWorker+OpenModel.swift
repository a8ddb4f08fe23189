import Metrics

/// The open model: arrivals on the schedule whatever the server does; a connection per request
/// in flight, queued arrivals while connections open, drops beyond `max_in_flight`.
extension LoadWorker {
    /// Sends every arrival now due, then sleeps until the next one (or the end of the stages).
    func armPacer() {
        pacer = nil
        guard phase == .issuing, !clock.isPaused else { return }
        let now = clock.now()
        while let due = nextTime, due <= now {
            dispatch(Arrival(request: config.mix.pick(using: &rng), scheduledAt: due))
            nextArrival += config.workerCount
            nextTime = config.arrivalTime(nextArrival)
        }
        guard phase == .issuing else { return }
        // After the last arrival the run still lasts until the end of the stages.
        let wake = nextTime ?? config.duration
        if wake <= now {
            endIssuing()
            return
        }
        pacer = clock.schedule(in: wake - now) { [self] in armPacer() }
    }

    /// Sends an arrival on an idle connection, or queues it for one, or drops it.
    func dispatch(_ arrival: Arrival) {
        if outstanding >= maxOutstanding {
            recorder.recordDropped(request: arrival.request, scheduledAt: arrival.scheduledAt.value)
            return
        }
        if let connection = idle.popLast() {
            inFlight += 1
            send(arrival, on: connection, retried: false)
            return
        }
        if unreachable {
            // The target refuses connections: fail now rather than queue behind doomed connects.
            recordFailure(request: arrival.request, scheduledAt: arrival.scheduledAt, at: clock.now(), error: .connect)
            connectIdleSlots(wanted: 1)
            return
        }
        queue.append(arrival)
        connectIdleSlots(wanted: queue.count)
    }

    /// Starts connects on disconnected slots until `wanted` are under way.
    func connectIdleSlots(wanted: Int) {
        guard connecting < wanted, mayHaveDisconnected else { return }
        for connection in connections where connection.state == .disconnected {
            connect(connection)
            if connecting >= wanted { return }
        }
        mayHaveDisconnected = false
    }

    /// A connection of the open model has nothing in flight: it takes the next queued arrival.
    /// - Parameter now: the scenario time, if the caller just read it.
    func release(_ connection: Connection, now: Nanos? = nil) {
        connection.state = .idle
        if let pending = connection.pending {
            connection.pending = nil
            send(pending.arrival, on: connection, retried: pending.sentBefore, now: now)
        } else if let next = queue.popFirst() {
            inFlight += 1
            send(next, on: connection, retried: false, now: now)
        } else {
            idle.append(connection)
        }
    }

    /// Every queued arrival fails with `error` (no connection came in time, or none can).
    func failQueued(_ error: ErrorClass) {
        let now = clock.now()
        for arrival in queue.removeAll() {
            recordFailure(request: arrival.request, scheduledAt: arrival.scheduledAt, at: now, error: error)
        }
    }
}
