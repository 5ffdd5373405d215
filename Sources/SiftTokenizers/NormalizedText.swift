// Text as Unicode scalar values, each carrying the range of original scalars it came from,
// so that token offsets survive normalization.

/// Scalars plus, for each, the half-open range `[starts[i], ends[i])` of original scalar indices that produced it.
struct NormalizedText {
    var scalars: [UInt32]
    var starts: [Int32]
    var ends: [Int32]

    init() {
        scalars = []
        starts = []
        ends = []
    }

    init(reservingCapacity capacity: Int) {
        scalars = []
        starts = []
        ends = []
        scalars.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
    }

    /// The identity mapping of `source[range]`.
    init(_ source: UnsafeBufferPointer<UInt32>, range: Range<Int>) {
        self.init(reservingCapacity: range.count)
        for index in range {
            append(source[index], start: index, end: index + 1)
        }
    }

    var count: Int { scalars.count }

    @inline(__always)
    mutating func append(_ value: UInt32, start: Int, end: Int) {
        scalars.append(value)
        starts.append(Int32(truncatingIfNeeded: start))
        ends.append(Int32(truncatingIfNeeded: end))
    }

    /// The original range covered by normalized scalars `range` (empty ranges map to an empty original range).
    func originalRange(_ range: Range<Int>) -> Range<Int> {
        if range.isEmpty {
            let position = range.lowerBound < starts.count ? Int(starts[range.lowerBound]) : (ends.last.map { Int($0) } ?? 0)
            return position..<position
        }
        let lower = Int(starts[range.lowerBound])
        let upper = Int(ends[range.upperBound - 1])
        return lower..<max(lower, upper)
    }
}
