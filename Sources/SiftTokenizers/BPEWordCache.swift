// A fixed-size, thread-safe cache of byte-level BPE results for short words: direct-mapped slots in one flat
// buffer (no reference counting on lookups), each shard of slots guarded by its own lock.
import Foundation

/// Caches `word bytes → (ids, byte lengths)` for words of up to `maxWordLength` bytes.
final class BPEWordCache: @unchecked Sendable {
    static let maxWordLength = 24
    private static let shardCount = 64
    private static let slotsPerShard = 1024
    /// Slot layout: key length (1 byte), piece count (1), key (24), piece lengths (24), then ids (24 × Int32).
    private static let idsOffset = 2 + 2 * maxWordLength
    private static let slotSize = idsOffset + 4 * maxWordLength

    /// One mutex per shard, each on its own cache line (threads locking different shards must not share one).
    private let lockStorage: UnsafeMutableRawPointer
    private static let lockStride = max(64, MemoryLayout<pthread_mutex_t>.stride)
    private let storage: UnsafeMutableRawPointer

    @inline(__always)
    private func lock(_ shard: Int) -> UnsafeMutablePointer<pthread_mutex_t> {
        (lockStorage + shard * Self.lockStride).assumingMemoryBound(to: pthread_mutex_t.self)
    }

    init() {
        lockStorage = UnsafeMutableRawPointer.allocate(byteCount: Self.shardCount * Self.lockStride, alignment: 64)
        for shard in 0..<Self.shardCount {
            let pointer = (lockStorage + shard * Self.lockStride).bindMemory(to: pthread_mutex_t.self, capacity: 1)
            pthread_mutex_init(pointer, nil)
        }
        let size = Self.shardCount * Self.slotsPerShard * Self.slotSize
        storage = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    }

    deinit {
        for shard in 0..<Self.shardCount { pthread_mutex_destroy(lock(shard)) }
        lockStorage.deallocate()
        storage.deallocate()
    }

    @inline(__always)
    private func slot(_ hash: UInt64) -> (shard: Int, slot: UnsafeMutableRawPointer) {
        let shard = Int(truncatingIfNeeded: hash >> 58) & (Self.shardCount - 1)
        let index = shard * Self.slotsPerShard + (Int(truncatingIfNeeded: hash) & (Self.slotsPerShard - 1))
        return (shard, storage + index * Self.slotSize)
    }

    /// Appends the cached result for `word` to `output` (ranges offset by `byteBase`); false on a miss.
    @inline(__always)
    func lookup(_ word: UnsafeRawBufferPointer, hash: UInt64, byteBase: Int, into output: inout PieceBuffer) -> Bool {
        let (shard, slot) = slot(hash)
        pthread_mutex_lock(lock(shard))
        defer { pthread_mutex_unlock(lock(shard)) }
        let keyLength = Int(slot.load(as: UInt8.self))
        guard keyLength == word.count, keyLength > 0, memcmp(slot + 2, word.baseAddress!, keyLength) == 0 else { return false }
        let pieces = Int(slot.load(fromByteOffset: 1, as: UInt8.self))
        var position = byteBase
        for piece in 0..<pieces {
            let length = Int(slot.load(fromByteOffset: 2 + Self.maxWordLength + piece, as: UInt8.self))
            let id = slot.load(fromByteOffset: Self.idsOffset + 4 * piece, as: Int32.self)
            output.append(id, start: position, end: position + length)
            position += length
        }
        return true
    }

    /// Stores a result (`ids` and their byte `lengths`, as many as the word has bytes at most).
    func store(_ word: UnsafeRawBufferPointer, hash: UInt64, ids: ArraySlice<Int32>, lengths: [Int32]) {
        guard word.count > 0, word.count <= Self.maxWordLength, ids.count == lengths.count, ids.count <= Self.maxWordLength else { return }
        let (shard, slot) = slot(hash)
        pthread_mutex_lock(lock(shard))
        defer { pthread_mutex_unlock(lock(shard)) }
        slot.storeBytes(of: UInt8(word.count), as: UInt8.self)
        slot.storeBytes(of: UInt8(ids.count), toByteOffset: 1, as: UInt8.self)
        (slot + 2).copyMemory(from: word.baseAddress!, byteCount: word.count)
        for (piece, id) in ids.enumerated() {
            slot.storeBytes(of: UInt8(truncatingIfNeeded: lengths[piece]), toByteOffset: 2 + Self.maxWordLength + piece, as: UInt8.self)
            slot.storeBytes(of: id, toByteOffset: Self.idsOffset + 4 * piece, as: Int32.self)
        }
    }
}
