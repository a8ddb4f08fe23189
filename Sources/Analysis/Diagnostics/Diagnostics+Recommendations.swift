import Core
import Foundation
import Results

extension Diagnostics {
    /// One plain sentence per action the issues call for, most fundamental first (a saturated
    /// generator makes every other number suspect), each naming its evidence; none without issues.
    static func recommendations(for issues: [RunIssue], input: Input) -> [String] {
        func of(_ kind: RunIssue.Kind, _ metric: String? = nil) -> [RunIssue] {
            issues.filter { $0.kind == kind && (metric == nil || $0.evidence.metric == metric) }
        }
        let log = input.launchedTarget ? "target.log" : "the target's logs"
        var out: [String] = []
        func add(_ sentence: String) {
            if !out.contains(sentence) { out.append(sentence) }
        }

        if let cpu = of(.generatorSaturation, "generator_cpu_percent").first {
            let peak = "\(Int(cpu.evidence.value.rounded()))%"
            add(input.embeddedTarget
                ? "Run the target outside stress-ci (target.url, or target.start on another machine): the embedded demo target shares the process and its CPU (up to \(peak) of one core) with the load generator, so the numbers above measure the generator as much as the target."
                : "Raise --threads (now \(input.generatorThreads)) or run stress-ci on a separate machine: the generator's CPU reached \(peak) of one core, so the numbers above measure the generator as much as the target.")
        }
        if let host = of(.generatorSaturation, "host_cpu_percent").first {
            add("Run stress-ci on a less busy machine or a dedicated CI runner: the host's CPU was at \(Int(host.evidence.value.rounded()))% \(around([host], input)), so the numbers above measure the machine as much as the target.")
        }
        if let lag = of(.generatorSaturation, "send_lag_p99").first {
            add("Raise load.connections (now \(input.load.connections)) so that arrivals need not wait for a free connection, or --threads if the generator's CPU was busy: requests left up to \(Units.formatMilliseconds(lag.evidence.value)) (p99) after their scheduled time.")
        }
        let restarts = of(.targetRestart)
        if !restarts.isEmpty {
            add("Look at \(log) \(around(restarts, input)) for why the target restarted (a crash, the OOM killer, a health check that killed it): requests failed while it came back.")
        }
        let bursts = of(.errorBurst)
        if !bursts.isEmpty {
            let classes = Set(bursts.compactMap { $0.evidence.detail?.split(separator: " ").first.map(String.init) })
            var why = "that is where the errors came in bursts"
            if classes == ["timeout"] {
                why = "the target did not answer within the \(Units.formatDuration(input.load.timeout)) timeout there (a pause, a lock, a full pool)"
            } else if classes == ["status"] {
                why = "the target answered with errors there, so its own log says why"
            }
            add("Look at \(log) \(around(bursts, input)): \(why).")
        }
        let spikes = of(.latencySpike)
        if !spikes.isEmpty {
            add("Find what the target was doing \(around(spikes, input)) — garbage collection, a lock, a flush to disk, a cold cache, a full pool: latency jumped there with no change in the load.")
            if input.load.warmup == .zero, spikes.contains(where: { $0.evidence.seconds == 0..<1 }) {
                add("Add a warmup (load.warmup, e.g. 5s) so that opening connections and cold caches stay out of the statistics: the run's first second was a spike.")
            }
        }
        if let dropped = of(.droppedArrivals).first {
            add("Raise load.max_in_flight (now \(input.load.maxInFlight)) and load.connections (now \(input.load.connections)) if the target can take more concurrent requests; if it cannot, the arrival rate is beyond what it sustains — \(CriterionFormat.count(dropped.evidence.count ?? 0)) arrivals were never sent, so lower the rate or treat it as the limit.")
        }
        if let saturated = of(.targetSaturation).first {
            add("Treat about \(Units.formatNumber(saturated.evidence.value.rounded()))/s as the target's capacity under this scenario, or profile it at that load (CPU, connection and thread pools, locks) to raise it.")
        }
        return out
    }

    /// `around 00:12–00:15 and 00:40 of the measured run (10:04:17–10:04:20 and 10:04:45 UTC)`:
    /// where to look, on the wall clock too when the run's start is known.
    private static func around(_ issues: [RunIssue], _ input: Input) -> String {
        var text = "around \(list(issues.map(\.evidence.window))) of the measured run"
        if let start = input.measuredStart {
            let clocks = issues.map { issue in
                let r = issue.evidence.seconds
                let a = wallClock(start.addingTimeInterval(Double(r.lowerBound))), b = wallClock(start.addingTimeInterval(Double(r.upperBound)))
                return r.count == 1 ? a : "\(a)–\(b)"
            }
            text += " (\(list(clocks)) UTC)"
        }
        return text
    }

    /// `a`, `a and b`, `a, b and 3 more`: at most two windows by name.
    private static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return "\(items[0]), \(items[1]) and \(items.count - 2) more"
        }
    }

    /// `10:04:17`, in UTC.
    private static func wallClock(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}
