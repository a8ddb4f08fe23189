import Core
import Metrics

/// What every worker of a run shares: the profile, the requests, and limits.
struct WorkerConfig: Sendable {
    var model: LoadModel
    var schedule: ArrivalSchedule
    var requests: [PreparedRequest]
    var mix: RequestMix
    /// How long a request may take, from its send to its response's last byte.
    var timeout: Nanos
    /// Closed model: a user's pause between a response and its next request.
    var think: Nanos
    var keepalive: Bool
    var workerCount: Int
    var layout: MetricsLayout
    /// How long a failed connect waits before the slot tries again.
    var connectBackoff = Nanos.milliseconds(100)

    /// How long a connect (with TLS: and its handshake) may take.
    var connectTimeout: Nanos { min(timeout, .seconds(10)) }

    /// The end of the last stage (scenario clock).
    var duration: Nanos { Nanos(schedule.duration) }

    /// When arrival `i` of the whole run is due (scenario clock); nil past the end.
    @inline(__always)
    func arrivalTime(_ i: Int) -> Nanos? { schedule.arrivalTime(i).map(Nanos.init) }
}
