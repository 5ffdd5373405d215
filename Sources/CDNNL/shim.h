// oneDNN's C API (Debian: libdnnl-dev 2.6, OpenMP CPU runtime) plus a few inline helpers that build
// a row-major GEMM primitive, so Swift never has to fill dnnl_dims_t arrays (imported as 12-tuples).
#ifndef SIFT_CDNNL_SHIM_H
#define SIFT_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <immintrin.h>

// libgomp's thread-count calls (oneDNN runs its kernels on OpenMP threads).
void omp_set_num_threads(int count);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
/// libgomp's entry point for a parallel region (what `#pragma omp parallel num_threads(n)` compiles
/// to): runs fn(data) on a team of up to n threads, the caller included, and returns when all are done.
/// Sift's own loops run on it so they share oneDNN's threads instead of waking a second pool.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);

/// One prepared C = op(A)·op(B) (+ bias) (+ beta·C), then an optional activation: the primitive and
/// its memory objects, whose data handles are set on every call.
typedef struct {
    dnnl_primitive_t primitive;
    dnnl_memory_t a;
    dnnl_memory_t b;
    dnnl_memory_t c;
    dnnl_memory_t bias;  // NULL without a bias
    /// 1: B is passed in `weightsLayout`, the blocked layout the primitive chose (packed once with
    /// sift_dnnl_gemm_plan_pack_weights), not as the caller stores it (`plainWeights`).
    int packedWeights;
    dnnl_memory_desc_t plainWeights;
    dnnl_memory_desc_t weightsLayout;
    /// With packedWeights: B as the caller stores it, and the reorder into `weightsLayout`, made
    /// once with the plan (a product that repacks its B on every call reuses them).
    dnnl_memory_t plainB;
    dnnl_primitive_t pack;
} sift_dnnl_gemm_plan;

/// Activations a plan can apply to its output (an eltwise post-op).
enum { SIFT_DNNL_EPILOGUE_NONE = 0, SIFT_DNNL_EPILOGUE_GELU_ERF = 1, SIFT_DNNL_EPILOGUE_GELU_TANH = 2 };

/// Builds a plan. Row-major, like cblas: A is M×K stored with leading dimension lda (K×M when
/// transA), B is K×N with ldb (N×K when transB), C is M×N with ldc. `bf16Inputs`: A and B are bf16
/// (uint16 bits), C is always f32. `hasBias`: an f32 bias [N] is added to every row. beta ≠ 0 adds
/// beta·C through a sum post-op; `epilogue` then applies an activation to the result.
/// `packWeights`: the primitive picks B's layout (see `packedWeights`).
/// Returns dnnl_success or the failing call's status.
static inline dnnl_status_t sift_dnnl_gemm_plan_create(
    dnnl_engine_t engine, int64_t m, int64_t n, int64_t k, int transA, int transB,
    int64_t lda, int64_t ldb, int64_t ldc, int bf16Inputs, float beta, int hasBias, int epilogue,
    int packWeights, sift_dnnl_gemm_plan *plan)
{
    dnnl_status_t status;
    dnnl_data_type_t inputType = bf16Inputs ? dnnl_bf16 : dnnl_f32;
    dnnl_dims_t aDims = {m, k}, bDims = {k, n}, cDims = {m, n}, biasDims = {1, n};
    dnnl_dims_t aStrides = {transA ? 1 : lda, transA ? lda : 1};
    dnnl_dims_t bStrides = {transB ? 1 : ldb, transB ? ldb : 1};
    dnnl_dims_t cStrides = {ldc, 1}, biasStrides = {n, 1};
    dnnl_memory_desc_t aDesc, bDesc, cDesc, biasDesc;
    plan->primitive = NULL; plan->a = NULL; plan->b = NULL; plan->c = NULL; plan->bias = NULL;
    plan->plainB = NULL; plan->pack = NULL;
    plan->packedWeights = packWeights;
    if ((status = dnnl_memory_desc_init_by_strides(&aDesc, 2, aDims, inputType, aStrides)) != dnnl_success) return status;
    if ((status = dnnl_memory_desc_init_by_strides(&plan->plainWeights, 2, bDims, inputType, bStrides)) != dnnl_success) return status;
    if (packWeights) {
        if ((status = dnnl_memory_desc_init_by_tag(&bDesc, 2, bDims, inputType, dnnl_format_tag_any)) != dnnl_success) return status;
    } else {
        bDesc = plan->plainWeights;
    }
    if ((status = dnnl_memory_desc_init_by_strides(&cDesc, 2, cDims, dnnl_f32, cStrides)) != dnnl_success) return status;
    if (hasBias && (status = dnnl_memory_desc_init_by_strides(&biasDesc, 2, biasDims, dnnl_f32, biasStrides)) != dnnl_success) return status;
    dnnl_matmul_desc_t matmulDesc;
    if ((status = dnnl_matmul_desc_init(&matmulDesc, &aDesc, &bDesc, hasBias ? &biasDesc : NULL, &cDesc)) != dnnl_success) return status;
    dnnl_primitive_attr_t attr = NULL;
    if ((status = dnnl_primitive_attr_create(&attr)) != dnnl_success) return status;
    if (beta != 0.0f || epilogue != SIFT_DNNL_EPILOGUE_NONE) {
        dnnl_post_ops_t postOps = NULL;
        if ((status = dnnl_post_ops_create(&postOps)) == dnnl_success) {
            if (beta != 0.0f) status = dnnl_post_ops_append_sum(postOps, beta);
            if (status == dnnl_success && epilogue != SIFT_DNNL_EPILOGUE_NONE) {
                dnnl_alg_kind_t kind = epilogue == SIFT_DNNL_EPILOGUE_GELU_ERF ? dnnl_eltwise_gelu_erf : dnnl_eltwise_gelu_tanh;
                status = dnnl_post_ops_append_eltwise(postOps, 1.0f, kind, 0.0f, 0.0f);
            }
            if (status == dnnl_success) status = dnnl_primitive_attr_set_post_ops(attr, postOps);
            dnnl_post_ops_destroy(postOps);
        }
        if (status != dnnl_success) { dnnl_primitive_attr_destroy(attr); return status; }
    }
    dnnl_primitive_desc_t primitiveDesc = NULL;
    status = dnnl_primitive_desc_create(&primitiveDesc, &matmulDesc, attr, engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (status != dnnl_success) return status;
    status = dnnl_primitive_create(&plan->primitive, primitiveDesc);
    if (status == dnnl_success) {
        const dnnl_memory_desc_t *chosen = dnnl_primitive_desc_query_md(primitiveDesc, dnnl_query_weights_md, 0);
        if (chosen) bDesc = *chosen; else status = dnnl_invalid_arguments;
    }
    plan->weightsLayout = bDesc;
    dnnl_primitive_desc_destroy(primitiveDesc);
    if (status != dnnl_success) { if (plan->primitive) dnnl_primitive_destroy(plan->primitive); plan->primitive = NULL; return status; }
    if ((status = dnnl_memory_create(&plan->a, &aDesc, engine, DNNL_MEMORY_NONE)) != dnnl_success) return status;
    if ((status = dnnl_memory_create(&plan->b, &plan->weightsLayout, engine, DNNL_MEMORY_NONE)) != dnnl_success) return status;
    if ((status = dnnl_memory_create(&plan->c, &cDesc, engine, DNNL_MEMORY_NONE)) != dnnl_success) return status;
    if (hasBias && (status = dnnl_memory_create(&plan->bias, &biasDesc, engine, DNNL_MEMORY_NONE)) != dnnl_success) return status;
    if (packWeights) {
        if ((status = dnnl_memory_create(&plan->plainB, &plan->plainWeights, engine, DNNL_MEMORY_NONE)) != dnnl_success) return status;
        dnnl_primitive_desc_t reorderDesc = NULL;
        if ((status = dnnl_reorder_primitive_desc_create(&reorderDesc, &plan->plainWeights, engine, &plan->weightsLayout, engine, NULL)) != dnnl_success) return status;
        status = dnnl_primitive_create(&plan->pack, reorderDesc);
        dnnl_primitive_desc_destroy(reorderDesc);
        if (status != dnnl_success) { plan->pack = NULL; return status; }
    }
    return dnnl_success;
}

/// Runs a plan on the given buffers and waits for it (`bias` is ignored by a plan without one).
static inline dnnl_status_t sift_dnnl_gemm_plan_execute(
    const sift_dnnl_gemm_plan *plan, dnnl_stream_t stream, const void *a, const void *b, float *c, const float *bias)
{
    dnnl_status_t status;
    if ((status = dnnl_memory_set_data_handle(plan->a, (void *)a)) != dnnl_success) return status;
    if ((status = dnnl_memory_set_data_handle(plan->b, (void *)b)) != dnnl_success) return status;
    if ((status = dnnl_memory_set_data_handle(plan->c, (void *)c)) != dnnl_success) return status;
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, plan->a}, {DNNL_ARG_WEIGHTS, plan->b}, {DNNL_ARG_DST, plan->c}, {DNNL_ARG_BIAS, plan->bias}};
    int count = 3;
    if (plan->bias) {
        if ((status = dnnl_memory_set_data_handle(plan->bias, (void *)bias)) != dnnl_success) return status;
        count = 4;
    }
    if ((status = dnnl_primitive_execute(plan->primitive, stream, count, args)) != dnnl_success) return status;
    return dnnl_stream_wait(stream);
}

/// Bytes of B in the plan's layout.
static inline size_t sift_dnnl_gemm_plan_weights_size(const sift_dnnl_gemm_plan *plan) {
    return dnnl_memory_desc_get_size(&plan->weightsLayout);
}

/// Whether two plans take B in the same layout (so a packed copy made for one serves the other).
static inline int sift_dnnl_gemm_plans_share_weights_layout(const sift_dnnl_gemm_plan *x, const sift_dnnl_gemm_plan *y) {
    return dnnl_memory_desc_equal(&x->weightsLayout, &y->weightsLayout);
}

/// Copies B from the caller's layout (`plain`) into the plan's (`packed`, sift_dnnl_gemm_plan_weights_size
/// bytes) with the plan's reorder. Only for plans made with packWeights.
static inline dnnl_status_t sift_dnnl_gemm_plan_pack_weights(
    const sift_dnnl_gemm_plan *plan, dnnl_stream_t stream, const void *plain, void *packed)
{
    dnnl_status_t status;
    if (!plan->pack) return dnnl_invalid_arguments;
    if ((status = dnnl_memory_set_data_handle(plan->plainB, (void *)plain)) != dnnl_success) return status;
    if ((status = dnnl_memory_set_data_handle(plan->b, packed)) != dnnl_success) return status;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, plan->plainB}, {DNNL_ARG_TO, plan->b}};
    if ((status = dnnl_primitive_execute(plan->pack, stream, 2, args)) != dnnl_success) return status;
    return dnnl_stream_wait(stream);
}

/// Frees what a plan holds (any member may be NULL).
static inline void sift_dnnl_gemm_plan_destroy(sift_dnnl_gemm_plan *plan) {
    if (plan->a) dnnl_memory_destroy(plan->a);
    if (plan->b) dnnl_memory_destroy(plan->b);
    if (plan->c) dnnl_memory_destroy(plan->c);
    if (plan->bias) dnnl_memory_destroy(plan->bias);
    if (plan->plainB) dnnl_memory_destroy(plan->plainB);
    if (plan->pack) dnnl_primitive_destroy(plan->pack);
    if (plan->primitive) dnnl_primitive_destroy(plan->primitive);
    plan->primitive = NULL; plan->a = NULL; plan->b = NULL; plan->c = NULL; plan->bias = NULL;
    plan->plainB = NULL; plan->pack = NULL;
}

// f32 → bf16 rounding (round to nearest even, NaN kept quiet) for the GEMM inputs. SiftTensor's
// Swift is compiled for baseline x86-64, where a portable SIMD loop runs ~15× slower than this.
static inline uint16_t sift_bf16_bits_scalar(float value) {
    union { float f; uint32_t u; } v = {value};
    if ((v.u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((v.u >> 16) | 0x0040u);
    return (uint16_t)((v.u + 0x7FFFu + ((v.u >> 16) & 1u)) >> 16);
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
static inline void sift_round_bf16_avx512bf16(const float *source, uint16_t *destination, int64_t count) {
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256bh half = _mm512_cvtneps_pbh(_mm512_loadu_ps(source + i));
        _mm256_storeu_si256((__m256i *)(destination + i), (__m256i)half);
    }
    for (; i < count; i++) destination[i] = sift_bf16_bits_scalar(source[i]);
}

__attribute__((target("avx512f,avx512bw,avx512vl")))
static inline void sift_round_bf16_avx512(const float *source, uint16_t *destination, int64_t count) {
    const __m512i one = _mm512_set1_epi32(1), bias = _mm512_set1_epi32(0x7FFF);
    const __m512i absMask = _mm512_set1_epi32(0x7FFFFFFF), infinity = _mm512_set1_epi32(0x7F800000);
    const __m512i quiet = _mm512_set1_epi32(0x0040);
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i bits = _mm512_loadu_si512((const void *)(source + i));
        __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), one);
        __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(bias, lsb)), 16);
        __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, absMask), infinity);
        rounded = _mm512_mask_or_epi32(rounded, nan, _mm512_srli_epi32(bits, 16), quiet);
        _mm256_storeu_si256((__m256i *)(destination + i), _mm512_cvtepi32_epi16(rounded));
    }
    for (; i < count; i++) destination[i] = sift_bf16_bits_scalar(source[i]);
}

/// Rounds `count` floats to bf16 bits with the widest instructions this CPU has.
static inline void sift_round_bf16(const float *source, uint16_t *destination, int64_t count) {
    static int level = -1;  // 2: avx512_bf16, 1: avx512bw, 0: scalar
    if (level < 0) {
        __builtin_cpu_init();
        level = __builtin_cpu_supports("avx512bf16") ? 2
              : (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) ? 1 : 0;
    }
    if (level == 2) { sift_round_bf16_avx512bf16(source, destination, count); return; }
    if (level == 1) { sift_round_bf16_avx512(source, destination, count); return; }
    for (int64_t i = 0; i < count; i++) destination[i] = sift_bf16_bits_scalar(source[i]);
}
#endif
