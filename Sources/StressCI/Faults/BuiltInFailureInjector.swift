import Core
import Engine
import Synchronization

/// The failure injector `run` uses (README, *Failure injection*): network faults through a
/// `FaultProxy` it starts on 127.0.0.1 in front of the target, `kill` and `pause` on a launched
/// target's process group.
public final class BuiltInFailureInjector: FailureInjector {
    private struct State {
        var scenario: Scenario?
        var processes: ProcessFaults?
        var proxy: FaultProxy?
        /// The scenario's index of each fault given to the proxy, in the proxy's order.
        var proxied: [Int] = []
        var clock: (@Sendable () -> Duration)?
    }

    private let seed: UInt64
    private let state = Mutex(State())

    /// - Parameter seed: seeds the proxy's rate decisions and jitter (the same seed, the same
    ///   requests meet the same faults).
    public init(seed: UInt64 = 0x5EED_FA17) {
        self.seed = seed
    }

    public func prepare(scenario: Scenario, target: TargetSession) async throws -> FaultRoute? {
        let indexed = scenario.faults.enumerated().map { (index: $0.offset, spec: $0.element) }
        let process = indexed.filter { $0.spec.kind.isProcessFault }
        let network = indexed.filter { !$0.spec.kind.isProcessFault }
        var processes: ProcessFaults?
        if !process.isEmpty {
            guard let launched = target as? ProcessFaultTarget else {
                throw StressError(.usage, "`kill` and `pause` faults need a target the runner starts", hint: "add `target.start`")
            }
            processes = ProcessFaults(faults: process, target: launched)
        }
        var route: FaultRoute?
        var proxy: FaultProxy?
        if !network.isEmpty {
            guard let upstream = target.endpoint else {
                throw StressError(.usage, "network faults need an HTTP target for the fault proxy to forward to")
            }
            let faults = network.map { Self.proxyFault($0.spec, requestIndex: $0.spec.request.flatMap { name in scenario.requests.firstIndex { $0.name == name } }) }
            let started = try FaultProxy(upstream: upstream, passthroughTLS: upstream.tls, faults: faults, seed: seed,
                                         now: { [weak self] in self?.scenarioNanoseconds() ?? 0 })
            let port = try started.start()
            proxy = started
            var endpoint = upstream
            endpoint.host = "127.0.0.1"
            endpoint.port = port
            route = FaultRoute(endpoint: endpoint, tagRequests: network.contains { $0.spec.request != nil })
        }
        state.withLock {
            $0.scenario = scenario
            $0.processes = processes
            $0.proxy = proxy
            $0.proxied = network.map(\.index)
        }
        return route
    }

    /// The scenario clock for the proxy: 0 until the load starts.
    private func scenarioNanoseconds() -> Int64 {
        state.withLock { $0.clock }.map { $0().nanoseconds } ?? 0
    }

    public func start(clock: @escaping @Sendable () -> Duration) {
        let processes = state.withLock { s -> ProcessFaults? in
            s.clock = clock
            return s.processes
        }
        processes?.start(clock: clock)
    }

    public func finish() async -> [InjectedFault] {
        let (scenario, processes, proxy, proxied, clock) = state.withLock { ($0.scenario, $0.processes, $0.proxy, $0.proxied, $0.clock) }
        guard let scenario else { return [] }
        let now = clock?() ?? .zero
        var outcomes = scenario.faults.indices.map { InjectedFault(index: $0) }
        for outcome in await processes?.finish(at: now) ?? [] where outcomes.indices.contains(outcome.index) {
            outcomes[outcome.index] = outcome
        }
        if let report = proxy?.stop() {
            for (index, counts) in zip(proxied, report.faults) where outcomes.indices.contains(index) {
                // A network fault is in force for its whole window, or until the load ended.
                let fault = scenario.faults[index]
                guard fault.at <= now else { continue }
                outcomes[index].started = fault.at
                outcomes[index].ended = min(fault.at + fault.duration, now)
                outcomes[index].requests = counts.requests
                outcomes[index].affected = counts.affected
            }
        }
        return outcomes
    }

    /// A scenario fault as the proxy takes it (times in scenario nanoseconds).
    static func proxyFault(_ fault: FaultSpec, requestIndex: Int?) -> ProxyFault {
        let kind: ProxyFault.Kind = switch fault.kind {
        case .latency: .latency(delay: fault.delay.nanoseconds, jitter: fault.jitter.nanoseconds)
        case .error: .error(status: fault.status, rate: fault.rate)
        case .reset: .reset(rate: fault.rate)
        case .blackhole: .blackhole
        case .bandwidth: .bandwidth(bytesPerSecond: max(1, min(fault.bytesPerSecond, 1 << 33)))
        case .kill, .pause: .blackhole  // never given to the proxy
        }
        let start = fault.at.nanoseconds
        return ProxyFault(kind: kind, start: start, end: max(start &+ 1, (fault.at + fault.duration).nanoseconds), requestIndex: requestIndex)
    }
}

extension Scenario {
    /// When each fault that ran was in force, named as reports name it, for `recovery_time`.
    public func faultWindows(_ injected: [InjectedFault]) -> [FaultWindow] {
        injected.compactMap { outcome in
            guard faults.indices.contains(outcome.index), let start = outcome.started else { return nil }
            let fault = faults[outcome.index]
            // Still in force when the run ended: nothing after it to recover in.
            return FaultWindow(name: fault.displayName(index: outcome.index), start: start, end: outcome.ended ?? max(start, load.totalDuration))
        }
    }
}
