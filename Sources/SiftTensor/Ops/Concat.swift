// Concatenation along one axis (copies).
// Shapes: x_i [outer..., n_i, inner...] (equal outside `axis`) -> y [outer..., Σ n_i, inner...]
// Backward: each input gets its block of dy back (a slice along the axis).

extension Tensor {
    /// Joins `tensors` along `axis` (negative counts from the end); all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        let op = "concat"
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(op: op, reason: "no tensors to concatenate; pass at least one")
        }
        guard first.rank > 0 else { throw TensorError.axisOutOfRange(op: op, axis: axis, rank: 0) }
        let resolved = try first.normalizedAxis(axis, op: op)
        for (i, t) in tensors.enumerated() {
            var expected = first.shape, actual = t.shape
            guard actual.count == expected.count else {
                throw TensorError.shapeMismatch(op: "\(op) (tensor \(i))", expected: "rank \(first.rank) like tensor 0 \(first.shape)", got: t.shape)
            }
            expected[resolved] = 0; actual[resolved] = 0
            guard actual == expected else {
                throw TensorError.shapeMismatch(
                    op: "\(op) (tensor \(i))", expected: "the shape of tensor 0 \(first.shape) except along axis \(resolved)", got: t.shape)
            }
        }
        let outer = first.shape[..<resolved].reduce(1, *), inner = first.shape[(resolved + 1)...].reduce(1, *)
        let sizes = tensors.map { $0.shape[resolved] }
        let total = sizes.reduce(0, +)
        var outShape = first.shape
        outShape[resolved] = total
        let out = Tensor.uninitialized(outShape)
        var offset = 0
        for (t, size) in zip(tensors, sizes) {
            copyBlocks(count: outer, length: size * inner, from: t.storage.pointer, sourceStride: size * inner,
                       to: out.storage.pointer + offset * inner, destinationStride: total * inner)
            offset += size
        }
        let shapes = tensors.map(\.shape)
        let needed = tensors.map(\.requiresGrad)
        return out.recordOp(op, inputs: tensors) { gradOut in
            var grads: [Tensor?] = []
            var start = 0
            for (i, size) in sizes.enumerated() {
                if needed[i] {
                    let g = Tensor.uninitialized(shapes[i])
                    copyBlocks(count: outer, length: size * inner, from: gradOut.storage.pointer + start * inner,
                               sourceStride: total * inner, to: g.storage.pointer, destinationStride: size * inner)
                    grads.append(g)
                } else {
                    grads.append(nil)
                }
                start += size
            }
            return grads
        }
    }
}

extension Reference {
    /// Concatenation along `axis` (non-negative) in Float64.
    public static func concat(_ xs: [ReferenceTensor], axis: Int) -> ReferenceTensor {
        let outer = xs[0].shape[..<axis].reduce(1, *), inner = xs[0].shape[(axis + 1)...].reduce(1, *)
        var data: [Double] = []
        for o in 0..<outer {
            for x in xs {
                let block = x.shape[axis] * inner
                data.append(contentsOf: x.data[(o * block)..<((o + 1) * block)])
            }
        }
        var shape = xs[0].shape
        shape[axis] = xs.map { $0.shape[axis] }.reduce(0, +)
        return ReferenceTensor(shape: shape, data: data)
    }
}
