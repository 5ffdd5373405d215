// SIMD row kernels shared by the reductions (sum along an axis, gradient reduction over
// broadcast axes, bias-gradient column sums).
// Shapes: a row of `count` contiguous (or strided) f32 values.

extension Tensor {
    /// Sum of `count` elements `stride` apart, with 16 independent accumulators when contiguous.
    @inline(__always)
    static func stridedSum(_ p: UnsafePointer<Float>, count: Int, stride: Int) -> Float {
        if stride != 1 {
            var total: Float = 0
            for j in 0..<count { total += p[j * stride] }
            return total
        }
        var accumulator = SIMD16<Float>(repeating: 0)
        var j = 0
        let raw = UnsafeRawPointer(p)
        while j + 16 <= count {
            accumulator += raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        var total = accumulator.sum()
        while j < count { total += p[j]; j += 1 }
        return total
    }

    /// `accumulator[j] += row[j]` for `count` contiguous elements, 16 lanes at a time.
    @inline(__always)
    static func addRow(_ row: UnsafePointer<Float>, into accumulator: UnsafeMutablePointer<Float>, count: Int) {
        let source = UnsafeRawPointer(row), target = UnsafeMutableRawPointer(accumulator)
        var j = 0
        while j + 16 <= count {
            let sum = target.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                + source.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            target.storeBytes(of: sum, toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count { accumulator[j] += row[j]; j += 1 }
    }

    /// Sums a row-major [rows, columns] matrix over its rows into a new [columns] tensor.
    static func columnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int) -> Tensor {
        let out = Tensor.uninitialized([columns])
        columnSums(matrix, rows: rows, columns: columns, into: out.storage.pointer)
        return out
    }

    /// Sums a row-major [rows, columns] matrix over its rows into `result` [columns].
    ///
    /// Rows are cut into fixed blocks (independent of the thread count); each block sums its rows
    /// contiguously into its own partial row in parallel, then the partials are added in order,
    /// so the bits are the same on every run and every machine.
    static func columnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into result: UnsafeMutablePointer<Float>) {
        let blockRows = 128
        let blocks = (rows + blockRows - 1) / blockRows
        result.update(repeating: 0, count: columns)
        if blocks <= 1 {
            for row in 0..<rows { addRow(matrix + row * columns, into: result, count: columns) }
            return
        }
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: blocks * columns)
        defer { partials.deallocate() }
        Parallel.forEachChunk(blocks, minChunk: max(1, (1 << 15) / max(blockRows * columns, 1))) { range in
            for block in range {
                let partial = partials + block * columns
                partial.update(repeating: 0, count: columns)
                for row in (block * blockRows)..<min(rows, (block + 1) * blockRows) {
                    addRow(matrix + row * columns, into: partial, count: columns)
                }
            }
        }
        for block in 0..<blocks { addRow(partials + block * columns, into: result, count: columns) }
    }
}
