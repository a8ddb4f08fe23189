/// "Did you mean …?" suggestions for misspelled keys, metrics, stage names and the like.
public enum Suggest {
    /// The candidate closest to `word`: within edit distance 2 (case-insensitive), or one that
    /// starts with `word` (or that `word` starts with). `nil` when nothing is close enough.
    public static func closest(_ word: String, in candidates: some Sequence<String>) -> String? {
        let w = word.lowercased()
        guard !w.isEmpty else { return nil }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let c = candidate.lowercased()
            guard c != w else { continue }
            let distance: Int
            let edits = levenshtein(Array(w), Array(c), limit: 2)
            if edits <= 2, edits < max(w.count, c.count) {
                distance = edits
            } else if min(w.count, c.count) >= 2, c.hasPrefix(w) || w.hasPrefix(c) {
                distance = 3  // a prefix match ranks below any close spelling
            } else {
                continue
            }
            if let current = best, current.distance <= distance { continue }
            best = (candidate, distance)
        }
        return best?.candidate
    }

    /// `did you mean `x`?` for the closest candidate, or nil.
    public static func hint(for word: String, in candidates: some Sequence<String>) -> String? {
        closest(word, in: candidates).map { "did you mean `\($0)`?" }
    }

    /// The edit distance between `a` and `b`; any value above `limit` is reported as `limit + 1`.
    static func levenshtein(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = Swift.min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return Swift.min(previous[b.count], limit + 1)
    }
}
