import Core
import Results

extension RunIssue {
    /// The kind for people: `error burst`, `generator saturation`.
    public var title: String { kind.rawValue.replacingOccurrences(of: "_", with: " ") }
}

extension RunIssue.Evidence {
    /// The window on the measured clock: `00:12–00:15`, or `00:12` for a single second.
    public var window: String {
        let r = seconds
        return r.count == 1 ? CriterionFormat.clock(r.lowerBound) : "\(CriterionFormat.clock(r.lowerBound))–\(CriterionFormat.clock(r.upperBound))"
    }

    /// The whole measured seconds the window touches (at least one).
    var seconds: Range<Int> {
        let from = Int(fromS)
        return from..<max(Int(toS.rounded(.up)), from + 1)
    }

    /// One line for reports: `00:02–00:04 · error rate 37% (threshold 5%, rest of the run 0.1%) · 52 events · timeout (80%)`.
    public var text: String {
        var parts = [window]
        var measured = "\(Self.names[metric] ?? metric.replacingOccurrences(of: "_", with: " ")) \(format(value))"
        let levels = [threshold.map { "threshold \(format($0))" }, reference.map { "\(Self.referenceNames[metric] ?? "reference") \(format($0))" }].compactMap { $0 }
        if !levels.isEmpty { measured += " (\(levels.joined(separator: ", ")))" }
        parts.append(measured)
        if let count { parts.append(count == 1 ? "1 event" : "\(CriterionFormat.count(count)) events") }
        if let detail { parts.append(detail) }
        return parts.joined(separator: " · ")
    }

    private static let names = [
        "error_rate": "error rate", "p99_latency": "p99", "generator_cpu_percent": "generator CPU", "host_cpu_percent": "host CPU",
        "send_lag_p99": "send lag p99", "dropped_share": "dropped", "process_start_time_seconds": "process start time",
        "connect_errors": "connection errors",
    ]

    /// What the reference is to each metric.
    private static let referenceNames = [
        "error_rate": "rest of the run", "p99_latency": "usual", "generator_cpu_percent": "capacity",
        "throughput": "planned", "process_start_time_seconds": "before",
    ]

    private func format(_ v: Double) -> String {
        switch unit {
        case .fraction: "\(Units.formatNumber(v * 100))%"
        case .milliseconds: Units.formatMilliseconds(v)
        case .percent: "\(Int(v.rounded()))%"
        case .perSecond: "\(Units.formatNumber(v.rounded()))/s"
        case .count: CriterionFormat.count(Int(v.rounded()))
        case .seconds: "\(Units.formatNumber(v))s"
        }
    }
}
