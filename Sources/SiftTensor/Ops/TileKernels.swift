// Small-matrix products for attention tiles, in plain Swift SIMD: no BLAS, no global state, so
// many threads can run them at once (one (batch, head) each) and results are deterministic.
// Same contract as `BLAS.sgemm` (row-major, C = alpha·op(A)·op(B) + beta·C; with beta = 0, C is
// never read), specialised for the two shapes attention needs:
//   • op(B) = Bᵀ (scores q·kᵀ, dP = dy·vᵀ): dot products along k, both operands contiguous;
//   • op(B) = B (p·v, dS·k, pᵀ·dy, dSᵀ·q): broadcast one A element, SIMD along the row of B.
// Multiply then add, never addProduct: without an FMA target feature that is a libm call per lane.

enum TileKernels {
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if transposeB && !transposeA {
            dotForm(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else if !transposeB {
            axpyForm(
                m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: transposeA ? 1 : lda, aColumnStride: transposeA ? lda : 1,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            // Aᵀ·Bᵀ is not used by attention; a plain loop keeps the contract complete.
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum += a[p * lda + i] * b[j * ldb + p] }
                    c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
                }
            }
        }
    }

    /// C[i, j] = alpha · Σ_p A[i, p]·B[j, p] + beta · C[i, j], four columns of C at a time.
    @inline(__always)
    private static func dotForm(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let vectorEnd = k & ~15
        for i in 0..<m {
            let aRow = UnsafeRawPointer(a + i * lda), cRow = c + i * ldc
            var j = 0
            while j + 4 <= n {
                let b0 = UnsafeRawPointer(b + j * ldb), b1 = UnsafeRawPointer(b + (j + 1) * ldb)
                let b2 = UnsafeRawPointer(b + (j + 2) * ldb), b3 = UnsafeRawPointer(b + (j + 3) * ldb)
                var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
                var p = 0
                while p < vectorEnd {
                    let offset = p * 4
                    let va = aRow.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    s0 += va * b0.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    s1 += va * b1.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    s2 += va * b2.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    s3 += va * b3.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    p += 16
                }
                var sums = SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
                while p < k {
                    let x = a[i * lda + p]
                    sums += SIMD4(x * b[j * ldb + p], x * b[(j + 1) * ldb + p], x * b[(j + 2) * ldb + p], x * b[(j + 3) * ldb + p])
                    p += 1
                }
                for lane in 0..<4 {
                    cRow[j + lane] = alpha * sums[lane] + (beta == 0 ? 0 : beta * cRow[j + lane])
                }
                j += 4
            }
            while j < n {
                let sum = RowKernels.dot(a + i * lda, b + j * ldb, count: k)
                cRow[j] = alpha * sum + (beta == 0 ? 0 : beta * cRow[j])
                j += 1
            }
        }
    }

    /// C[i, :] = alpha · Σ_p A(i, p)·B[p, :] + beta · C[i, :], with A(i, p) = a[i·rowStride + p·columnStride].
    @inline(__always)
    private static func axpyForm(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            let aRow = a + i * aRowStride, cRow = c + i * ldc
            var j = 0
            while j + 32 <= n {
                var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
                for p in 0..<k {
                    let x = SIMD16<Float>(repeating: aRow[p * aColumnStride])
                    let bRow = UnsafeRawPointer(b + p * ldb + j)
                    acc0 += x * bRow.loadUnaligned(as: SIMD16<Float>.self)
                    acc1 += x * bRow.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                }
                store(acc0, alpha: alpha, beta: beta, into: cRow + j)
                store(acc1, alpha: alpha, beta: beta, into: cRow + j + 16)
                j += 32
            }
            while j + 16 <= n {
                var acc = SIMD16<Float>()
                for p in 0..<k {
                    acc += SIMD16<Float>(repeating: aRow[p * aColumnStride])
                        * UnsafeRawPointer(b + p * ldb + j).loadUnaligned(as: SIMD16<Float>.self)
                }
                store(acc, alpha: alpha, beta: beta, into: cRow + j)
                j += 16
            }
            while j < n {
                var sum: Float = 0
                for p in 0..<k { sum += aRow[p * aColumnStride] * b[p * ldb + j] }
                cRow[j] = alpha * sum + (beta == 0 ? 0 : beta * cRow[j])
                j += 1
            }
        }
    }

    @inline(__always)
    private static func store(_ accumulator: SIMD16<Float>, alpha: Float, beta: Float, into destination: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(destination)
        var result = accumulator * alpha
        if beta != 0 { result += beta * raw.loadUnaligned(as: SIMD16<Float>.self) }
        raw.storeBytes(of: result, as: SIMD16<Float>.self)
    }
}
