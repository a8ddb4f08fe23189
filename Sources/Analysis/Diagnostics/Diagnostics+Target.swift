import Core
import Metrics

extension Diagnostics {
    /// The target at its limit: throughput levelling off while the load still rose and latency
    /// grew (a knee, either model), or — open model, constant or not — completions falling behind
    /// the arrival schedule for `shortfallMinimumSeconds` in a row. At most one issue: the knee
    /// says more.
    static func targetSaturation(_ run: SecondSeries, load: LoadSpec, generatorSaturated: Bool) -> [RunIssue] {
        let profile = LoadProfile(load)
        let caveat = generatorSaturated ? " The generator was saturated too, so this may be its limit rather than the target's." : ""
        if var issue = knee(run, profile: profile, model: load.model) {
            issue.summary += caveat
            return [issue]
        }
        if load.model == .open, var issue = shortfall(run, profile: profile) {
            issue.summary += caveat
            return [issue]
        }
        return []
    }

    private static func level(_ v: Double, _ model: LoadModel) -> String {
        model == .open ? "\(Units.formatNumber(v))/s" : "\(Int(v.rounded())) users"
    }

    /// Throughput at ≥ `kneeThroughputShare` of its peak from some second on, while the load grew
    /// by `kneeLoadGrowth` beyond that second's level and p95 by `kneeLatencyGrowth`.
    private static func knee(_ run: SecondSeries, profile: LoadProfile, model: LoadModel) -> RunIssue? {
        let T = DiagnosticThresholds.self
        let full = run.indices.filter { run.fractions[$0] >= 1 }
        guard full.count >= T.kneeMinimumSeconds else { return nil }
        let load = full.map { profile.mean(from: run.warmup + Double($0), to: run.warmup + Double($0) + 1) }
        let requests = full.map { Double(run[$0].counters.requests) }
        // Three-second centred mean: one stalled second is not a plateau.
        let smoothed = requests.indices.map { i in
            let r = max(0, i - 1)...min(requests.count - 1, i + 1)
            return r.map { requests[$0] }.reduce(0, +) / Double(r.count)
        }
        guard let peak = smoothed.max(), peak > 0,
              let knee = smoothed.firstIndex(where: { $0 >= T.kneeThroughputShare * peak }), load[knee] > 0 else { return nil }
        let loaded = (knee..<full.count).filter { load[$0] >= T.kneeLoadGrowth * load[knee] }
        guard let lastLoaded = loaded.last else { return nil }
        func p95(_ i: Int) -> Double? {
            let l = run[full[i]].latency
            return l.count >= UInt64(T.spikeMinimumSamples) ? l.value(atPercentile: 95)?.seconds : nil
        }
        let before = (0..<knee).compactMap(p95)
        guard let usual = lowerMedian(before) ?? p95(knee), usual > 0,
              let underLoad = lowerMedian(loaded.compactMap(p95)), underLoad >= T.kneeLatencyGrowth * usual else { return nil }
        let plateau = loaded.map { requests[$0] }.reduce(0, +) / Double(loaded.count)
        let topLoad = loaded.map { load[$0] }.max()!
        let from = full[knee], to = full[lastLoaded] + 1
        let rise = "load \(level(load[knee], model)) → \(level(topLoad, model)), p95 \(duration(.seconds(usual))) → \(duration(.seconds(underLoad)))"
        return RunIssue(
            kind: .targetSaturation, severity: .warning,
            summary: "The target saturated at about \(Units.formatNumber(plateau.rounded()))/s from \(CriterionFormat.clock(from)): the load rose from \(level(load[knee], model)) to \(level(topLoad, model)) while throughput stayed flat and p95 latency rose from \(duration(.seconds(usual))) to \(duration(.seconds(underLoad))).",
            evidence: .init(fromS: Double(from), toS: Double(to), metric: "throughput", value: plateau, unit: "per_second",
                            detail: rise))
    }

    /// Open model: the longest run of `shortfallMinimumSeconds`+ seconds that each completed
    /// less than `shortfallShare` of their planned arrivals.
    private static func shortfall(_ run: SecondSeries, profile: LoadProfile) -> RunIssue? {
        let T = DiagnosticThresholds.self
        let planned = run.indices.map { profile.mean(from: run.warmup + Double($0), to: run.warmup + Double($0) + 1) }
        let windows = runs(in: run.indices) { t in
            run.fractions[t] >= 1 && planned[t] >= 1 && Double(run[t].counters.requests) < T.shortfallShare * planned[t]
        }.filter { $0.count >= T.shortfallMinimumSeconds }
        guard let w = windows.max(by: { $0.count < $1.count }) else { return nil }
        let achieved = Double(run.counters(w).requests) / Double(w.count)
        let plan = w.map { planned[$0] }.reduce(0, +) / Double(w.count)
        let share = achieved / plan
        return RunIssue(
            kind: .targetSaturation, severity: share < T.shortfallCriticalShare ? .critical : .warning,
            summary: "The target fell behind the arrival schedule \(window(w)): \(Units.formatNumber(achieved.rounded()))/s completed against \(Units.formatNumber(plan.rounded()))/s planned (\(percent(share))).",
            evidence: .init(fromS: Double(w.lowerBound), toS: Double(w.upperBound), metric: "throughput", value: achieved, unit: "per_second",
                            threshold: T.shortfallShare * plan, reference: plan, detail: "\(percent(share)) of the plan"))
    }
}

/// The scenario's load level over time (arrivals per second, or users): linear ramps from the
/// level before each stage, a 0 s stage jumps, the last level holds past the end.
struct LoadProfile {
    private struct Segment {
        var start: Double, end: Double, from: Double, to: Double
    }
    private var segments: [Segment] = []
    private let initial: Double
    private let final: Double
    /// Where the level may bend: segment edges.
    private var edges: [Double] { segments.flatMap { [$0.start, $0.end] } }

    init(_ load: LoadSpec) {
        initial = load.start
        var t = 0.0, level = load.start
        for stage in load.stages {
            let d = stage.duration.seconds
            if d > 0 { segments.append(Segment(start: t, end: t + d, from: level, to: stage.target)) }
            level = stage.target
            t += d
        }
        final = level
    }

    /// The level at `t` seconds on the scenario clock.
    func level(at t: Double) -> Double {
        guard let first = segments.first else { return final }
        if t < first.start { return initial }
        for s in segments where t < s.end {
            if t < s.start { return s.from }
            return s.from + (s.to - s.from) * (t - s.start) / (s.end - s.start)
        }
        return final
    }

    /// The mean level over [a, b): exact, since the level is linear between edges.
    func mean(from a: Double, to b: Double) -> Double {
        guard b > a else { return level(at: a) }
        let cuts = ([a, b] + edges.filter { $0 > a && $0 < b }).sorted()
        var area = 0.0
        for (x0, x1) in zip(cuts, cuts.dropFirst()) where x1 > x0 {
            area += (x1 - x0) * level(at: (x0 + x1) / 2)
        }
        return area / (b - a)
    }
}
