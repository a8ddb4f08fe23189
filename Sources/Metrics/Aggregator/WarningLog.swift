/// Distinct warnings in first-seen order, each with how often it occurred.
///
/// Bounded: after `limit` distinct messages, new ones are counted under a single overflow line,
/// so a source failing with a different message every round cannot grow memory.
struct WarningLog: Sendable {
    private var order: [String] = []
    private var counts: [String: Int] = [:]
    private var overflow = 0
    let limit: Int

    init(limit: Int = 100) { self.limit = limit }

    mutating func add(_ message: String) {
        if let n = counts[message] {
            counts[message] = n + 1
        } else if order.count < limit {
            order.append(message)
            counts[message] = 1
        } else {
            overflow += 1
        }
    }

    /// Each message once, with "(N times)" when it recurred.
    var lines: [String] {
        var result = order.map { message in
            let n = counts[message] ?? 1
            return n > 1 ? "\(message) (\(n) times)" : message
        }
        if overflow > 0 { result.append("\(overflow) more warnings not shown") }
        return result
    }
}
