// Growable output of a tokenization model for one word: ids and each piece's range inside the word.

/// Token ids with, for each, a `[start, end)` range (scalars for WordPiece, bytes for byte-level BPE).
struct PieceBuffer {
    var ids: [Int32] = []
    var starts: [Int32] = []
    var ends: [Int32] = []

    @inline(__always)
    mutating func append(_ id: Int32, start: Int, end: Int) {
        ids.append(id)
        starts.append(Int32(truncatingIfNeeded: start))
        ends.append(Int32(truncatingIfNeeded: end))
    }

    mutating func truncate(to count: Int) {
        ids.removeSubrange(count...)
        starts.removeSubrange(count...)
        ends.removeSubrange(count...)
    }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}
