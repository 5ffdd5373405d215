// bf16 copies of f32 data for the bf16 GEMM path, and the per-weight cache of those copies.
// Shapes: f32 [count] -> bf16 bits [count] (round-to-nearest-even, like `HalfConversion.bf16Bits`).
// With oneDNN present the rounding runs in C with AVX-512 (the CPU's own `vcvtneps2bf16` where it
// has avx512_bf16, which also flushes f32 subnormals to zero — harmless for GEMM inputs); this
// module is compiled for baseline x86-64, where the Swift SIMD loop below is ~15× slower.
#if canImport(CDNNL)
import CDNNL
#endif
import Foundation

/// An owned, 64-byte-aligned block of bf16 values (raw bits).
public final class BF16Buffer: @unchecked Sendable {
    /// First element's bits.
    public let pointer: UnsafeMutablePointer<UInt16>
    /// Number of elements.
    public let count: Int
    /// Bytes reserved for the block (see `TensorBufferPool`).
    private let reservedBytes: Int

    /// Allocates `count` uninitialised elements. Large blocks come from `TensorBufferPool` (activation
    /// copies are made and freed every step; fresh pages would fault in every time).
    public init(uninitializedCount count: Int) {
        let (raw, reserved) = TensorBufferPool.allocate(bytes: max(count, 1) * 2)
        pointer = raw.bindMemory(to: UInt16.self, capacity: max(count, 1))
        reservedBytes = reserved
        self.count = count
    }

    /// A bf16 copy of `count` f32 values, followed by zeros up to `paddedCount` elements.
    public convenience init(rounding source: UnsafePointer<Float>, count: Int, paddedCount: Int = 0) {
        self.init(uninitializedCount: max(count, paddedCount))
        BF16Buffer.round(source, into: pointer, count: count)
        if paddedCount > count { (pointer + count).initialize(repeating: 0, count: paddedCount - count) }
    }

    deinit { TensorBufferPool.release(UnsafeMutableRawPointer(pointer), reservedBytes: reservedBytes) }

    /// Rounds `count` f32 values to bf16 bits, in parallel, 16 lanes at a time.
    public static func round(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<UInt16>, count: Int) {
        Parallel.forEachChunk(count, minChunk: 1 << 20) { range in
            #if canImport(CDNNL)
            sift_round_bf16(source + range.lowerBound, destination + range.lowerBound, Int64(range.count))
            #else
            var index = range.lowerBound
            let rawSource = UnsafeRawPointer(source)
            while index + 16 <= range.upperBound {
                let bits = rawSource.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<UInt32>.self)
                // Round to nearest even: add 0x7FFF plus the lowest kept bit, keep the top half.
                let rounded = (bits &+ (0x7FFF &+ ((bits &>> 16) & 1))) &>> 16
                // NaN (exponent all ones, mantissa ≠ 0) stays a quiet NaN instead of rounding to ±inf.
                let isNaN = (bits & 0x7FFF_FFFF) .> 0x7F80_0000
                let result = rounded.replacing(with: (bits &>> 16) | 0x0040, where: isNaN)
                UnsafeMutableRawPointer(destination + index).storeBytes(
                    of: SIMD16<UInt16>(truncatingIfNeeded: result), as: SIMD16<UInt16>.self)
                index += 16
            }
            while index < range.upperBound {
                destination[index] = HalfConversion.bf16Bits(from: source[index])
                index += 1
            }
            #endif
        }
    }
}

/// Whether linear layers may keep a derived copy of each weight between calls (inference only): a
/// bf16 copy in bf16 mode, a copy in oneDNN's blocked layout in fp32 mode (`OneDNN.linearPacked`).
///
/// Off by default: the optimizer and checkpoint restores write weights in place, and a kept copy
/// would then be stale. A process that only runs inference (predict, serve, benchmarks of the
/// forward pass) turns it on, so each weight is converted once instead of on every call. A kept
/// copy is also dropped whenever its storage's `mutationCount` changes (backward marks every weight
/// it computes a gradient for). Packed f32 copies cost as much memory as the weights themselves;
/// `SIFT_PACK_WEIGHTS=0` turns them off.
public enum WeightCopyCache {
    nonisolated(unsafe) private static var enabledValue = false
    private static let packingAllowed = ProcessInfo.processInfo.environment["SIFT_PACK_WEIGHTS"] != "0"

    @TaskLocal static var scoped: Bool?

    /// Whether weights' derived copies are kept.
    public static var isEnabled: Bool { scoped ?? enabledValue }

    /// Whether fp32 linear layers read their weights from kept packed copies.
    public static var keepsPackedCopies: Bool { isEnabled && packingAllowed }

    /// Turns keeping weight copies on or off (call at start-up of an inference-only process).
    public static func setEnabled(_ enabled: Bool) { enabledValue = enabled }

    /// Runs `body` with copies kept or not, for this task and the code it calls only (tests,
    /// which share a process with code that writes weights in place).
    public static func withEnabled<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
        try $scoped.withValue(enabled, operation: body)
    }

    /// The bf16 copy of a weight: the kept one when caching is on (or the weight is `frozen`: it
    /// takes no gradient, so only an explicit in-place write, which calls `markMutated()`, changes
    /// it — LoRA's base weights, a frozen encoder) and the weight did not change since, else a
    /// fresh one (kept in those cases).
    static func bf16Copy(of storage: TensorStorage, frozen: Bool = false) -> BF16Buffer {
        guard isEnabled || frozen else { return BF16Buffer(rounding: storage.pointer, count: storage.count) }
        let version = storage.mutationCount
        return storage.bf16Copy.withLock { cached in
            if let cached, cached.version == version { return cached.buffer }
            let fresh = BF16Buffer(rounding: storage.pointer, count: storage.count)
            cached = (version, fresh)
            return fresh
        }
    }
}
