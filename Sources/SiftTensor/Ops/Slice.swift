// Slicing along one axis (copies), and the block copy shared with concat.
// Shapes: x [outer..., n, inner...], range ⊆ 0..<n -> y [outer..., range.count, inner...]
// Backward: dy scattered into zeros of x's shape.

extension Tensor {
    /// A copy of the elements whose index along `axis` lies in `range` (negative axes allowed).
    public func slice(axis: Int, range: Range<Int>) throws -> Tensor {
        let op = "slice"
        guard rank > 0 else { throw TensorError.axisOutOfRange(op: op, axis: axis, rank: 0) }
        let resolved = try normalizedAxis(axis, op: op)
        let n = shape[resolved]
        guard range.lowerBound >= 0, range.upperBound <= n else {
            throw TensorError.invalidArgument(
                op: op, reason: "range \(range.lowerBound)..<\(range.upperBound) does not fit in axis \(axis) of size \(n) (shape \(shape))")
        }
        let outer = shape[..<resolved].reduce(1, *), inner = shape[(resolved + 1)...].reduce(1, *)
        var outShape = shape
        outShape[resolved] = range.count
        let out = Tensor.uninitialized(outShape)
        let block = range.count * inner
        Tensor.copyBlocks(count: outer, length: block,
                          from: storage.pointer + range.lowerBound * inner, sourceStride: n * inner,
                          to: out.storage.pointer, destinationStride: block)
        let inputShape = shape
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = try Tensor.zeros(inputShape)
            Tensor.copyBlocks(count: outer, length: block,
                              from: gradOut.storage.pointer, sourceStride: block,
                              to: gradIn.storage.pointer + range.lowerBound * inner, destinationStride: n * inner)
            return [gradIn]
        }
    }

    /// Copies `count` blocks of `length` elements: block i from `source + i·sourceStride` to
    /// `destination + i·destinationStride` (parallel over blocks).
    static func copyBlocks(
        count: Int, length: Int,
        from source: UnsafePointer<Float>, sourceStride: Int,
        to destination: UnsafeMutablePointer<Float>, destinationStride: Int
    ) {
        guard length > 0 else { return }
        Parallel.forEachChunk(count, minChunk: max(1, (1 << 15) / length)) { range in
            for i in range {
                (destination + i * destinationStride).update(from: source + i * sourceStride, count: length)
            }
        }
    }
}

extension Reference {
    /// Slice along `axis` (non-negative) in Float64.
    public static func slice(_ x: ReferenceTensor, axis: Int, range: Range<Int>) -> ReferenceTensor {
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var data: [Double] = []
        for o in 0..<outer {
            for j in range {
                for i in 0..<inner { data.append(x.data[(o * n + j) * inner + i]) }
            }
        }
        var shape = x.shape
        shape[axis] = range.count
        return ReferenceTensor(shape: shape, data: data)
    }
}
