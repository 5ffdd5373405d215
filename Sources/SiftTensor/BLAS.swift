// The one place that calls BLAS: single-precision GEMM, row-major.
// OpenBLAS on Linux (CBLAS system target), Accelerate on Apple platforms.
#if canImport(Accelerate)
import Accelerate
#elseif canImport(CBLAS)
import CBLAS
#endif

/// Raw BLAS entry points (no shape checks: callers check).
public enum BLAS {
    /// C[M×N] = alpha · op(A) · op(B) + beta · C, row-major, with leading dimensions.
    /// op(A) is M×K (A stored K×M when `transposeA`), op(B) is K×N (B stored N×K when `transposeB`).
    @inlinable
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = Parallel.threadCount  // makes sure BLAS's thread count has been set
        if m == 0 || n == 0 { return }
        if k == 0 {  // BLAS may skip scaling C when K = 0; be explicit
            for row in 0..<m { for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : beta * c[row * ldc + col] } }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }

    #if canImport(Accelerate)
    @usableFromInline static func blasInt(_ v: Int) -> Int32 { Int32(v) }
    #else
    @usableFromInline static func blasInt(_ v: Int) -> blasint { blasint(v) }
    #endif
}
