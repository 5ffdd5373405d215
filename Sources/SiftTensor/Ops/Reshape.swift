// Reshape: the same elements under a new shape (row-major order unchanged), sharing storage.
// Shapes: x [any] -> y [new shape with the same element count; one dimension may be -1 = inferred]
// Backward: dy reshaped back to x's shape (copied, so the gradient never aliases another tensor).

extension Tensor {
    /// The same elements viewed with `newShape`; storage is shared, nothing is copied.
    /// One dimension may be `-1`: it is inferred from the element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let resolved = try Tensor.resolveReshape(newShape, count: count, from: shape)
        let out = Tensor(uncheckedShape: resolved, storage: storage)
        let inputShape = shape
        return out.recordOp("reshaped", inputs: [self]) { gradOut in
            let g = gradOut.copy()
            return [Tensor(uncheckedShape: inputShape, storage: g.storage)]
        }
    }

    /// Replaces a `-1` in `newShape` and checks that it holds `count` elements.
    static func resolveReshape(_ newShape: [Int], count: Int, from shape: [Int]) throws -> [Int] {
        let op = "reshaped"
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1 else {
            throw TensorError.invalidShape(op: op, shape: newShape, reason: "at most one dimension may be -1")
        }
        if let bad = newShape.first(where: { $0 < -1 }) {
            throw TensorError.invalidShape(op: op, shape: newShape, reason: "dimension \(bad) is negative")
        }
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        var resolved = newShape
        if let index = inferred.first {
            guard known > 0, count % known == 0 else {
                throw TensorError.invalidShape(
                    op: op, shape: newShape,
                    reason: "the -1 dimension cannot be inferred: \(count) elements (from \(shape)) are not a multiple of \(known)")
            }
            resolved[index] = count / known
        } else if known != count {
            throw TensorError.invalidShape(
                op: op, shape: newShape, reason: "it holds \(known) elements but the tensor \(shape) has \(count)")
        }
        return resolved
    }
}

extension Reference {
    /// Reshape in Float64 (`newShape` fully resolved).
    public static func reshape(_ x: ReferenceTensor, _ newShape: [Int]) -> ReferenceTensor {
        ReferenceTensor(shape: newShape, data: x.data)
    }
}
