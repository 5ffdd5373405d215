// Axis permutation and transposition (copies into a new contiguous tensor).
// Shapes: x [d0, d1, ..., dn] -> y [d_axes[0], d_axes[1], ..., d_axes[n]]
// Backward: dy permuted by the inverse permutation.
//
// The copy walks the output in order and gathers from the input with per-axis strides, after
// dropping size-1 axes and merging axes that stay adjacent, so `[B, T, H, D] -> [B, H, T, D]`
// copies contiguous runs of D and a 2-D transpose goes through cache-sized tiles.

extension Tensor {
    /// A copy with its axes reordered: output axis `i` is input axis `axes[i]` (negative axes allowed).
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let op = "permuted"
        guard axes.count == rank else {
            throw TensorError.invalidArgument(op: op, reason: "\(axes.count) axes given for a tensor of rank \(rank) (shape \(shape)); give each axis exactly once")
        }
        var resolved: [Int] = []
        for axis in axes { resolved.append(try normalizedAxis(axis, op: op)) }
        guard Set(resolved).count == rank else {
            throw TensorError.invalidArgument(op: op, reason: "axes \(axes) repeat an axis; give each of 0..<\(rank) exactly once")
        }
        let out = permutedCopy(resolved)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in resolved.enumerated() { inverse[axis] = i }
        return out.recordOp(op, inputs: [self]) { gradOut in [gradOut.permutedCopy(inverse)] }
    }

    /// A copy with two axes swapped (negative axes allowed).
    public func transposed(_ axis0: Int, _ axis1: Int) throws -> Tensor {
        let a = try normalizedAxis(axis0, op: "transposed"), b = try normalizedAxis(axis1, op: "transposed")
        guard rank > 0 else { throw TensorError.axisOutOfRange(op: "transposed", axis: axis0, rank: 0) }
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return try permuted(axes)
    }

    /// The permutation kernel (axes already validated), no graph.
    func permutedCopy(_ axes: [Int]) -> Tensor {
        let outShape = axes.map { shape[$0] }
        let out = Tensor.uninitialized(outShape)
        guard count > 0 else { return out }
        var inputStrides = [Int](repeating: 1, count: rank)
        var running = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) { inputStrides[axis] = running; running *= shape[axis] }
        // Coalesce output axes (innermost first) whose input strides stay contiguous.
        var dims: [Int] = [], strides: [Int] = []
        for i in stride(from: rank - 1, through: 0, by: -1) where outShape[i] != 1 {
            let size = outShape[i], s = inputStrides[axes[i]]
            if let lastSize = dims.last, let lastStride = strides.last, s == lastStride * lastSize {
                dims[dims.count - 1] *= size
            } else {
                dims.append(size); strides.append(s)
            }
        }
        if dims.isEmpty { dims = [1]; strides = [1] }
        dims.reverse(); strides.reverse()
        let x = storage.pointer, y = out.storage.pointer

        if dims.count == 1 {  // the permutation only moved size-1 axes
            y.update(from: x, count: count)
            return out
        }
        let inner = dims[dims.count - 1], innerStride = strides[strides.count - 1]
        if innerStride != 1 && strides[strides.count - 2] == 1 {
            // The last two coalesced axes are a transpose: tile it.
            let rowsOut = dims[dims.count - 2], outerRank = dims.count - 2
            let matrices = dims.prefix(outerRank).reduce(1, *)
            let outerDims = Array(dims.prefix(outerRank)), outerStrides = Array(strides.prefix(outerRank))
            Parallel.forEachChunk(matrices * rowsOut, minChunk: max(16, (1 << 14) / max(inner, 1))) { range in
                // Chunk over (matrix, output-row) pairs; tile output rows within a matrix by 16.
                var flat = range.lowerBound
                while flat < range.upperBound {
                    let matrix = flat / rowsOut, row0 = flat % rowsOut
                    let row1 = min(rowsOut, row0 + (range.upperBound - flat))
                    var source = 0, remainder = matrix
                    for axis in stride(from: outerRank - 1, through: 0, by: -1) {
                        source += (remainder % outerDims[axis]) * outerStrides[axis]
                        remainder /= outerDims[axis]
                    }
                    let src = x + source, dst = y + matrix * rowsOut * inner
                    var tileRow = row0
                    while tileRow < row1 {
                        let tileRowEnd = min(row1, tileRow + 16)
                        var tileCol = 0
                        while tileCol < inner {
                            let tileColEnd = min(inner, tileCol + 16)
                            for r in tileRow..<tileRowEnd {
                                for c in tileCol..<tileColEnd { dst[r * inner + c] = src[r + c * innerStride] }
                            }
                            tileCol = tileColEnd
                        }
                        tileRow = tileRowEnd
                    }
                    flat += row1 - row0
                }
            }
            return out
        }
        // General case: gather each output row (inner run) from the input.
        let outerRank = dims.count - 1
        let rows = dims.prefix(outerRank).reduce(1, *)
        let outerDims = Array(dims.prefix(outerRank)), outerStrides = Array(strides.prefix(outerRank))
        Parallel.forEachChunk(rows, minChunk: max(1, (1 << 14) / max(inner, 1))) { range in
            var index = [Int](repeating: 0, count: outerRank)
            var source = 0, remainder = range.lowerBound
            for axis in stride(from: outerRank - 1, through: 0, by: -1) {
                index[axis] = remainder % outerDims[axis]
                remainder /= outerDims[axis]
                source += index[axis] * outerStrides[axis]
            }
            for row in range {
                let dst = y + row * inner
                if innerStride == 1 {
                    dst.update(from: x + source, count: inner)
                } else {
                    for j in 0..<inner { dst[j] = x[source + j * innerStride] }
                }
                var axis = outerRank - 1
                while axis >= 0 {
                    index[axis] += 1
                    source += outerStrides[axis]
                    if index[axis] < outerDims[axis] { break }
                    source -= outerStrides[axis] * outerDims[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return out
    }
}

extension Reference {
    /// Axis permutation in Float64 (`axes` non-negative).
    public static func permute(_ x: ReferenceTensor, _ axes: [Int]) -> ReferenceTensor {
        let rank = x.shape.count
        let outShape = axes.map { x.shape[$0] }
        var data = [Double](repeating: 0, count: x.count)
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<x.count {
            var remainder = flat
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                index[axis] = remainder % outShape[axis]
                remainder /= outShape[axis]
            }
            var source = 0
            for inputAxis in 0..<rank {
                let outputAxis = axes.firstIndex(of: inputAxis)!  // axes is a permutation
                source = source * x.shape[inputAxis] + index[outputAxis]
            }
            data[flat] = x.data[source]
        }
        return ReferenceTensor(shape: outShape, data: data)
    }
}
