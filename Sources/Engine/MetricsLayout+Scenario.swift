import Core
import Metrics

extension MetricsLayout {
    /// The layout of a scenario's run: its request names, one window per stage (from the
    /// cumulative stage durations, on the scenario clock) and `load.warmup` as the warmup.
    ///
    /// Zero-length stages (jumps) get empty windows, so no record ever falls in them.
    public init(scenario: Scenario, percentiles: [Double] = standardPercentiles) {
        var windows: [StageWindow] = []
        var t: Int64 = 0
        for (i, stage) in scenario.load.stages.enumerated() {
            let length = max(0, stage.duration.nanoseconds)
            let name = stage.name.isEmpty ? "stage \(i + 1)" : stage.name
            windows.append(StageWindow(name: name, start: t, end: t + length))
            t += length
        }
        self.init(
            requestNames: scenario.requests.map(\.name),
            stages: windows,
            warmup: max(0, scenario.load.warmup.nanoseconds),
            percentiles: percentiles
        )
    }
}
