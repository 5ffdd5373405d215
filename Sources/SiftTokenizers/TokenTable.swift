// Open-addressing hash tables specialised for tokenization: byte strings → token id, and id pairs → merge.
import Foundation

/// Maps byte strings to token ids. Keys live in one contiguous buffer; lookups take an unsafe byte range.
struct ByteStringTable: @unchecked Sendable {
    private var storage: [UInt8] = []
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private var values: [Int32] = []
    private var slots: [Int32] = []  // index into keys, or -1
    private var mask: Int = 0
    /// Longest key, in bytes (lets greedy matchers skip impossible lengths).
    private(set) var maxKeyLength = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        h = (h ^ tail ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return h
    }

    /// Inserts `key` with `value`; an existing key keeps its first value unless `replace`.
    mutating func insert(_ key: [UInt8], value: Int32, replace: Bool = false) {
        if (values.count + 1) * 2 > slots.count { grow() }
        let found = key.withUnsafeBytes { lookupSlot($0) }
        if slots[found] >= 0 {
            if replace { values[Int(slots[found])] = value }
            return
        }
        slots[found] = Int32(values.count)
        keyStart.append(Int32(storage.count))
        keyLength.append(Int32(key.count))
        storage.append(contentsOf: key)
        values.append(value)
        maxKeyLength = max(maxKeyLength, key.count)
    }

    private mutating func grow() {
        let newSize = slots.count * 2
        slots = [Int32](repeating: -1, count: newSize)
        mask = newSize - 1
        for entry in 0..<values.count {
            let start = Int(keyStart[entry])
            let length = Int(keyLength[entry])
            let slot = storage.withUnsafeBytes { raw in
                emptySlot(for: Self.hash(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])))
            }
            slots[slot] = Int32(entry)
        }
    }

    private func emptySlot(for hash: UInt64) -> Int {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        return slot
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func lookupSlot(_ key: UnsafeRawBufferPointer) -> Int {
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        return storage.withUnsafeBytes { raw in
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return slot }
                let length = Int(keyLength[entry])
                if length == key.count {
                    let start = Int(keyStart[entry])
                    if length == 0 || memcmp(raw.baseAddress! + start, key.baseAddress!, length) == 0 { return slot }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The value for `key`, or -1.
    @inline(__always)
    func lookup(_ key: UnsafeRawBufferPointer) -> Int32 {
        if values.isEmpty { return -1 }
        let entry = Int(slots[lookupSlot(key)])
        return entry < 0 ? -1 : values[entry]
    }

    func lookup(_ key: [UInt8]) -> Int32 {
        key.withUnsafeBytes { lookup($0) }
    }
}

/// Maps a pair of token ids to its merge (rank and resulting id), packed as `rank << 32 | newId`.
struct MergeTable: @unchecked Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Inserts a merge; a pair listed twice keeps its later rank, as Hugging Face's merge map does.
    mutating func insert(left: Int32, right: Int32, rank: Int32, newId: Int32) {
        let k = Self.key(left, right)
        var s = slot(for: k)
        while keys[s] != Self.empty && keys[s] != k {
            s = (s + 1) & mask
        }
        keys[s] = k
        values[s] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: newId))
    }

    /// The packed merge for a pair, or `UInt64.max` if the pair does not merge.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 {
        let k = Self.key(left, right)
        var s = slot(for: k)
        return keys.withUnsafeBufferPointer { keyBuffer in
            while true {
                let stored = keyBuffer[s]
                if stored == k { return values[s] }
                if stored == Self.empty { return UInt64.max }
                s = (s + 1) & mask
            }
        }
    }
}
