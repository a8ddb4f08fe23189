/// The closed model: virtual users, each a connection slot, that send, wait for the response,
/// think, and send again; the profile sets how many are active.
extension LoadWorker {
    /// Brings the number of active users on this loop to the profile's level.
    func adjustUsers() {
        guard phase == .issuing, !clock.isPaused else { return }
        let now = clock.now()
        if now >= config.duration {
            endIssuing()
            return
        }
        let total = config.schedule.users(at: now.value)
        let w = config.workerCount
        let mine = total > index ? (total - index + w - 1) / w : 0
        while connections.count < mine { connections.append(Connection(slot: connections.count)) }
        for (i, user) in connections.enumerated() {
            if i < mine && !user.isActiveUser {
                user.userState = .active
                userNext(user)
            } else if i >= mine && user.isActiveUser {
                deactivate(user)
            }
        }
    }

    func deactivate(_ user: Connection) {
        user.userState = .inactive
        user.thinkTask?.cancel()
        user.thinkTask = nil
    }

    /// A user's next step: send when connected, connect when not, wait when paused.
    /// - Parameter now: the scenario time, if the caller just read it.
    func userNext(_ user: Connection, now: Nanos? = nil) {
        guard user.isActiveUser, isIssuing, user.current == nil else { return }
        if phase == .paused {
            user.userState = .parked
            return
        }
        user.userState = .active
        switch user.state {
        case .idle:
            let now = now ?? clock.now()
            guard now < config.duration else { return endIssuing() }
            inFlight += 1
            send(Arrival(request: config.mix.pick(using: &rng), scheduledAt: now), on: user, retried: false, now: now)
        case .disconnected:
            connect(user)
        case .connecting, .busy, .backoff:
            break
        }
    }

    /// A user's request finished: think, then go again.
    func userFinished(_ user: Connection, now: Nanos? = nil) {
        guard user.isActiveUser, isIssuing else { return }
        if config.think > .zero {
            user.thinkTask = clock.schedule(in: config.think) { [self] in
                user.thinkTask = nil
                userNext(user)
            }
        } else {
            userNext(user, now: now)
        }
    }
}
