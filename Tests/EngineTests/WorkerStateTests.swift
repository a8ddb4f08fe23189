import Core
import Metrics
import Testing
@testable import Engine

/// The worker's state logic without sockets: a fake transport answers as each test says, and a
/// manual clock moves only when told, so counts and times are exact.
@Suite struct WorkerStateTests {
    // MARK: - Open model

    @Test func arrivalsBeyondMaxInFlightAreDroppedNotQueued() {
        // 10/s: arrivals at 50, 150, … 950 ms; each answered 250 ms later; at most 2 outstanding.
        let rig = WorkerRig(level: 10, seconds: 1, connections: 4, maxInFlight: 2)
        rig.transport.answer = { _, _ in .respond(after: .milliseconds(250)) }
        rig.start()
        rig.clock.advance(to: .seconds(2))

        // At 250, 550 and 850 ms two requests are outstanding: those arrivals are dropped.
        #expect(rig.transport.requestTimes == [50, 150, 350, 450, 650, 750, 950].map(ms))
        #expect(rig.counters.dropped == 3)
        #expect(rig.counters.requests == 7)
        #expect(rig.counters.errors.total == 0)
        // The last response (sent at 950 ms) ends the run.
        #expect(rig.finishedAt == ms(1200))
    }

    @Test func pauseHoldsArrivalsAndShiftsTheSchedule() {
        let rig = WorkerRig(level: 10, seconds: 1, connections: 2)
        rig.transport.answer = { _, _ in .respond(after: .milliseconds(10)) }
        rig.start()
        rig.clock.advance(to: ms(260))
        #expect(rig.transport.requestTimes == [50, 150, 250].map(ms))

        rig.clock.pause()
        rig.worker.pause()
        rig.clock.advance(by: .seconds(1))
        #expect(rig.transport.requestTimes.count == 3)

        rig.clock.resume()
        rig.worker.resume()
        // Arrival 3 was due at 350 ms of scenario time: 1 s later on the monotonic clock.
        rig.clock.advance(to: ms(1349))
        #expect(rig.transport.requestTimes.count == 3)
        rig.clock.advance(to: ms(1350))
        #expect(rig.transport.requestTimes.count == 4)

        rig.clock.advance(to: .seconds(5))
        #expect(rig.transport.requestTimes == stride(from: 50, through: 950, by: 100).map(ms))
        #expect(rig.counters.requests == 10)
        // Every arrival went out on time (the histogram's floor is 1 µs): the pause shifted them all.
        #expect(rig.worker.recorder.sendLag.count == 10)
        #expect(rig.worker.recorder.sendLag.max == .microseconds(1))
        #expect(rig.finishedAt == .seconds(1))
    }

    @Test func atTheEndInFlightRequestsGetTheirTimeoutAndQueuedOnesTheDrainDeadline() {
        // One connection, a server that never answers, a 2 s timeout: arrival 0 goes out at
        // 50 ms, the nine others queue behind it.
        let rig = WorkerRig(level: 10, seconds: 1, connections: 1, timeout: .seconds(2))
        rig.transport.answer = { _, _ in .silence }
        rig.start()
        rig.clock.advance(to: ms(2099))
        #expect(rig.transport.requestTimes == [ms(50)])
        #expect(rig.counters.requests == 0)

        // 2050 ms: arrival 0 times out (found by the sweep at 2100 ms, a tenth of the timeout
        // late at most); its connection is replaced and takes the next queued arrival.
        rig.clock.advance(to: ms(2100))
        #expect(rig.counters.errors.timeout == 1)
        #expect(rig.transport.requestTimes == [ms(50), ms(2100)])

        // The drain deadline, one timeout after the end of the schedule: the eight arrivals
        // still queued count as timeouts.
        rig.clock.advance(to: ms(2999))
        #expect(rig.counters.errors.timeout == 1)
        rig.clock.advance(to: ms(3000))
        #expect(rig.counters.errors.timeout == 9)
        #expect(rig.finishedAt == nil)

        // The request sent at 2100 ms gets its whole timeout.
        rig.clock.advance(to: .seconds(10))
        #expect(rig.counters.errors.timeout == 10)
        #expect(rig.counters.requests == 10)
        #expect(rig.finishedAt == ms(4100))
    }

    // MARK: - Connections

    @Test func aKeptAliveConnectionClosedUnderARequestIsRetriedOnceOnANewOne() throws {
        // Arrivals at 50 and 150 ms on one connection; the server closed it as idle just as the
        // second request went out.
        let rig = WorkerRig(level: 10, seconds: 0.2, connections: 1)
        rig.transport.answer = { socket, n in
            socket.index == 0 && n == 1 ? .close(after: .zero) : .respond(after: .milliseconds(10))
        }
        rig.start()
        rig.clock.advance(to: .seconds(1))

        try #require(rig.transport.sockets.count == 2)
        #expect(rig.transport.sockets[0].requests == [ms(50), ms(150)])
        #expect(rig.transport.sockets[1].requests == [ms(150)])
        #expect(rig.counters.requests == 2)
        #expect(rig.counters.errors.total == 0)
        #expect(rig.counters.responses(withStatus: 200) == 2)
        #expect(rig.finishedAt == ms(200))
    }

    @Test func aRetriedRequestClosedAgainIsAReset() {
        let rig = WorkerRig(level: 10, seconds: 0.2, connections: 1)
        rig.transport.answer = { socket, n in
            socket.index == 0 && n == 0 ? .respond(after: .milliseconds(10)) : .close(after: .zero)
        }
        rig.start()
        rig.clock.advance(to: .seconds(1))

        // One retry, no more.
        #expect(rig.transport.sockets.count == 2)
        #expect(rig.counters.requests == 2)
        #expect(rig.counters.errors.reset == 1)
        #expect(rig.counters.responses(withStatus: 200) == 1)
    }

    @Test func aFailedConnectBacksOffBeforeTheUserTriesAgain() {
        // Closed model, one user; every connect fails 30 ms after it starts, then waits 100 ms.
        let rig = WorkerRig(model: .closed, level: 1, seconds: 1)
        rig.transport.connectOutcome = .fail
        rig.transport.connectLatency = .milliseconds(30)
        rig.transport.answer = { _, _ in .respond(after: .milliseconds(100)) }
        rig.start()
        rig.clock.advance(to: ms(500))
        #expect(rig.transport.connectAttempts == [0, 130, 260, 390].map(ms))
        #expect(rig.counters.errors.connect == 4)

        // The target comes up: the next attempt (at 520 ms) connects and the user sends.
        rig.transport.connectOutcome = .accept
        rig.clock.advance(to: .seconds(2))
        #expect(rig.transport.connectAttempts == [0, 130, 260, 390, 520].map(ms))
        #expect(rig.transport.requestTimes == [550, 650, 750, 850, 950].map(ms))
        #expect(rig.counters.requests == 4 + 5)
        #expect(rig.counters.errors.total == 4)
        #expect(rig.finishedAt == ms(1050))
    }

    @Test func queuedArrivalsFailFastWhileTheTargetRefusesConnections() {
        // Open model, one connection refused at once: each arrival fails as a connect error
        // without waiting, and the slot retries at most once per back-off.
        let rig = WorkerRig(level: 20, seconds: 1, connections: 1)
        rig.transport.connectOutcome = .refuseAtOnce
        rig.start()
        rig.clock.advance(to: .seconds(2))

        #expect(rig.transport.requestTimes.isEmpty)
        #expect(rig.counters.requests == 20)
        #expect(rig.counters.errors.connect == 20)
        // The pre-connect fails at 0; the slot backs off until 100 ms, so the arrival at 125 ms
        // is the first to try again, and from then on one arrival every 100 ms finds the slot
        // just out of its back-off.
        #expect(rig.transport.connectAttempts == [0, 125, 225, 325, 425, 525, 625, 725, 825, 925].map(ms))
        #expect(rig.finishedAt == .seconds(1))
    }

    @Test func whatTheSocketDoesNotTakeIsSentWhenItIsWritable() throws {
        let rig = WorkerRig(level: 10, seconds: 0.1, connections: 1)
        rig.start()
        let socket = try #require(rig.transport.sockets.first)
        socket.writeLimit = 10
        rig.clock.advance(to: ms(50))
        // Ten bytes went out; the rest waits for the socket to become writable.
        #expect(socket.partial.count == 10)
        #expect(socket.requests.isEmpty)
        #expect(socket.interest == [.readable, .writable])

        socket.writeLimit = 0
        rig.transport.deliver(socket.token, .writable)
        #expect(socket.partial.count == 10)
        socket.writeLimit = nil
        rig.transport.deliver(socket.token, .writable)
        #expect(socket.requests == [ms(50)])
        #expect(socket.interest == .readable)

        rig.clock.advance(to: .seconds(1))
        #expect(rig.counters.requests == 1)
        #expect(rig.counters.responses(withStatus: 200) == 1)
        #expect(rig.counters.bytesOut > 10)
    }

    // MARK: - Closed model

    @Test func aUserThinksBetweenAResponseAndItsNextRequest() {
        let rig = WorkerRig(model: .closed, level: 1, seconds: 1, think: .milliseconds(200))
        rig.transport.answer = { _, _ in .respond(after: .milliseconds(50)) }
        rig.start()
        rig.clock.advance(to: .seconds(2))

        // 50 ms of response, then 200 ms of thinking: a request every 250 ms.
        #expect(rig.transport.requestTimes == [0, 250, 500, 750].map(ms))
        #expect(rig.counters.requests == 4)
        #expect(rig.counters.errors.total == 0)
        #expect(rig.finishedAt == .seconds(1))
    }

    @Test func usersPausedMidThinkWaitForTheResume() {
        let rig = WorkerRig(model: .closed, level: 1, seconds: 1, think: .milliseconds(200))
        rig.transport.answer = { _, _ in .respond(after: .milliseconds(50)) }
        rig.start()
        rig.clock.advance(to: ms(100))
        rig.clock.pause()
        rig.worker.pause()
        // The think time ends at 250 ms (monotonic) during the pause: the user parks.
        rig.clock.advance(to: ms(600))
        #expect(rig.transport.requestTimes == [ms(0)])

        rig.clock.resume()
        rig.worker.resume()
        rig.clock.advance(to: ms(600))
        // The user goes at once, at scenario time 100 ms.
        #expect(rig.transport.requestTimes == [ms(0), ms(100)])
    }
}

/// Milliseconds as `Nanos`.
private func ms(_ n: Int64) -> Nanos { .milliseconds(n) }

/// A worker on a fake transport and a manual clock, for one scenario.
private final class WorkerRig {
    let worker: LoadWorker<FakeTransport, ManualClock>
    let transport: FakeTransport
    let clock = ManualClock()
    /// The scenario time at which the worker finished, once it did.
    private(set) var finishedAt: Nanos?

    init(model: LoadModel = .open, level: Double, seconds: Double, connections: Int = 1, maxInFlight: Int = 1024,
         timeout: Duration = .seconds(5), think: Duration = .zero) {
        let scenario = makeScenario(model: model, level: level, seconds: seconds, connections: connections,
                                    maxInFlight: maxInFlight, timeout: timeout, think: think)
        let load = scenario.load
        let endpoint = Endpoint(host: "127.0.0.1", port: 8080)
        let config = WorkerConfig(
            model: load.model, schedule: ArrivalSchedule(load),
            requests: scenario.requests.map { PreparedRequest($0, endpoint: endpoint, keepalive: load.keepalive) },
            mix: RequestMix(weights: scenario.requests.map(\.weight)),
            timeout: Nanos(load.timeout), think: Nanos(load.think), keepalive: load.keepalive,
            workerCount: 1, layout: MetricsLayout(scenario: scenario))
        transport = FakeTransport(clock: clock)
        worker = LoadWorker(index: 0, transport: transport, clock: clock, config: config,
                            connections: load.connections, maxOutstanding: load.maxInFlight)
        transport.deliver = { [unowned worker] token, readiness in worker.handle(token, readiness) }
    }

    /// Opens the connections (open model), then starts the scenario clock and the load at
    /// time zero.
    func start() {
        var preconnected = false
        worker.preconnect { preconnected = true }
        clock.advance(by: .zero)
        #expect(preconnected)
        clock.start()
        worker.start()
        worker.whenFinished { [unowned self] in finishedAt = clock.now() }
    }

    /// Everything the recorder counted (one request, one stage).
    var counters: Counters { worker.recorder.snapshot().cells[0][0].counters }
}
