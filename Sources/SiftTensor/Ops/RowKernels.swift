// SIMD helpers for row-wise kernels (norms, attention): sums and dot products over contiguous
// f32 rows, in a fixed order (16 lanes, then the tail) so that results are deterministic.

/// Vectorised reductions over contiguous rows of f32.
enum RowKernels {
    /// Σ p[i] for i in 0..<count.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 16 <= count {
            accumulator += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var total = accumulator.sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }

    /// Σ a[i]·b[i] for i in 0..<count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var accumulator = SIMD16<Float>()
        var i = 0
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        while i + 16 <= count {
            let va = rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let vb = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            accumulator += va * vb
            i += 16
        }
        var total = accumulator.sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Σ (p[i] − center)² for i in 0..<count.
    @inline(__always)
    static func sumOfSquares(_ p: UnsafePointer<Float>, count: Int, center: Float) -> Float {
        var accumulator = SIMD16<Float>()
        let shift = SIMD16<Float>(repeating: center)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 16 <= count {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - shift
            accumulator += d * d
            i += 16
        }
        var total = accumulator.sum()
        while i < count { let d = p[i] - center; total += d * d; i += 1 }
        return total
    }

    /// Splits `rows` into at most `Parallel.threadCount` fixed chunks (fewer for small work) and
    /// calls `body(chunkIndex, rowRange)` in parallel. The split depends only on the sizes and the
    /// thread count, so per-chunk partial sums combine deterministically.
    static func forEachRowChunk(rows: Int, work: Int, _ body: (Int, Range<Int>) -> Void) -> Int {
        let chunks = max(1, min(Parallel.threadCount, rows, work / (1 << 14)))
        Parallel.forEachChunk(chunks, minChunk: 1) { chunkRange in
            for chunk in chunkRange {
                body(chunk, (rows * chunk / chunks)..<(rows * (chunk + 1) / chunks))
            }
        }
        return chunks
    }

    /// The chunk count `forEachRowChunk` will use (to size partial buffers before calling it).
    static func rowChunkCount(rows: Int, work: Int) -> Int {
        max(1, min(Parallel.threadCount, rows, work / (1 << 14)))
    }
}
