import Core
import Engine
import Foundation
import Metrics
import Synchronization

/// Watches everything around the load while it runs (README, *What is measured*): the host (CPU, memory, load), the
/// load generator's own process, a launched target's process, and the target's Prometheus
/// metrics when `target.metrics` is set — all through one `MetricsAggregator`.
final class RunMonitor: Sendable {
    /// Source names in the aggregator and the result.
    enum Source {
        static let host = "host"
        static let generator = "generator"
        static let target = "target"
        static let prometheus = "prometheus"
    }

    let aggregator: MetricsAggregator
    private let generatorThreads: Int
    private let warmup: Duration

    init(scenario: Scenario, target: TargetSession, generatorThreads: Int) {
        let seconds = Int(scenario.load.totalDuration.seconds.rounded(.up))
        aggregator = MetricsAggregator(bufferSize: max(3600, seconds + 120), aggregationInterval: .seconds(1))
        self.generatorThreads = generatorThreads
        warmup = scenario.load.warmup
        aggregator.registerMetricSource(Source.host, category: .system, HostSampler())
        aggregator.registerMetricSource(Source.generator, category: .agents, ProcessSampler())
        if let pid = target.processID {
            // Follows the target across a restart (a `kill` fault).
            aggregator.registerMetricSource(Source.target, category: .system, ProcessSampler(following: { [weak target] in target?.processID ?? pid }))
        }
        if let path = scenario.target.metrics, let endpoint = target.endpoint {
            aggregator.registerMetricSource(Source.prometheus, category: .business, PrometheusSource(PrometheusScraper(endpoint: endpoint, path: path)))
        }
    }

    func start() { aggregator.startCollection() }

    /// Stops collecting and reports what was seen.
    func finish() async -> MonitorReport {
        await aggregator.stopCollection()
        await aggregator.collectOnce()
        var snapshots: [MetricSnapshot] = []
        for category in MetricCategory.allCases {
            snapshots += aggregator.metricsHistory(category, count: .max)
        }
        snapshots.sort { ($0.time, $0.source) < ($1.time, $1.source) }

        var prom = PromSeriesBuilder()
        var saturation = GeneratorSaturation()
        var hostCPU: Double?
        for s in snapshots {
            switch s.source {
            case Source.prometheus:
                let t = s.time - warmup
                if t >= .zero { prom.add(second: Int(t.seconds), values: s.values) }
            case Source.host:
                hostCPU = s.values[HostSampler.Key.cpuPercent]
            case Source.generator:
                if let cpu = s.values[ProcessSampler.Key.cpuPercent] {
                    _ = saturation.record(.init(cpuPercent: cpu, threads: generatorThreads, hostCPUPercent: hostCPU))
                }
            default:
                break
            }
        }
        var warnings = aggregator.warnings
        if let warning = saturation.warning { warnings.append(warning) }
        return MonitorReport(snapshots: snapshots, prometheus: prom.build(), warnings: warnings)
    }
}

/// What the monitor saw during a run.
public struct MonitorReport: Sendable {
    /// Every source's samples, oldest first; times from the start of the load.
    public var snapshots: [MetricSnapshot]
    /// Target metrics per measured second (`NaN` where a scrape had nothing), for `prom:` criteria.
    public var prometheus: [String: [Double]]
    public var warnings: [String]

    public static let empty = MonitorReport(snapshots: [], prometheus: [:], warnings: [])
}

/// Scrapes the target's Prometheus endpoint, turning counters into per-second rates.
final class PrometheusSource: MetricSource {
    private let scraper: PrometheusScraper
    private let tracker = Mutex(PromRateTracker())
    private let clock = SystemTimeSource()

    init(_ scraper: PrometheusScraper) { self.scraper = scraper }

    func collect() async throws -> [String: Double] {
        let text = try await scraper.scrape()
        let families = try PrometheusParser.parse(text)
        let now = clock.now()
        return tracker.withLock { $0.update(families, at: now) }
    }
}
