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

    /// The kernel set OpenBLAS chose for this CPU at load time (nil with Accelerate).
    public static var coreName: String? {
        #if canImport(CBLAS) && !canImport(Accelerate)
        return openblas_get_corename().map { String(cString: $0) }
        #else
        return nil
        #endif
    }

    /// The `OPENBLAS_CORETYPE` worth setting before OpenBLAS loads, or nil when its own choice is fine.
    ///
    /// Why: OpenBLAS 0.3.21 (Debian 12) does not recognise newer CPUs such as Sapphire Rapids and
    /// falls back to its SSE3 "Prescott" kernels, about 5× slower than its AVX-512 ones on the same
    /// CPU (measured: 1024³ sgemm 22.6 vs 104–120 GFLOP/s on 2 Sapphire Rapids cores). The variable
    /// is read when the library loads, so the CLI sets it and re-executes itself.
    public static var suggestedCoreType: String? {
        #if canImport(CBLAS) && !canImport(Accelerate)
        let generic: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood", "Banias"]
        guard let name = coreName, generic.contains(name) else { return nil }
        switch sift_cpu_vector_level() {
        case 2: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
        #else
        return nil
        #endif
    }

    #if canImport(Accelerate)
    @usableFromInline static func blasInt(_ v: Int) -> Int32 { Int32(v) }
    #else
    @usableFromInline static func blasInt(_ v: Int) -> blasint { blasint(v) }
    #endif
}
