// A cache of large freed tensor buffers, so the next step's activations reuse memory whose pages
// are already mapped instead of faulting in fresh ones.
//
// Why: a training step allocates its whole autograd graph (SmolLM2, batch 8 × 256 tokens: ~3 GB)
// and frees it after backward. glibc gives that memory back to the kernel (secondary arenas
// unmap whole heaps; blocks over the mmap threshold are unmapped on free), so every step touched
// every page anew: 0.5 M page faults per step and a third of the wall time in the kernel
// (measured on LoRA SFT: 34 s of system time in a 50 s run).
//
// How: buffers of at least `minimumBytes` are rounded up to a size class (8 classes per power of
// two, ≤ 12.5 % slack) and, when freed, kept in a per-class free list while the pool holds less
// than its capacity (`SIFT_TENSOR_POOL_MB`, default a quarter of physical memory, at most 8 GiB;
// 0 turns the pool off). An allocation takes a buffer of its class or of one of the next few
// classes; smaller buffers go straight to malloc, which serves them from its bins cheaply.
//
// Misses evict: a cached block that no request fits (batches of other lengths left it) would
// otherwise sit beside the fresh block malloc makes, and the footprint grew to the peak in use
// plus the whole capacity (measured: LoRA SFT on SmolLM2, 20 steps, 10.9 GB max RSS with the
// pool, 6.7 GB without; a whole `sift compare` reached 22 GB). So a miss frees cached blocks, largest
// first, worth at least the block it allocates: the footprint stays near the peak in use.
import Foundation
import Synchronization

#if os(Linux)
/// glibc's `malloc_trim` (not exported by Swift's Glibc module): returns free heap memory to the system.
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Process-wide pool of large, 64-byte-aligned tensor buffers.
public enum TensorBufferPool {
    /// Smallest request the pool handles (smaller ones use malloc directly).
    public static let minimumBytes = 256 * 1024
    /// How many larger classes an allocation may take a buffer from (each ≤ 12.5 % bigger).
    static let classSearchWidth = 3

    /// Most bytes the pool keeps while they are unused.
    public static let capacityBytes: Int = {
        if let text = ProcessInfo.processInfo.environment["SIFT_TENSOR_POOL_MB"], let megabytes = Int(text), megabytes >= 0 {
            return megabytes << 20
        }
        return Int(min(ProcessInfo.processInfo.physicalMemory / 4, 8 << 30))
    }()

    struct State {
        var freeLists: [Int: [UInt]] = [:]  // class → block addresses (addresses are Sendable)
        var cachedBytes = 0
        var hits = 0
        var misses = 0
        var evictions = 0

        /// Takes cached blocks worth at least `bytes` (largest classes first) out of the free
        /// lists and returns their addresses, for the caller to free outside the lock.
        mutating func evict(atLeast bytes: Int) -> [UInt] {
            var evicted: [UInt] = []
            var freed = 0
            for index in freeLists.keys.sorted(by: >) where freed < bytes {
                guard var list = freeLists[index] else { continue }
                while freed < bytes, let address = list.popLast() {
                    evicted.append(address)
                    freed += classSize(index)
                }
                freeLists[index] = list.isEmpty ? nil : list
            }
            cachedBytes -= freed
            evictions += evicted.count
            return evicted
        }
    }

    static let state = Mutex(State())

    /// Counters for tests and benchmarks.
    public struct Statistics: Sendable, Equatable {
        /// Bytes held unused in the pool now.
        public var cachedBytes: Int
        /// Pool-sized allocations served from the pool / from malloc.
        public var hits: Int
        public var misses: Int
        /// Cached blocks freed to make room on a miss.
        public var evictions: Int
    }

    /// Current counters.
    public static var statistics: Statistics {
        state.withLock { Statistics(cachedBytes: $0.cachedBytes, hits: $0.hits, misses: $0.misses, evictions: $0.evictions) }
    }

    /// The bytes reserved for a request of `bytes`: its class's size for pooled requests, else `bytes`.
    public static func reservedBytes(for bytes: Int) -> Int {
        guard capacityBytes > 0, bytes >= minimumBytes else { return bytes }
        return classSize(classIndex(bytes))
    }

    /// A 64-byte-aligned block of at least `bytes` bytes, and its true size (pass both to `release`).
    static func allocate(bytes: Int) -> (pointer: UnsafeMutableRawPointer, reservedBytes: Int) {
        guard capacityBytes > 0, bytes >= minimumBytes else {
            return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
        }
        let wanted = classIndex(bytes)
        var evicted: [UInt] = []
        let reused: (address: UInt, size: Int)? = state.withLock { pool in
            for index in wanted...(wanted + classSearchWidth) {
                if var list = pool.freeLists[index], let address = list.popLast() {
                    pool.freeLists[index] = list
                    pool.cachedBytes -= classSize(index)
                    pool.hits += 1
                    return (address, classSize(index))
                }
            }
            pool.misses += 1
            evicted = pool.evict(atLeast: classSize(wanted))
            return nil
        }
        if let reused, let pointer = UnsafeMutableRawPointer(bitPattern: reused.address) { return (pointer, reused.size) }
        for address in evicted { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }  // outside the lock
        let size = classSize(wanted)
        return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64), size)
    }

    /// Takes back a block from `allocate(bytes:)` with the size it reported.
    static func release(_ pointer: UnsafeMutableRawPointer, reservedBytes: Int) {
        guard capacityBytes > 0, reservedBytes >= minimumBytes else {
            pointer.deallocate()
            return
        }
        let index = classIndex(reservedBytes)
        let address = UInt(bitPattern: pointer)
        let kept = state.withLock { pool -> Bool in
            guard pool.cachedBytes + reservedBytes <= capacityBytes else { return false }
            pool.freeLists[index, default: []].append(address)
            pool.cachedBytes += reservedBytes
            return true
        }
        if !kept { pointer.deallocate() }
    }

    /// Frees every cached block and asks malloc to give free memory back to the system. Call it
    /// between phases of different shapes (one training run and the next), so one phase's
    /// buffers do not stay resident through the next.
    public static func drain() {
        let addresses = state.withLock { pool -> [UInt] in
            let all = pool.freeLists.values.flatMap { $0 }
            pool.freeLists = [:]
            pool.cachedBytes = 0
            return all
        }
        for address in addresses { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }

    // Size classes: class k covers (size(k−1), size(k)], with 8 classes per power of two.
    static let classesPerDoubling = 8

    static func classIndex(_ bytes: Int) -> Int {
        precondition(bytes > 0)
        let exponent = Int.bitWidth - 1 - (bytes - 1).leadingZeroBitCount  // floor(log2(bytes − 1)), ≥ 17 here
        let base = 1 << exponent
        let step = base / classesPerDoubling
        let offset = (bytes - base + step - 1) / step  // 0…8 steps above base
        return exponent * classesPerDoubling + offset
    }

    static func classSize(_ index: Int) -> Int {
        let exponent = index / classesPerDoubling
        let offset = index % classesPerDoubling
        let base = 1 << exponent
        return base + offset * (base / classesPerDoubling)
    }
}
