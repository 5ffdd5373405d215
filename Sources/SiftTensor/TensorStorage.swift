// Contiguous, 64-byte-aligned f32 memory owned by one or more tensors (reshape shares it).
import Foundation
import Synchronization

#if os(Linux)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Process-wide counters of live tensor memory, for tests and leak checks.
public enum StorageStatistics {
    static let liveBuffers = Atomic<Int>(0)
    static let liveBytes = Atomic<Int>(0)
    static let totalAllocations = Atomic<Int>(0)

    /// Number of storage buffers alive now.
    public static var liveBufferCount: Int { liveBuffers.load(ordering: .relaxed) }
    /// Bytes held by live storage buffers now.
    public static var liveByteCount: Int { liveBytes.load(ordering: .relaxed) }
    /// Storage buffers allocated since the process started.
    public static var allocationCount: Int { totalAllocations.load(ordering: .relaxed) }

    /// The process's resident memory now, in bytes (Linux: /proc/self/statm; nil elsewhere).
    public static var residentBytes: Int? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// One line for memory traces: live tensor bytes, bytes cached by the buffer pool, resident memory.
    public static var summary: String {
        let mib = { (bytes: Int) in String(format: "%.0f MiB", Double(bytes) / Double(1 << 20)) }
        return "live tensors \(mib(liveByteCount)) in \(liveBufferCount) buffers · pool cached \(mib(TensorBufferPool.statistics.cachedBytes))"
            + " · RSS \(residentBytes.map(mib) ?? "?")"
    }
}

/// An owned block of `count` f32 values, 64-byte aligned for AVX-512 loads.
///
/// Storage is a class so that views created by `reshape` share it; tensors treat it as
/// immutable once an op has produced it, except for in-place optimizer updates on leaves.
public final class TensorStorage: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of f32 elements.
    public let count: Int
    /// Bytes reserved for the block (≥ the elements' bytes; see `TensorBufferPool`).
    let reservedBytes: Int
    /// Bumped by `markMutated()`; kept copies derived from the data (bf16 weights) check it.
    private let mutations = Atomic<Int>(0)
    /// The bf16 copy linear layers keep for this weight (see `WeightCopyCache`).
    let bf16Copy = Mutex<(version: Int, buffer: BF16Buffer)?>(nil)
    /// The copy in oneDNN's blocked layout linear layers keep for this weight (see `WeightCopyCache`).
    let packedCopy = Mutex<PackedWeights?>(nil)

    /// How many times the data was declared changed in place (see `markMutated()`).
    public var mutationCount: Int { mutations.load(ordering: .relaxed) }

    /// Declares that the data was written in place (e.g. by an optimizer step or a checkpoint
    /// restore), so copies derived from it are rebuilt.
    public func markMutated() { mutations.add(1, ordering: .relaxed) }

    /// Allocates `count` uninitialised elements (callers must write every element), with room for
    /// `capacity` (≥ count) so a kernel may write scratch rows past the end (see `Tensor.linear`).
    public init(uninitializedCount count: Int, capacity: Int = 0) {
        _ = TensorStorage.allocatorTuned
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let bytes = max(count, capacity, 1) * MemoryLayout<Float>.stride
        let (raw, reserved) = TensorBufferPool.allocate(bytes: bytes)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        reservedBytes = reserved
        self.count = count
        StorageStatistics.liveBuffers.add(1, ordering: .relaxed)
        StorageStatistics.liveBytes.add(bytes, ordering: .relaxed)
        StorageStatistics.totalAllocations.add(1, ordering: .relaxed)
    }

    /// Allocates `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Copies `values`.
    public convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.initialize(from: base, count: values.count) }
        }
    }

    /// glibc serves blocks over 32 MiB with a fresh mmap and unmaps them on free, so every large
    /// activation pays a page fault per 4 KiB (measured: 67 ms per 50 MB vs 2 ms reused). Keeping
    /// large blocks in the heap and never trimming it makes re-allocation cheap. `SIFT_SYSTEM_MALLOC=1`
    /// keeps glibc's defaults.
    /// Applies the allocator settings now (call first thing in `main`, before other threads start).
    public static func tuneAllocator() { _ = allocatorTuned }

    static let allocatorTuned: Bool = {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["SIFT_SYSTEM_MALLOC"] == nil {
            _ = glibcMallopt(-4, 0)  // M_MMAP_MAX: never use mmap for malloc
            _ = glibcMallopt(-1, Int32.max)  // M_TRIM_THRESHOLD: never return the heap top to the OS
        }
        #endif
        return true
    }()

    deinit {
        StorageStatistics.liveBuffers.subtract(1, ordering: .relaxed)
        StorageStatistics.liveBytes.subtract(max(count, 1) * MemoryLayout<Float>.stride, ordering: .relaxed)
        TensorBufferPool.release(UnsafeMutableRawPointer(pointer), reservedBytes: reservedBytes)
    }

    /// The elements as a buffer.
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
