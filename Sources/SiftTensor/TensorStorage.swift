// Contiguous, 64-byte-aligned f32 memory owned by one or more tensors (reshape shares it).
import Synchronization

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

    /// Allocates `count` uninitialised elements (callers must write every element).
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
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

    deinit {
        StorageStatistics.liveBuffers.subtract(1, ordering: .relaxed)
        StorageStatistics.liveBytes.subtract(max(count, 1) * MemoryLayout<Float>.stride, ordering: .relaxed)
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// The elements as a buffer.
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
