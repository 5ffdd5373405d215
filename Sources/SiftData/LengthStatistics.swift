// A summary of example lengths (in tokens or characters), to choose `maxLength` and to see how
// many examples a limit would truncate.

/// Minimum, maximum, mean and percentiles of a list of lengths.
public struct LengthStatistics: Sendable, Hashable, Codable {
    /// The number of lengths.
    public let count: Int
    /// The shortest length.
    public let minimum: Int
    /// The longest length.
    public let maximum: Int
    /// The arithmetic mean.
    public let mean: Double
    /// The nearest-rank percentiles: the smallest length with at least p% of lengths ≤ it.
    public let median: Int
    /// The 90th percentile (nearest rank).
    public let percentile90: Int
    /// The 95th percentile (nearest rank).
    public let percentile95: Int
    /// The 99th percentile (nearest rank).
    public let percentile99: Int
    private let sorted: [Int]

    /// Statistics of `lengths`; nil when there are none.
    public init?(_ lengths: [Int]) {
        guard !lengths.isEmpty else { return nil }
        let sorted = lengths.sorted()
        func rank(_ percent: Double) -> Int {
            let index = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        self.count = sorted.count
        self.minimum = sorted[0]
        self.maximum = sorted[sorted.count - 1]
        self.mean = Double(sorted.reduce(0, +)) / Double(sorted.count)
        self.median = rank(50)
        self.percentile90 = rank(90)
        self.percentile95 = rank(95)
        self.percentile99 = rank(99)
        self.sorted = sorted
    }

    /// How many lengths exceed `limit` (the examples a `maxLength` of `limit` truncates).
    public func countLonger(than limit: Int) -> Int {
        var low = 0, high = sorted.count  // first index with sorted[index] > limit
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] > limit { high = middle } else { low = middle + 1 }
        }
        return sorted.count - low
    }
}
