// exp and erf for the kernels, in a portable scalar form and an AVX-512 form that follow the same
// algorithms (so both dispatch levels agree to a few ulp):
// exp: x = n·ln2 + r, n = round(x·log₂e), |r| ≤ ln2/2 (Cody–Waite split of ln2), e^r by its degree-6
//      Taylor polynomial (< 1.2e-7 relative), then scaled by 2ⁿ. Inputs are clamped to [−88, 88];
//      below ln(2⁻¹²⁶) ≈ −87.34 the result is exactly 0 (no denormals).
// erf: Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7, ≤ 5e-7 with f32 rounding), odd.
#ifndef SIFT_KERNEL_MATH_H
#define SIFT_KERNEL_MATH_H
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define SIFT_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#endif

#define SIFT_LOG2E 1.442695041f
#define SIFT_LN2_HI 0.693359375f
#define SIFT_LN2_LO (-2.12194440e-4f)
#define SIFT_EXP_UNDERFLOW (-87.336544f)
#define SIFT_ERF_P 0.3275911f
#define SIFT_ERF_A1 0.254829592f
#define SIFT_ERF_A2 (-0.284496736f)
#define SIFT_ERF_A3 1.421413741f
#define SIFT_ERF_A4 (-1.453152027f)
#define SIFT_ERF_A5 1.061405429f

static inline float sift_exp_scalar(float x) {
    // Branch-free so loops over it vectorise; 1.5·2²³ added and subtracted rounds to an integer.
    float clamped = x < -88.0f ? -88.0f : (x > 88.0f ? 88.0f : x);
    float n = (clamped * SIFT_LOG2E + 12582912.0f) - 12582912.0f;
    float r = clamped - n * SIFT_LN2_HI;
    r = r - n * SIFT_LN2_LO;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;  // 2ⁿ; n ≥ −127 (bits 0: the result is 0) and ≤ 127
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return x < SIFT_EXP_UNDERFLOW ? 0.0f : p * scale;
}

/// erf(|x|) from |x| and e = exp(−x²) computed by the caller (GELU shares that exponential).
static inline float sift_erf_abs_scalar(float absX, float expMinusSquare) {
    float t = 1.0f / (1.0f + SIFT_ERF_P * absX);
    float p = SIFT_ERF_A5;
    p = p * t + SIFT_ERF_A4;
    p = p * t + SIFT_ERF_A3;
    p = p * t + SIFT_ERF_A2;
    p = p * t + SIFT_ERF_A1;
    return 1.0f - p * t * expMinusSquare;
}

#if defined(__x86_64__)
SIFT_AVX512 static inline __m512 sift_exp512(__m512 x) {
    const __mmask16 underflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(SIFT_EXP_UNDERFLOW), _CMP_LT_OQ);
    x = _mm512_min_ps(_mm512_set1_ps(88.0f), x);  // NaN in x stays NaN (min returns its second operand)
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(SIFT_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(SIFT_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(SIFT_LN2_LO), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_mask_mov_ps(_mm512_scalef_ps(p, n), underflow, _mm512_setzero_ps());
}

SIFT_AVX512 static inline __m512 sift_erf_abs512(__m512 absX, __m512 expMinusSquare) {
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(_mm512_set1_ps(SIFT_ERF_P), absX, _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(SIFT_ERF_A5);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(SIFT_ERF_A4));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(SIFT_ERF_A3));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(SIFT_ERF_A2));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(SIFT_ERF_A1));
    return _mm512_fnmadd_ps(_mm512_mul_ps(p, t), expMinusSquare, _mm512_set1_ps(1.0f));
}

SIFT_AVX512 static inline __m512 sift_abs512(__m512 x) { return _mm512_abs_ps(x); }

/// Copies the sign of `sign` onto the non-negative `magnitude`.
SIFT_AVX512 static inline __m512 sift_copysign512(__m512 magnitude, __m512 sign) {
    return _mm512_or_ps(magnitude, _mm512_and_ps(sign, _mm512_set1_ps(-0.0f)));
}

/// Lanes [0, remaining) of a 16-lane block (all of them when remaining ≥ 16).
SIFT_AVX512 static inline __mmask16 sift_tail_mask(size_t remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1);
}
#endif

#endif
