// Sum and mean, along one axis or over everything.
// Shapes: x [outer..., n, inner...] --sum(axis)--> y [outer..., inner...] (or [outer..., 1, inner...] with keepDims)
//         x [any] --sum()--> y [] (scalar)
// Backward: dx[o, j, i] = dy[o, i] (÷ n for the mean): the output gradient broadcast back over the axis.

extension Tensor {
    /// Sum along `axis` (negative counts from the end). With `keepDims` the axis stays with size 1.
    public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try reduceAlong(axis: axis, keepDims: keepDims, divideByCount: false, op: "sum(axis:)")
    }

    /// Mean along `axis` (negative counts from the end). An empty axis gives NaN, as 0/0.
    public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try reduceAlong(axis: axis, keepDims: keepDims, divideByCount: true, op: "mean(axis:)")
    }

    /// Sum of all elements, as a scalar tensor (shape `[]`).
    public func sum() -> Tensor {
        reduceAll(divideByCount: false)
    }

    /// Mean of all elements, as a scalar tensor (shape `[]`). An empty tensor gives NaN.
    public func mean() -> Tensor {
        reduceAll(divideByCount: true)
    }

    private func reduceAll(divideByCount: Bool) -> Tensor {
        let n = count
        // Fixed blocks (independent of the thread count) summed in order: bit-identical results.
        let blockSize = 1 << 14
        let blocks = (n + blockSize - 1) / blockSize
        var partials = [Double](repeating: 0, count: max(blocks, 1))
        let x = storage.pointer
        partials.withUnsafeMutableBufferPointer { partialBuffer in
            let p = partialBuffer.baseAddress!  // non-empty by construction
            Parallel.forEachChunk(blocks, minChunk: 4) { range in
                for block in range {
                    let start = block * blockSize
                    p[block] = Double(Tensor.stridedSum(x + start, count: min(blockSize, n - start), stride: 1))
                }
            }
        }
        var total = 0.0
        for value in partials { total += value }
        let scale: Float = divideByCount ? 1 / Float(n) : 1
        let out = Tensor.scalar(divideByCount ? Float(total / Double(n)) : Float(total))
        let inputShape = shape
        return out.recordOp(divideByCount ? "mean()" : "sum()", inputs: [self]) { gradOut in
            [try Tensor.full(inputShape, value: gradOut.storage.pointer[0] * scale)]
        }
    }

    private func reduceAlong(axis: Int, keepDims: Bool, divideByCount: Bool, op: String) throws -> Tensor {
        guard rank > 0 else { throw TensorError.axisOutOfRange(op: op, axis: axis, rank: 0) }
        let resolved = try normalizedAxis(axis, op: op)
        let outer = shape[..<resolved].reduce(1, *)
        let n = shape[resolved]
        let inner = shape[(resolved + 1)...].reduce(1, *)
        var outShape = shape
        if keepDims { outShape[resolved] = 1 } else { outShape.remove(at: resolved) }
        let out = Tensor.uninitialized(outShape)
        let x = storage.pointer, y = out.storage.pointer
        let scale: Float = divideByCount ? 1 / Float(n) : 1

        if inner == 1 {
            Parallel.forEachChunk(outer, minChunk: max(1, (1 << 14) / max(n, 1))) { range in
                for o in range { y[o] = Tensor.stridedSum(x + o * n, count: n, stride: 1) * scale }
            }
        } else if outer >= Parallel.threadCount * 4 {
            // Many independent [n, inner] slabs: one thread per slab range, rows added in order.
            Parallel.forEachChunk(outer, minChunk: max(1, (1 << 15) / max(n * inner, 1))) { range in
                for o in range {
                    let dst = y + o * inner
                    dst.update(repeating: 0, count: inner)
                    for j in 0..<n { Tensor.addRow(x + (o * n + j) * inner, into: dst, count: inner) }
                }
            }
            if divideByCount { for i in 0..<(outer * inner) { y[i] *= scale } }
        } else {
            // Few slabs: parallelise inside each one over blocks of rows.
            for o in 0..<outer {
                Tensor.columnSums(x + o * n * inner, rows: n, columns: inner, into: y + o * inner)
            }
            if divideByCount { for i in 0..<(outer * inner) { y[i] *= scale } }
        }

        let inputShape = shape
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = Tensor.uninitialized(inputShape)
            let dy = gradOut.storage.pointer, dx = gradIn.storage.pointer
            Parallel.forEachChunk(outer * n, minChunk: max(1, (1 << 14) / max(inner, 1))) { range in
                for row in range {
                    let o = row / n
                    let src = dy + o * inner, dst = dx + row * inner
                    for i in 0..<inner { dst[i] = src[i] * scale }
                }
            }
            return [gradIn]
        }
    }
}

extension Reference {
    /// Sum along `axis` (already non-negative) in Float64.
    public static func sum(_ x: ReferenceTensor, axis: Int, keepDims: Bool = false, mean: Bool = false) -> ReferenceTensor {
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var data = [Double](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for j in 0..<n {
                for i in 0..<inner { data[o * inner + i] += x.data[(o * n + j) * inner + i] }
            }
        }
        if mean { data = data.map { $0 / Double(n) } }
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return ReferenceTensor(shape: shape, data: data)
    }

    /// Mean along `axis` (already non-negative) in Float64.
    public static func mean(_ x: ReferenceTensor, axis: Int, keepDims: Bool = false) -> ReferenceTensor {
        sum(x, axis: axis, keepDims: keepDims, mean: true)
    }

    /// Sum of all elements in Float64, as a scalar.
    public static func sumAll(_ x: ReferenceTensor) -> ReferenceTensor {
        ReferenceTensor(shape: [], data: [x.data.reduce(0, +)])
    }

    /// Mean of all elements in Float64, as a scalar.
    public static func meanAll(_ x: ReferenceTensor) -> ReferenceTensor {
        ReferenceTensor(shape: [], data: [x.data.reduce(0, +) / Double(x.count)])
    }
}
