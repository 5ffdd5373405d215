// A fixed-size, thread-safe cache of byte-level BPE results for short words (direct-mapped, locked by shard).
import Foundation

/// Caches `word bytes → (ids, byte lengths)` for words up to `maxWordLength` bytes.
final class BPEWordCache: @unchecked Sendable {
    private struct Entry {
        var key: [UInt8]
        var ids: [Int32]
        var lengths: [Int32]
    }

    static let maxWordLength = 48
    private static let shardCount = 32
    private static let slotsPerShard = 1024

    private let locks: [NSLock]
    private var entries: [Entry?]

    init() {
        locks = (0..<Self.shardCount).map { _ in NSLock() }
        entries = [Entry?](repeating: nil, count: Self.shardCount * Self.slotsPerShard)
    }

    @inline(__always)
    private func slot(_ hash: UInt64) -> (shard: Int, index: Int) {
        let shard = Int(truncatingIfNeeded: hash >> 58) & (Self.shardCount - 1)
        let index = shard * Self.slotsPerShard + (Int(truncatingIfNeeded: hash) & (Self.slotsPerShard - 1))
        return (shard, index)
    }

    /// Appends the cached result for `word` to `output` (ranges offset by `byteBase`); false on a miss.
    func lookup(_ word: UnsafeRawBufferPointer, hash: UInt64, byteBase: Int, into output: inout PieceBuffer) -> Bool {
        let (shard, index) = slot(hash)
        locks[shard].lock()
        defer { locks[shard].unlock() }
        guard let entry = entries[index], entry.key.count == word.count else { return false }
        let same = entry.key.withUnsafeBytes { memcmp($0.baseAddress!, word.baseAddress!, word.count) == 0 }
        guard same else { return false }
        var position = byteBase
        for piece in 0..<entry.ids.count {
            let length = Int(entry.lengths[piece])
            output.append(entry.ids[piece], start: position, end: position + length)
            position += length
        }
        return true
    }

    func store(_ word: UnsafeRawBufferPointer, hash: UInt64, ids: ArraySlice<Int32>, lengths: [Int32]) {
        let (shard, index) = slot(hash)
        let entry = Entry(key: Array(word), ids: Array(ids), lengths: lengths)
        locks[shard].lock()
        entries[index] = entry
        locks[shard].unlock()
    }
}
