// Byte-level BPE as in Hugging Face `tokenizers`: every byte starts as its own symbol, then the adjacent pair
// with the lowest merge rank is merged (leftmost first on ties) until no pair merges.
// Short words use a rank array scanned linearly; long words a binary heap over a linked list, O(n log n).

/// The byte-level BPE model.
struct BPEModel: Sendable {
    /// Raw token bytes → id (model vocabulary, not added tokens).
    let vocabulary: ByteStringTable
    /// Id of each single-byte token, or -1.
    let byteIds: [Int32]
    let merges: MergeTable
    /// The unknown token's id, used for bytes missing from the vocabulary (else those bytes are dropped).
    let unknownId: Int32?
    /// Llama-3 style: a word that is itself a token is not split.
    let ignoreMerges: Bool
    let cache: BPEWordCache

    /// Builds the model from vocabulary strings (byte-level alphabet) indexed by id, and merges as string pairs.
    init(tokens: [String?], merges mergePairs: [(String, String)], unknownToken: String?, ignoreMerges: Bool) throws {
        var vocabulary = ByteStringTable(capacity: tokens.count)
        // Vocabulary strings by exact UTF-8 bytes (a String-keyed dictionary would hash with normalization, slowly).
        var stringIds = ByteStringTable(capacity: tokens.count)
        var byteIds = [Int32](repeating: -1, count: 256)
        for (index, token) in tokens.enumerated() {
            guard let token else { continue }
            stringIds.insert(Array(token.utf8), value: Int32(index))
            let bytes = ByteLevelAlphabet.bytes(ofVocabularyString: token)
            vocabulary.insert(bytes, value: Int32(index))
            if bytes.count == 1 && token.unicodeScalars.count == 1 && byteIds[Int(bytes[0])] < 0 {
                byteIds[Int(bytes[0])] = Int32(index)
            }
        }
        var table = MergeTable(capacity: mergePairs.count)
        for (rank, pair) in mergePairs.enumerated() {
            let left = stringIds.lookup(Array(pair.0.utf8))
            let right = stringIds.lookup(Array(pair.1.utf8))
            guard left >= 0, right >= 0 else {
                throw TokenizerError.invalidArrays(detail: "merge \(rank) \"\(pair.0) \(pair.1)\" uses a token that is not in the vocabulary")
            }
            let merged = stringIds.lookup(Array(pair.0.utf8) + Array(pair.1.utf8))
            guard merged >= 0 else {
                throw TokenizerError.invalidArrays(detail: "merge \(rank) \"\(pair.0) \(pair.1)\" produces \"\(pair.0 + pair.1)\", which is not in the vocabulary")
            }
            table.insert(left: left, right: right, rank: Int32(rank), newId: merged)
        }
        if let unknownToken {
            let id = stringIds.lookup(Array(unknownToken.utf8))
            guard id >= 0 else {
                throw TokenizerError.unknownToken(token: unknownToken, context: "BPE unk_token")
            }
            self.unknownId = id
        } else {
            self.unknownId = nil
        }
        self.vocabulary = vocabulary
        self.byteIds = byteIds
        self.merges = table
        self.ignoreMerges = ignoreMerges
        self.cache = BPEWordCache()
    }

    /// Encodes one pre-tokenized word (raw UTF-8 bytes), appending pieces with byte ranges offset by `byteBase`.
    func encodeWord(_ word: UnsafeRawBufferPointer, byteBase: Int, scratch: inout BPEScratch, into output: inout PieceBuffer) {
        let count = word.count
        if count == 0 { return }
        if ignoreMerges {
            let whole = vocabulary.lookup(word)
            if whole >= 0 {
                output.append(whole, start: byteBase, end: byteBase + count)
                return
            }
        }
        let useCache = count <= BPEWordCache.maxWordLength
        var hash: UInt64 = 0
        if useCache {
            hash = ByteStringTable.hash(word)
            if cache.lookup(word, hash: hash, byteBase: byteBase, into: &output) { return }
        }
        // Initial symbols: one per byte.
        scratch.ids.removeAll(keepingCapacity: true)
        scratch.lengths.removeAll(keepingCapacity: true)
        for index in 0..<count {
            let id = byteIds[Int(word[index])]
            if id >= 0 {
                scratch.ids.append(id)
                scratch.lengths.append(1)
            } else if let unknownId {
                scratch.ids.append(unknownId)
                scratch.lengths.append(1)
            } else if !scratch.lengths.isEmpty {
                // A byte with no token and no unknown token is dropped; keep offsets contiguous.
                scratch.lengths[scratch.lengths.count - 1] += 1
            }
        }
        if scratch.ids.count <= 64 {
            mergeSmall(&scratch)
        } else {
            mergeLarge(&scratch)
        }
        let outputStart = output.ids.count
        var position = byteBase
        for index in 0..<scratch.ids.count {
            let length = Int(scratch.lengths[index])
            output.append(scratch.ids[index], start: position, end: position + length)
            position += length
        }
        if useCache {
            cache.store(word, hash: hash, ids: output.ids[outputStart...], lengths: scratch.lengths)
        }
    }

    @inline(__always)
    private func rank(_ packed: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: packed >> 32) }

    /// Quadratic-in-the-worst-case merging for short words, with each pair's merge cached in an array
    /// (worked on through unsafe pointers: no bounds or uniqueness checks in the loop).
    private func mergeSmall(_ scratch: inout BPEScratch) {
        var n = scratch.ids.count
        if n < 2 { return }
        scratch.pairs.removeAll(keepingCapacity: true)
        for index in 0..<(n - 1) {
            scratch.pairs.append(merges.lookup(scratch.ids[index], scratch.ids[index + 1]))
        }
        scratch.ids.withUnsafeMutableBufferPointer { ids in
            scratch.lengths.withUnsafeMutableBufferPointer { lengths in
                scratch.pairs.withUnsafeMutableBufferPointer { pairs in
                    while n > 1 {
                        var best = UInt64.max
                        var bestIndex = -1
                        for index in 0..<(n - 1) where pairs[index] < best {
                            best = pairs[index]
                            bestIndex = index
                        }
                        if bestIndex < 0 { break }
                        ids[bestIndex] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
                        lengths[bestIndex] += lengths[bestIndex + 1]
                        // Remove symbol bestIndex + 1 and pair bestIndex by shifting the tails left.
                        var index = bestIndex + 1
                        while index < n - 1 {
                            ids[index] = ids[index + 1]
                            lengths[index] = lengths[index + 1]
                            index += 1
                        }
                        index = bestIndex
                        while index < n - 2 {
                            pairs[index] = pairs[index + 1]
                            index += 1
                        }
                        n -= 1
                        if bestIndex > 0 {
                            pairs[bestIndex - 1] = merges.lookup(ids[bestIndex - 1], ids[bestIndex])
                        }
                        if bestIndex < n - 1 {
                            pairs[bestIndex] = merges.lookup(ids[bestIndex], ids[bestIndex + 1])
                        }
                    }
                }
            }
        }
        scratch.ids.removeSubrange(n...)
        scratch.lengths.removeSubrange(n...)
    }

    /// O(n log n) merging: a min-heap of (rank, position) over a doubly linked list of symbols; stale heap
    /// entries are recognised because the pair at their position no longer merges with that rank.
    private func mergeLarge(_ scratch: inout BPEScratch) {
        let n = scratch.ids.count
        var previous = [Int32](repeating: -1, count: n)
        var next = [Int32](repeating: -1, count: n)
        for index in 0..<n {
            previous[index] = Int32(index - 1)
            next[index] = index + 1 < n ? Int32(index + 1) : -1
        }
        var heap = MinHeap()
        for index in 0..<(n - 1) {
            let packed = merges.lookup(scratch.ids[index], scratch.ids[index + 1])
            if packed != UInt64.max { heap.push(UInt64(rank(packed)) << 32 | UInt64(index)) }
        }
        var alive = [Bool](repeating: true, count: n)
        while let top = heap.pop() {
            let position = Int(top & 0xFFFF_FFFF)
            let topRank = UInt32(truncatingIfNeeded: top >> 32)
            guard alive[position] else { continue }
            let right = Int(next[position])
            guard right >= 0 else { continue }
            let packed = merges.lookup(scratch.ids[position], scratch.ids[right])
            guard packed != UInt64.max, rank(packed) == topRank else { continue }
            scratch.ids[position] = Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF)
            scratch.lengths[position] += scratch.lengths[right]
            alive[right] = false
            let after = next[right]
            next[position] = after
            if after >= 0 { previous[Int(after)] = Int32(position) }
            let before = Int(previous[position])
            if before >= 0 {
                let merged = merges.lookup(scratch.ids[before], scratch.ids[position])
                if merged != UInt64.max { heap.push(UInt64(rank(merged)) << 32 | UInt64(before)) }
            }
            if after >= 0 {
                let merged = merges.lookup(scratch.ids[position], scratch.ids[Int(after)])
                if merged != UInt64.max { heap.push(UInt64(rank(merged)) << 32 | UInt64(position)) }
            }
        }
        var write = 0
        for index in 0..<n where alive[index] {
            scratch.ids[write] = scratch.ids[index]
            scratch.lengths[write] = scratch.lengths[index]
            write += 1
        }
        scratch.ids.removeSubrange(write...)
        scratch.lengths.removeSubrange(write...)
    }
}

/// Reusable buffers for BPE merging (one per encoding call, never shared between threads).
struct BPEScratch {
    var ids: [Int32] = []
    var lengths: [Int32] = []
    var pairs: [UInt64] = []
}

/// A binary min-heap of packed `rank << 32 | position` keys.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var parent = 0
        let count = items.count
        while true {
            let left = 2 * parent + 1
            if left >= count { break }
            var smallest = left
            if left + 1 < count && items[left + 1] < items[left] { smallest = left + 1 }
            if items[parent] <= items[smallest] { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
