// oneDNN (Intel's deep-learning primitives, Debian `libdnnl-dev`) as a GEMM backend: f32 × f32 and
// bf16 × bf16 → f32 matmuls. oneDNN JIT-compiles a kernel for each problem (sizes, transposes,
// leading dimensions, beta), which takes milliseconds, so the prepared plans are kept and reused
// (a training step or a batch of fixed shape hits the same dozen plans every time).
// oneDNN runs on OpenMP threads; the thread count follows `Parallel.threadCount`.
#if canImport(CDNNL)
import CDNNL
#endif
import Synchronization

/// GEMMs through oneDNN, when the library was found at build time and works at run time.
public enum OneDNN {
    /// Whether oneDNN matmuls can run in this process.
    public static var isAvailable: Bool { runtime != nil }

    /// Why oneDNN is not available (nil when it is).
    public static var unavailableReason: String? {
        #if canImport(CDNNL)
        return runtime == nil ? "oneDNN failed to create its CPU engine or stream" : nil
        #else
        return "Sift was built without oneDNN (install libdnnl-dev and rebuild)"
        #endif
    }

    /// An activation applied to a product's output inside the GEMM (an eltwise post-op).
    public enum Epilogue: Int32, Sendable {
        case none = 0, geluErf = 1, geluTanh = 2
    }

    /// Row-major C[M×N] = op(A) · op(B) (+ bias[N] on every row) + beta · C in f32, as `BLAS.sgemm`
    /// (alpha = 1), then `epilogue`. Returns false (and does nothing) when oneDNN cannot run it.
    @discardableResult
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>? = nil, epilogue: Epilogue = .none
    ) -> Bool {
        run(PlanKey(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                    lda: lda, ldb: ldb, ldc: ldc, bf16: false, beta: beta, bias: bias != nil, epilogue: epilogue),
            a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), c: c, bias: bias)
    }

    /// Row-major C[M×N] = op(A) · op(B) (+ bias[N]) + beta · C with bf16 A and B (raw bits) and f32
    /// C and bias, then `epilogue`. Returns false (and does nothing) when oneDNN cannot run it.
    @discardableResult
    public static func bf16gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>? = nil, epilogue: Epilogue = .none
    ) -> Bool {
        run(PlanKey(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                    lda: lda, ldb: ldb, ldc: ldc, bf16: true, beta: beta, bias: bias != nil, epilogue: epilogue),
            a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), c: c, bias: bias)
    }

    /// Number of prepared plans kept now (for tests and benchmarks).
    public static var cachedPlanCount: Int { plans.withLock { $0.entries.count } }

    struct PlanKey: Hashable {
        let m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool
        let lda: Int, ldb: Int, ldc: Int
        let bf16: Bool
        let beta: Float
        let bias: Bool
        let epilogue: Epilogue
    }

    #if canImport(CDNNL)
    /// The engine and stream every plan runs on.
    private final class Runtime: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t
        init?() {
            var engine: dnnl_engine_t?
            guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
            var stream: dnnl_stream_t?
            guard dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success,
                  let stream else {
                dnnl_engine_destroy(engine)
                return nil
            }
            self.engine = engine
            self.stream = stream
        }
    }

    /// A prepared primitive (or the record that oneDNN refused the problem).
    private final class Plan: @unchecked Sendable {
        var handle = sift_dnnl_gemm_plan()
        let usable: Bool
        init(key: PlanKey, runtime: Runtime) {
            let status = sift_dnnl_gemm_plan_create(
                runtime.engine, Int64(key.m), Int64(key.n), Int64(key.k), key.transposeA ? 1 : 0, key.transposeB ? 1 : 0,
                Int64(key.lda), Int64(key.ldb), Int64(key.ldc), key.bf16 ? 1 : 0, key.beta, key.bias ? 1 : 0,
                key.epilogue.rawValue, &handle)
            usable = status == dnnl_success
            if !usable { sift_dnnl_gemm_plan_destroy(&handle) }
        }
        deinit { sift_dnnl_gemm_plan_destroy(&handle) }
    }

    private static let runtime: Runtime? = Runtime()
    #else
    private final class Plan: @unchecked Sendable {}
    private static let runtime: Int? = nil
    #endif

    /// Plans by problem, least recently used dropped beyond `planLimit` (varying sequence lengths
    /// in inference would otherwise grow it without bound).
    private struct PlanCache {
        var entries: [PlanKey: (plan: Plan, lastUse: Int)] = [:]
        var clock = 0
    }
    private static let planLimit = 256
    private static let plans = Mutex(PlanCache())

    /// Runs one product. Executions are serialised: each one already uses every core.
    private static func run(
        _ key: PlanKey, a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?
    ) -> Bool {
        #if canImport(CDNNL)
        guard let runtime, key.m > 0, key.n > 0, key.k > 0 else { return false }
        return plans.withLock { cache -> Bool in
            cache.clock += 1
            let plan: Plan
            if let entry = cache.entries[key] {
                plan = entry.plan
            } else {
                plan = Plan(key: key, runtime: runtime)
                if cache.entries.count >= planLimit,
                   let oldest = cache.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                    cache.entries[oldest] = nil
                }
            }
            cache.entries[key] = (plan, cache.clock)
            guard plan.usable else { return false }
            // OpenMP's thread count is per calling thread; set it for whichever thread runs this.
            omp_set_num_threads(Int32(Parallel.threadCount))
            return withUnsafePointer(to: &plan.handle) { handle in
                sift_dnnl_gemm_plan_execute(handle, runtime.stream, a, b, c, bias) == dnnl_success
            }
        }
        #else
        return false
        #endif
    }
}
