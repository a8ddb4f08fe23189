import Core

extension ResultChecker {
    /// The injected faults of a stored result: times and counts within bounds, so reports and
    /// `recovery_time` read back from a file cannot trap.
    func faults(_ list: [ResultDocument.FaultRecord]) throws(StressError) {
        try length(list.count, "faults")
        for (i, f) in list.enumerated() {
            let path = "faults[\(i)]"
            try length(f.parameters.count, "\(path).parameters", limit: 16)
            for (key, span) in [("planned", f.planned), ("actual", f.actual)] {
                guard let span else { continue }
                try seconds(span.startS, "\(path).\(key).start_s")
                try number(span.endS, "\(path).\(key).end_s", span.startS...ResultDocument.Limits.seconds, "the end of a span")
            }
            if let n = f.requests { try count(n, "\(path).requests") }
            if let n = f.affected {
                try count(n, "\(path).affected")
                if let requests = f.requests { try notAbove(n, requests, "\(path).affected", "requests") }
            }
            if let r = f.restart {
                for (key, value) in [("killed_s", r.killedS), ("started_s", r.startedS), ("ready_s", r.readyS)] {
                    if let value { try seconds(value, "\(path).restart.\(key)") }
                }
            }
            if let s = f.recoveryS { try seconds(s, "\(path).recovery_s") }
            if let level = f.recoveryErrorRateLevel { try number(level, "\(path).recovery_error_rate_level", 0...ResultDocument.Limits.value, "a level") }
            if let level = f.recoveryP95LevelMs { try number(level, "\(path).recovery_p95_level_ms", 0...ResultDocument.Limits.milliseconds, "a latency in milliseconds") }
        }
    }
}
