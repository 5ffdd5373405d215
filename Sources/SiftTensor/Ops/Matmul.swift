// Batched matrix product through BLAS.
// Shapes: a [..., M, K] (or [..., K, M] with transposeSelf)
//         b [..., K, N] (or [..., N, K] with transposeOther), same leading batch dims as a,
//           or b 2-D [K, N] / [N, K], shared by every batch item (a weight)
//      -> c [..., M, N]
// Backward (per batch item): dA = dC · op(B)ᵀ, dB = op(A)ᵀ · dC, each written directly in the
// stored (possibly transposed) layout; a shared 2-D operand sums its gradient over the batch.
// When the 2-D operand is shared and a is not transposed, the batch folds into one GEMM with
// M' = batch·M, forward and backward.

extension Tensor {
    /// Matrix product of the last two dimensions, batched over the leading ones.
    ///
    /// `other` has either the same leading (batch) dimensions as `self` or is 2-D and shared by
    /// every batch item. The transpose flags read an operand's last two dimensions swapped
    /// without copying it.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Tensor {
        let op = "matmul"
        guard rank >= 2 else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "the left operand needs at least 2 dimensions ([..., M, K])")
        }
        guard other.rank >= 2 else {
            throw TensorError.invalidShape(op: op, shape: other.shape, reason: "the right operand needs at least 2 dimensions ([..., K, N] or [K, N])")
        }
        let m = transposeSelf ? shape[rank - 1] : shape[rank - 2]
        let k = transposeSelf ? shape[rank - 2] : shape[rank - 1]
        let otherK = transposeOther ? other.shape[other.rank - 1] : other.shape[other.rank - 2]
        let n = transposeOther ? other.shape[other.rank - 2] : other.shape[other.rank - 1]
        guard k == otherK else {
            throw TensorError.shapeMismatch(
                op: op, expected: "a right operand with \(k) rows in its matrix dimensions (the left operand \(shape) has K = \(k))",
                got: other.shape)
        }
        let batchDims = Array(shape.dropLast(2))
        let shared = other.rank == 2
        if !shared {
            guard Array(other.shape.dropLast(2)) == batchDims else {
                throw TensorError.shapeMismatch(
                    op: op, expected: "batch dimensions \(batchDims) (as the left operand) or a 2-D right operand",
                    got: other.shape)
            }
        }
        let batch = batchDims.reduce(1, *)
        let out = Tensor.uninitialized(batchDims + [m, n])
        let layout = MatmulLayout(batch: batch, m: m, k: k, n: n, transposeA: transposeSelf, transposeB: transposeOther, sharedB: shared)
        layout.forward(a: storage.pointer, b: other.storage.pointer, c: out.storage.pointer)

        let left = self
        return out.recordOp("matmul", inputs: [self, other]) { gradOut in
            let dC = gradOut.storage.pointer
            var gradLeft: Tensor? = nil, gradRight: Tensor? = nil
            if left.requiresGrad {
                let g = Tensor.uninitialized(left.shape)
                layout.gradientA(dC: dC, b: other.storage.pointer, dA: g.storage.pointer)
                gradLeft = g
            }
            if other.requiresGrad {
                let g = Tensor.uninitialized(other.shape)
                layout.gradientB(dC: dC, a: left.storage.pointer, dB: g.storage.pointer)
                gradRight = g
            }
            return [gradLeft, gradRight]
        }
    }
}

/// The GEMM calls of one `matmul`: sizes, transposes and whether B is shared over the batch.
struct MatmulLayout {
    let batch: Int, m: Int, k: Int, n: Int
    let transposeA: Bool, transposeB: Bool, sharedB: Bool

    /// A shared B with an untransposed A folds the batch into the M dimension.
    var foldsBatch: Bool { sharedB && !transposeA }

    func forward(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        if foldsBatch {
            MatmulLayout.gemm(batch: 1, transposeA: false, transposeB: transposeB, m: batch * m, n: n, k: k,
                              a: a, strideA: 0, b: b, strideB: 0, c: c, strideC: 0)
        } else {
            MatmulLayout.gemm(batch: batch, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                              a: a, strideA: m * k, b: b, strideB: sharedB ? 0 : k * n, c: c, strideC: m * n)
        }
    }

    /// dA in A's stored layout: [M, K] = dC · op(B)ᵀ, or [K, M] = op(B) · dCᵀ when A is transposed.
    func gradientA(dC: UnsafePointer<Float>, b: UnsafePointer<Float>, dA: UnsafeMutablePointer<Float>) {
        let strideB = sharedB ? 0 : k * n
        if foldsBatch {
            MatmulLayout.gemm(batch: 1, transposeA: false, transposeB: !transposeB, m: batch * m, n: k, k: n,
                              a: dC, strideA: 0, b: b, strideB: 0, c: dA, strideC: 0)
        } else if !transposeA {
            MatmulLayout.gemm(batch: batch, transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                              a: dC, strideA: m * n, b: b, strideB: strideB, c: dA, strideC: m * k)
        } else {
            MatmulLayout.gemm(batch: batch, transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                              a: b, strideA: strideB, b: dC, strideB: m * n, c: dA, strideC: k * m)
        }
    }

    /// dB in B's stored layout: [K, N] = op(A)ᵀ · dC, or [N, K] = dCᵀ · op(A) when B is transposed.
    /// A shared B accumulates over the batch (folded into K of the GEMM, or beta = 1 per item).
    func gradientB(dC: UnsafePointer<Float>, a: UnsafePointer<Float>, dB: UnsafeMutablePointer<Float>) {
        let strideC = sharedB ? 0 : k * n  // 0: every batch item accumulates into the same dB
        if foldsBatch {
            if !transposeB {
                MatmulLayout.gemm(batch: 1, transposeA: true, transposeB: false, m: k, n: n, k: batch * m,
                                  a: a, strideA: 0, b: dC, strideB: 0, c: dB, strideC: 0)
            } else {
                MatmulLayout.gemm(batch: 1, transposeA: true, transposeB: false, m: n, n: k, k: batch * m,
                                  a: dC, strideA: 0, b: a, strideB: 0, c: dB, strideC: 0)
            }
        } else if !transposeB {
            MatmulLayout.gemm(batch: batch, transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                              a: a, strideA: m * k, b: dC, strideB: m * n, c: dB, strideC: strideC)
        } else {
            MatmulLayout.gemm(batch: batch, transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                              a: dC, strideA: m * n, b: a, strideB: m * k, c: dB, strideC: strideC)
        }
    }

    /// `batch` row-major GEMMs C_i = op(A_i) · op(B_i), operands `stride` elements apart. Each
    /// operand is stored either as its op'd form or as its transpose, which fixes the leading
    /// dimensions. With `strideC == 0` every item after the first accumulates (beta = 1); the
    /// first uses `initialBeta` (1 adds onto what C holds, e.g. a bias).
    static func gemm(
        batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, strideA: Int, b: UnsafePointer<Float>, strideB: Int,
        c: UnsafeMutablePointer<Float>, strideC: Int, beta initialBeta: Float = 0
    ) {
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        if batch == 0 || m == 0 || n == 0 { return }
        let useOneDNN = GEMMBackend.f32 == .oneDNN && m * n * k >= GEMMBackend.oneDNNMinimumWork
        for item in 0..<batch {
            let beta: Float = strideC == 0 && item > 0 ? 1 : initialBeta
            if useOneDNN, OneDNN.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: a + item * strideA, lda: max(lda, 1), b: b + item * strideB, ldb: max(ldb, 1),
                beta: beta, c: c + item * strideC, ldc: max(n, 1)) {
                continue
            }
            BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                       a: a + item * strideA, lda: max(lda, 1), b: b + item * strideB, ldb: max(ldb, 1),
                       beta: beta, c: c + item * strideC, ldc: max(n, 1))
        }
    }
}

extension Reference {
    /// Batched matrix product in Float64, with the same shape rules as `Tensor.matmul`.
    public static func matmul(
        _ a: ReferenceTensor, _ b: ReferenceTensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> ReferenceTensor {
        let ra = a.shape.count, rb = b.shape.count
        let m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]
        let k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
        let n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]
        let batchDims = Array(a.shape.dropLast(2))
        let batch = batchDims.reduce(1, *)
        let shared = rb == 2
        var data = [Double](repeating: 0, count: batch * m * n)
        for item in 0..<batch {
            let baseA = item * m * k, baseB = shared ? 0 : item * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var total = 0.0
                    for p in 0..<k {
                        let x = a.data[baseA + (transposeA ? p * m + i : i * k + p)]
                        let y = b.data[baseB + (transposeB ? j * k + p : p * n + j)]
                        total += x * y
                    }
                    data[item * m * n + i * n + j] = total
                }
            }
        }
        return ReferenceTensor(shape: batchDims + [m, n], data: data)
    }
}
