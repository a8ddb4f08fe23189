/// A change in a metric's history found by `EDivisive`.
public struct ChangePoint: Sendable, Codable, Hashable {
    /// The index of the first run after the change.
    public var index: Int
    /// The mean of the segment before the change (back to the previous change point).
    public var before: Double
    /// The mean of the segment from the change (up to the next change point).
    public var after: Double
    /// (after − before) / |before|; infinite when `before` is 0 and `after` is not.
    public var change: Double
    /// The permutation test's p-value when the split was accepted.
    public var pValue: Double

    /// A change point as given.
    public init(index: Int, before: Double, after: Double, change: Double, pValue: Double) {
        self.index = index
        self.before = before
        self.after = after
        self.change = change
        self.pValue = pValue
    }
}
