// NumPy broadcasting (trailing-aligned) for element-wise ops, and its adjoint: summing a
// gradient back over the broadcast axes.
// Shapes: a [..., A_i, ...], b [..., B_i, ...] -> out [..., max(A_i, B_i), ...]
//         where each aligned pair is equal or one of them is 1 (missing leading dims count as 1).
//
// Both directions work on a "coalesced" layout: dimensions of size 1 are dropped and adjacent
// dimensions are merged whenever both operands stay contiguous across them, so `[B, T, C] + [C]`
// becomes two loops (rows × C) and a same-shape op becomes a single flat loop.

/// A broadcast iteration plan: the output is contiguous; each operand has its own strides
/// (0 along the axes it is broadcast over). The last coalesced dimension is the inner loop.
@usableFromInline
struct BroadcastPlan {
    /// The full (uncoalesced) output shape.
    let outputShape: [Int]
    /// Coalesced dimension sizes, outermost first (at least one entry).
    let dims: [Int]
    /// Per-dimension element strides of operand A in the coalesced layout.
    let stridesA: [Int]
    /// Per-dimension element strides of operand B in the coalesced layout.
    let stridesB: [Int]

    /// Elements of the inner (last coalesced) dimension.
    var innerCount: Int { dims[dims.count - 1] }
    /// Number of inner rows (product of the outer coalesced dimensions).
    var rowCount: Int { dims.dropLast().reduce(1, *) }
    var innerStrideA: Int { stridesA[stridesA.count - 1] }
    var innerStrideB: Int { stridesB[stridesB.count - 1] }

    /// Plans `a ⊕ b` with broadcasting; throws if the shapes are incompatible.
    init(_ shapeA: [Int], _ shapeB: [Int], op: String) throws {
        let rank = max(shapeA.count, shapeB.count)
        let paddedA = [Int](repeating: 1, count: rank - shapeA.count) + shapeA
        let paddedB = [Int](repeating: 1, count: rank - shapeB.count) + shapeB
        var output = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let x = paddedA[axis], y = paddedB[axis]
            guard x == y || x == 1 || y == 1 else {
                throw TensorError.shapeMismatch(
                    op: op, expected: "a shape that broadcasts with \(shapeA) (axis \(axis - rank) must be \(x) or 1)",
                    got: shapeB)
            }
            output[axis] = x == 1 ? y : x
        }
        self.init(outputShape: output, paddedA: paddedA, paddedB: paddedB)
    }

    /// Plans reading a tensor of `sourceShape` (operand A, contiguous, not broadcast) together with a
    /// tensor of `targetShape` (operand B) that broadcasts to it. Used to reduce gradients.
    init(reducing sourceShape: [Int], to targetShape: [Int], op: String) throws {
        guard targetShape.count <= sourceShape.count else {
            throw TensorError.shapeMismatch(op: op, expected: "a shape of rank ≤ \(sourceShape.count)", got: targetShape)
        }
        let padded = [Int](repeating: 1, count: sourceShape.count - targetShape.count) + targetShape
        for (s, t) in zip(sourceShape, padded) where !(t == s || t == 1) {
            throw TensorError.shapeMismatch(op: op, expected: "a shape that broadcasts to \(sourceShape)", got: targetShape)
        }
        self.init(outputShape: sourceShape, paddedA: sourceShape, paddedB: padded)
    }

    private init(outputShape: [Int], paddedA: [Int], paddedB: [Int]) {
        self.outputShape = outputShape
        // Contiguous strides of each operand in its own layout, 0 where it is broadcast.
        func strides(_ padded: [Int]) -> [Int] {
            var result = [Int](repeating: 0, count: padded.count)
            var running = 1
            for axis in stride(from: padded.count - 1, through: 0, by: -1) {
                result[axis] = padded[axis] == 1 ? 0 : running
                running *= padded[axis]
            }
            return result
        }
        let fullA = strides(paddedA), fullB = strides(paddedB)
        // Coalesce from the innermost dimension outwards (built reversed, then flipped).
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for axis in stride(from: outputShape.count - 1, through: 0, by: -1) where outputShape[axis] != 1 {
            let size = outputShape[axis]
            if let lastSize = dims.last, let lastA = sa.last, let lastB = sb.last,
               fullA[axis] == lastA * lastSize, fullB[axis] == lastB * lastSize {
                dims[dims.count - 1] = lastSize * size
            } else {
                dims.append(size)
                sa.append(fullA[axis])
                sb.append(fullB[axis])
            }
        }
        if dims.isEmpty { dims = [1]; sa = [1]; sb = [1] }  // every dimension is 1: one element
        self.dims = dims.reversed()
        self.stridesA = sa.reversed()
        self.stridesB = sb.reversed()
    }

    /// Calls `body(rowStartA, rowStartB, row)` for each inner row in `rows`, walking the outer
    /// dimensions like an odometer (no division per row).
    @inline(__always)
    func forEachRow(_ rows: Range<Int>, _ body: (Int, Int, Int) -> Void) {
        guard !rows.isEmpty else { return }
        let outerRank = dims.count - 1
        if outerRank == 0 {
            for row in rows { body(0, 0, row) }
            return
        }
        var index = [Int](repeating: 0, count: outerRank)
        var offsetA = 0, offsetB = 0
        var remainder = rows.lowerBound
        for axis in stride(from: outerRank - 1, through: 0, by: -1) {
            index[axis] = remainder % dims[axis]
            remainder /= dims[axis]
            offsetA += index[axis] * stridesA[axis]
            offsetB += index[axis] * stridesB[axis]
        }
        for row in rows {
            body(offsetA, offsetB, row)
            var axis = outerRank - 1
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < dims[axis] { break }
                offsetA -= stridesA[axis] * dims[axis]
                offsetB -= stridesB[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// The shape that `a` and `b` broadcast to (NumPy rules), or a thrown shape mismatch.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        try BroadcastPlan(a, b, op: "broadcastShape").outputShape
    }

    /// Sums this (gradient) tensor over the axes along which a tensor of `targetShape` was
    /// broadcast to produce it, giving a tensor of `targetShape`. No graph is recorded.
    /// Always returns fresh storage (gradients handed to different inputs must never share memory).
    func summedForBroadcast(to targetShape: [Int]) throws -> Tensor {
        if targetShape == shape { return copy() }
        let plan = try BroadcastPlan(reducing: shape, to: targetShape, op: "gradient of a broadcast op")
        let out = try Tensor.zeros(targetShape)
        let source = storage.pointer, target = out.storage.pointer
        let inner = plan.innerCount, strideSource = plan.innerStrideA, strideTarget = plan.innerStrideB
        if plan.dims.count == 2 && plan.stridesB == [0, 1] {
            // `[rows, C]` summed to `[C]` (a bias-like broadcast): parallel, deterministic column sums.
            Tensor.columnSums(source, rows: plan.dims[0], columns: inner, into: target)
            return out
        }
        // Serial on purpose: rows of the source add into shared target elements, and a fixed order
        // keeps the result bit-identical run to run.
        plan.forEachRow(0..<plan.rowCount) { offsetSource, offsetTarget, _ in
            let s = source + offsetSource, t = target + offsetTarget
            if strideTarget == 0 {
                t[0] += Tensor.stridedSum(s, count: inner, stride: strideSource)
            } else if strideSource == 1 && strideTarget == 1 {
                Tensor.addRow(s, into: t, count: inner)
            } else {
                for j in 0..<inner { t[j * strideTarget] += s[j * strideSource] }
            }
        }
        return out
    }
}

extension Reference {
    /// Applies `f` element-wise with NumPy broadcasting, in Float64 (no coalescing, no fast paths).
    public static func broadcast(
        _ a: ReferenceTensor, _ b: ReferenceTensor, _ f: (Double, Double) -> Double
    ) -> ReferenceTensor {
        let rank = max(a.shape.count, b.shape.count)
        let pa = [Int](repeating: 1, count: rank - a.shape.count) + a.shape
        let pb = [Int](repeating: 1, count: rank - b.shape.count) + b.shape
        let outShape = zip(pa, pb).map { $0 == 1 ? $1 : $0 }
        let count = outShape.reduce(1, *)
        var data = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<count {
            var remainder = flat
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                index[axis] = remainder % outShape[axis]
                remainder /= outShape[axis]
            }
            var ia = 0, ib = 0
            for axis in 0..<rank {
                ia = ia * pa[axis] + (pa[axis] == 1 ? 0 : index[axis])
                ib = ib * pb[axis] + (pb[axis] == 1 ? 0 : index[axis])
            }
            data[flat] = f(a.data[ia], b.data[ib])
        }
        return ReferenceTensor(shape: outShape, data: data)
    }
}
