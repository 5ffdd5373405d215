// Picks one position per batch row (last non-pad token pooling, [CLS] pooling).
// Shapes: x [B, T, D], indices [B] (each in 0..<T) -> y [B, D].
// Backward scatters each output-gradient row into position indices[b] of a zero [B, T, D] gradient.

extension Tensor {
    /// For each batch row `b` of `x` `[B, T, D]`, the vector at position `indices[b]`: result `[B, D]`.
    ///
    /// Throws when `x` is not rank 3, `indices.count != B`, or an index is outside `0..<T`.
    public func pickRows(_ indices: [Int]) throws -> Tensor {
        let op = "pickRows"
        guard rank == 3 else {
            throw TensorError.shapeMismatch(op: op, expected: "x of rank 3 [batch, time, dimension]", got: shape)
        }
        let batch = shape[0], time = shape[1], dimension = shape[2]
        guard indices.count == batch else {
            throw TensorError.invalidArgument(op: op, reason: "\(indices.count) indices were given for a batch of \(batch) rows")
        }
        for index in indices where index < 0 || index >= time {
            throw TensorError.indexOutOfRange(op: op, index: index, bound: time)
        }
        let out = Tensor.uninitialized([batch, dimension])
        let x = storage.pointer, y = out.storage.pointer
        for b in 0..<batch {
            (y + b * dimension).update(from: x + (b * time + indices[b]) * dimension, count: dimension)
        }
        let inputShape = shape
        return out.recordOp(op, inputs: [self]) { gradOut in
            let gradIn = try Tensor.zeros(inputShape)
            let dy = gradOut.storage.pointer, dx = gradIn.storage.pointer
            for b in 0..<batch {
                (dx + (b * time + indices[b]) * dimension).update(from: dy + b * dimension, count: dimension)
            }
            return [gradIn]
        }
    }
}

extension Reference {
    /// `pickRows` in Float64.
    public static func pickRows(_ x: ReferenceTensor, _ indices: [Int]) -> ReferenceTensor {
        let time = x.shape[1], dimension = x.shape[2]
        var data: [Double] = []
        for (b, index) in indices.enumerated() {
            let start = (b * time + index) * dimension
            data.append(contentsOf: x.data[start..<(start + dimension)])
        }
        return ReferenceTensor(shape: [x.shape[0], dimension], data: data)
    }
}
