// oneDNN (Intel's deep-learning primitives, Debian `libdnnl-dev`) as a GEMM backend: f32 × f32 and
// bf16 × bf16 → f32 matmuls. oneDNN JIT-compiles a kernel for each problem (sizes, transposes,
// leading dimensions, beta), which takes milliseconds, so the prepared plans are kept and reused
// (a training step or a batch of fixed shape hits the same dozen plans every time).
// oneDNN runs on OpenMP threads; the thread count follows `Parallel.threadCount`.
// Packed weights: by default B is read in the caller's layout and oneDNN copies it into its blocked
// layout on every call. `linearPacked` instead asks the primitive for its preferred layout and keeps
// one copy of the weight in it (on the weight's storage, rebuilt when the weight is marked mutated):
// one streaming read per call and no copy, which matters most when each weight is used for few
// rows (batch-1 inference).
// Repacked B: oneDNN 2.6's f32 matmul is slow when B is row-major (not transposed) and wide —
// linear's backward products dx = dy·W and dW = dyᵀ·x for a layer with 3072 inputs ran at
// 108–140 GFLOP/s on 2 Ice Lake cores where B transposed runs at 200–270 (C harness, interleaved).
// Copying such a B into the primitive's preferred layout first (one reorder, 0.4–5 ms) brings
// them to 197–221 GFLOP/s, so `sgemm` does that for row-major B with N ≥ `repackMinimumColumns`,
// and for every row-major B when A is not transposed (dx = dy·W: B is a weight, the copy is
// cheap, and measured 1.0–1.2× on BERT's narrower shapes; for dW = dyᵀ·x, B is an activation
// and narrower shapes gained nothing).
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
        let repack = !transposeB && (n >= repackMinimumColumns || !transposeA) && m >= repackMinimumRows && repacksRowMajorB
        return run(PlanKey(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                           lda: lda, ldb: ldb, ldc: ldc, bf16: false, beta: beta, bias: bias != nil, epilogue: epilogue,
                           packedWeights: repack),
                   a: UnsafeRawPointer(a), b: repack ? .repacked(UnsafeRawPointer(b)) : .plain(UnsafeRawPointer(b)), c: c, bias: bias)
    }

    /// Whether `sgemm` copies a wide row-major B into the primitive's layout before multiplying
    /// (on by default; `sift bench train --gemm onednn-plain` turns it off to measure it).
    @TaskLocal public static var repacksRowMajorB = true
    /// Row-major B at least this wide is repacked (measured slow at N = 3072, fine at N ≤ 1536).
    static let repackMinimumColumns = 2048
    /// With fewer rows of A the copy costs more than it saves.
    static let repackMinimumRows = 64
    /// Products run with a repacked B so far (tests check the path ran).
    static let repackedProducts = Atomic<Int>(0)

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
            a: UnsafeRawPointer(a), b: .plain(UnsafeRawPointer(b)), c: c, bias: bias)
    }

    /// Row-major C[M×N] = A[M×K] · Wᵀ (+ bias[N]) then `epilogue`, in f32, with W `[N, K]` read
    /// from a copy in oneDNN's blocked layout that is made once and kept on `weight` (see
    /// `WeightCopyCache`). Returns false (and does nothing) when oneDNN cannot run it.
    @discardableResult
    public static func linearPacked(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, weight: TensorStorage,
        c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil, epilogue: Epilogue = .none
    ) -> Bool {
        guard weight.count == n * k else { return false }
        return run(PlanKey(m: m, n: n, k: k, transposeA: false, transposeB: true, lda: k, ldb: k, ldc: n,
                           bf16: false, beta: 0, bias: bias != nil, epilogue: epilogue, packedWeights: true),
                   a: UnsafeRawPointer(a), b: .packed(weight), c: c, bias: bias)
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
        var packedWeights = false
    }

    /// Where a product's B comes from: the caller's buffer, a weight's kept packed copy, or the
    /// caller's buffer copied into the plan's layout for this call only.
    private enum WeightOperand {
        case plain(UnsafeRawPointer)
        case packed(TensorStorage)
        case repacked(UnsafeRawPointer)
    }

    #if canImport(CDNNL)
    /// The engine and stream every plan runs on.
    fileprivate final class Runtime: @unchecked Sendable {
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
    final class Plan: @unchecked Sendable {
        var handle = sift_dnnl_gemm_plan()
        let usable: Bool
        fileprivate init(key: PlanKey, runtime: Runtime) {
            let status = sift_dnnl_gemm_plan_create(
                runtime.engine, Int64(key.m), Int64(key.n), Int64(key.k), key.transposeA ? 1 : 0, key.transposeB ? 1 : 0,
                Int64(key.lda), Int64(key.ldb), Int64(key.ldc), key.bf16 ? 1 : 0, key.beta, key.bias ? 1 : 0,
                key.epilogue.rawValue, key.packedWeights ? 1 : 0, &handle)
            usable = status == dnnl_success
            if !usable { sift_dnnl_gemm_plan_destroy(&handle) }
        }
        deinit { sift_dnnl_gemm_plan_destroy(&handle) }

        /// Whether a copy packed for `other` is in this plan's layout.
        func sharesWeightsLayout(with other: Plan) -> Bool {
            other === self || withUnsafePointer(to: &handle) { mine in
                withUnsafePointer(to: &other.handle) { sift_dnnl_gemm_plans_share_weights_layout(mine, $0) != 0 }
            }
        }
    }

    /// The packed copy of `weight` for `plan`: the kept one if it is current and in the plan's
    /// layout, else a new one (kept). Nil when packing fails.
    private static func packedWeights(_ weight: TensorStorage, plan: Plan, runtime: Runtime) -> PackedWeights? {
        let version = weight.mutationCount
        return weight.packedCopy.withLock { kept -> PackedWeights? in
            if let kept, kept.version == version, let layoutPlan = kept.plan, plan.sharesWeightsLayout(with: layoutPlan) {
                return kept
            }
            let bytes = withUnsafePointer(to: &plan.handle) { sift_dnnl_gemm_plan_weights_size($0) }
            let fresh = PackedWeights(bytes: bytes, version: version, plan: plan)
            let status = withUnsafePointer(to: &plan.handle) {
                sift_dnnl_gemm_plan_pack_weights($0, runtime.stream, weight.pointer, fresh.pointer)
            }
            guard status == dnnl_success else { return nil }
            kept = fresh
            return fresh
        }
    }

    private static let runtime: Runtime? = Runtime()
    #else
    final class Plan: @unchecked Sendable {}
    private static let runtime: Int? = nil
    #endif

    /// Plans by problem, least recently used dropped beyond `planLimit` (varying sequence lengths
    /// in inference would otherwise grow it without bound).
    private struct PlanCache {
        var entries: [PlanKey: (plan: Plan, lastUse: Int)] = [:]
        var clock = 0
        /// Where repacked B operands go: kept across products (up to `keptScratchLimit` bytes)
        /// because a fresh block of activation size is often a pool miss, and first-touch page
        /// faults made the 25 MB reorder of BERT-base's dW take 30–70 ms instead of 3–5.
        var scratch: RepackScratch?

        /// The kept block, grown to `bytes` if needed; nil above `keptScratchLimit` (the caller
        /// allocates for that product alone).
        mutating func keptScratch(bytes: Int) -> UnsafeMutableRawPointer? {
            guard bytes <= OneDNN.keptScratchLimit else { return nil }
            if let kept = scratch, kept.bytes >= bytes { return kept.pointer }
            let fresh = RepackScratch(bytes: bytes)
            scratch = fresh
            return fresh.pointer
        }
    }

    /// A 64-byte aligned block for repacked B operands.
    private final class RepackScratch: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
        init(bytes: Int) {
            pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
            self.bytes = bytes
        }
        deinit { pointer.deallocate() }
    }
    private static let keptScratchLimit = 128 << 20
    private static let planLimit = 256
    private static let plans = Mutex(PlanCache())

    /// Runs one product. Executions are serialised: each one already uses every core.
    private static func run(
        _ key: PlanKey, a: UnsafeRawPointer, b operand: WeightOperand, c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?
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
            let b: UnsafeRawPointer
            var scratch: TensorStorage? = nil  // a repacked B too large to keep, freed after the product
            switch operand {
            case .plain(let pointer): b = pointer
            case .packed(let weight):
                guard let packed = packedWeights(weight, plan: plan, runtime: runtime) else { return false }
                b = UnsafeRawPointer(packed.pointer)
            case .repacked(let pointer):
                let bytes = withUnsafePointer(to: &plan.handle) { sift_dnnl_gemm_plan_weights_size($0) }
                let target: UnsafeMutableRawPointer
                if let kept = cache.keptScratch(bytes: bytes) {
                    target = kept
                } else {
                    let buffer = TensorStorage(uninitializedCount: (bytes + 3) / 4)
                    scratch = buffer
                    target = UnsafeMutableRawPointer(buffer.pointer)
                }
                let status = withUnsafePointer(to: &plan.handle) {
                    sift_dnnl_gemm_plan_pack_weights($0, runtime.stream, pointer, target)
                }
                guard status == dnnl_success else { return false }
                repackedProducts.add(1, ordering: .relaxed)
                b = UnsafeRawPointer(target)
            }
            return withExtendedLifetime(scratch) {
                withUnsafePointer(to: &plan.handle) { handle in
                    sift_dnnl_gemm_plan_execute(handle, runtime.stream, a, b, c, bias) == dnnl_success
                }
            }
        }
        #else
        return false
        #endif
    }
}

/// A weight in a oneDNN plan's blocked layout (64-byte aligned), for `OneDNN.linearPacked`.
final class PackedWeights: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    /// The weight storage's `mutationCount` when the copy was made.
    let version: Int
    /// A plan whose layout the copy is in (kept alive so the layout can be compared).
    let plan: OneDNN.Plan?

    init(bytes: Int, version: Int, plan: OneDNN.Plan) {
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
        self.version = version
        self.plan = plan
    }

    deinit { pointer.deallocate() }
}
