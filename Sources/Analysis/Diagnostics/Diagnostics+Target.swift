import Core
import Metrics
import Results

extension Diagnostics {
    /// The target at its limit: throughput levelling off while the load still rose and latency
    /// grew (a knee, either model), or — open model, constant or not — completions falling behind
    /// the arrival schedule for `shortfallMinimumSeconds` in a row. At most one issue: the knee
    /// says more.
    static func targetSaturation(_ run: SecondSeries, load: LoadSpec, generatorSaturated: Bool) -> [RunIssue] {
        let profile = ArrivalSchedule(load)
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

    /// The planned level (arrivals per second, or users) over measured second `i`.
    private static func plannedLevel(_ profile: ArrivalSchedule, second i: Int, warmup: Double) -> Double {
        let start = Int64(((warmup + Double(i)) * 1e9).rounded())
        return profile.meanLevel(from: start, to: start + 1_000_000_000)
    }

    private static func level(_ v: Double, _ model: LoadModel) -> String {
        model == .open ? "\(Units.formatNumber(v))/s" : "\(Int(v.rounded())) users"
    }

    /// Throughput at ≥ `kneeThroughputShare` of its peak from some second on, while the load grew
    /// by `kneeLoadGrowth` beyond that second's level and p95 by `kneeLatencyGrowth`.
    private static func knee(_ run: SecondSeries, profile: ArrivalSchedule, model: LoadModel) -> RunIssue? {
        let T = DiagnosticThresholds.self
        let full = run.indices.filter { run.fractions[$0] >= 1 }
        guard full.count >= T.kneeMinimumSeconds else { return nil }
        let load = full.map { plannedLevel(profile, second: $0, warmup: run.warmup) }
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
            evidence: .init(fromS: Double(from), toS: Double(to), metric: "throughput", value: plateau, unit: .perSecond,
                            detail: rise))
    }

    /// Open model: the longest run of `shortfallMinimumSeconds`+ seconds that each completed
    /// less than `shortfallShare` of their planned arrivals.
    private static func shortfall(_ run: SecondSeries, profile: ArrivalSchedule) -> RunIssue? {
        let T = DiagnosticThresholds.self
        let planned = run.indices.map { plannedLevel(profile, second: $0, warmup: run.warmup) }
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
            evidence: .init(fromS: Double(w.lowerBound), toS: Double(w.upperBound), metric: "throughput", value: achieved, unit: .perSecond,
                            threshold: T.shortfallShare * plan, reference: plan, detail: "\(percent(share)) of the plan"))
    }
}
