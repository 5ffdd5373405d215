// Embedding lookup: gathers rows of a table by token id.
// Shapes: table [V, D], ids flat [N] with N = product(shape) -> y [shape..., D].
// Forward copies row ids[n] of the table into output row n. Backward scatter-adds the output
// gradient rows into a dense [V, D] table gradient; each thread owns a slice of the D columns and
// walks the ids in order, so the sums are deterministic and no two threads touch the same element.

extension Tensor {
    /// Looks up `ids` (laid out as `shape`) in `table` `[V, D]`; the result has shape `shape + [D]`.
    ///
    /// Throws `TensorError.indexOutOfRange` for an id outside `0..<V` and `invalidArgument` when
    /// `ids.count` is not the product of `shape`.
    public static func embedding(table: Tensor, ids: [Int], shape: [Int]) throws -> Tensor {
        let op = "embedding"
        guard table.rank == 2 else {
            throw TensorError.shapeMismatch(op: op, expected: "a table of rank 2 [vocabulary, dimension]", got: table.shape)
        }
        try validate(shape: shape, op: op)
        let rowCount = shape.reduce(1, *)
        guard rowCount == ids.count else {
            throw TensorError.invalidArgument(
                op: op, reason: "\(ids.count) ids were given but the shape \(shape) needs \(rowCount)")
        }
        let vocabulary = table.shape[0], dimension = table.shape[1]
        for id in ids where id < 0 || id >= vocabulary {
            throw TensorError.indexOutOfRange(op: op, index: id, bound: vocabulary)
        }

        let out = Tensor.uninitialized(shape + [dimension])
        let source = table.storage.pointer, destination = out.storage.pointer
        ids.withUnsafeBufferPointer { idBuffer in
            let idPointer = idBuffer.baseAddress
            Parallel.forEachChunk(rowCount, minChunk: max(1, 4096 / max(dimension, 1))) { range in
                guard let idPointer else { return }
                for row in range {
                    (destination + row * dimension).update(from: source + idPointer[row] * dimension, count: dimension)
                }
            }
        }

        let tableShape = table.shape
        return out.recordOp(op, inputs: [table]) { gradOut in
            let gradTable = try Tensor.zeros(tableShape)
            let dy = gradOut.storage.pointer, dTable = gradTable.storage.pointer
            ids.withUnsafeBufferPointer { idBuffer in
                guard let idPointer = idBuffer.baseAddress else { return }
                // Parallel over columns: every thread sees all ids in order, but only its own columns.
                Parallel.forEachChunk(dimension, minChunk: rowCount * dimension >= 1 << 15 ? 16 : dimension) { columns in
                    for row in 0..<rowCount {
                        let target = dTable + idPointer[row] * dimension, gradient = dy + row * dimension
                        for column in columns { target[column] += gradient[column] }
                    }
                }
            }
            return [gradTable]
        }
    }
}

extension Reference {
    /// Embedding lookup in Float64: `table` `[V, D]`, ids laid out as `shape`.
    public static func embedding(table: ReferenceTensor, ids: [Int], shape: [Int]) -> ReferenceTensor {
        let dimension = table.shape[1]
        var data: [Double] = []
        data.reserveCapacity(ids.count * dimension)
        for id in ids { data.append(contentsOf: table.data[(id * dimension)..<((id + 1) * dimension)]) }
        return ReferenceTensor(shape: shape + [dimension], data: data)
    }
}
