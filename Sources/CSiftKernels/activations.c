// Feed-forward activations, forward and backward side by side, each in a portable form and an
// AVX-512 form (16 lanes, FMA, masked tails) chosen by sift_kernels_level().
//
// Shapes: x, y, dy, dx [count] (any tensor, flattened); swiglu: gate, up, y, dy, dGate, dUp [count].
//
// GELU (erf):  y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2));  y' = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
//              erf(x/√2) needs e^(−x²/2) too, so one exponential serves both.
// GELU (tanh): u = √(2/π)(x + c·x³), t = tanh u = 1 − 2/(e^(2u) + 1):  y = ½x(1 + t);
//              y' = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3c·x²).
// SiLU:        σ = 1/(1 + e^(−x)):  y = x·σ;  y' = σ(1 + x(1 − σ)).
// SwiGLU:      y = silu(gate)·up;  ∂y/∂gate = up·silu'(gate), ∂y/∂up = silu(gate).
#include "sift_kernels.h"
#include "kernel_math.h"

#define INV_SQRT2 0.70710678f
#define INV_SQRT_2PI 0.39894228f
#define SQRT_2_OVER_PI 0.79788456f
#define GELU_CUBIC 0.044715f

// ---- portable element functions -------------------------------------------------------------

/// Φ(x) and φ(x)·√(2π)... both from one exponential: returns Φ, writes e^(−x²/2) to *gauss.
static inline float normal_cdf_scalar(float x, float *gauss) {
    float e = sift_exp_scalar(-0.5f * x * x);
    float erfAbs = sift_erf_abs_scalar(fabsf(x) * INV_SQRT2, e);
    *gauss = e;
    return 0.5f * (1.0f + (x < 0 ? -erfAbs : erfAbs));
}

static inline float tanh_of_u_scalar(float x) {
    float u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
    return 1.0f - 2.0f / (sift_exp_scalar(2.0f * u) + 1.0f);
}

static inline float sigmoid_scalar(float x) { return 1.0f / (1.0f + sift_exp_scalar(-x)); }

// ---- AVX-512 element functions --------------------------------------------------------------
#if defined(__x86_64__)
SIFT_AVX512 static inline __m512 normal_cdf512(__m512 x, __m512 *gauss) {
    __m512 e = sift_exp512(_mm512_mul_ps(_mm512_set1_ps(-0.5f), _mm512_mul_ps(x, x)));
    __m512 erfAbs = sift_erf_abs512(_mm512_mul_ps(sift_abs512(x), _mm512_set1_ps(INV_SQRT2)), e);
    *gauss = e;
    return _mm512_mul_ps(_mm512_set1_ps(0.5f), _mm512_add_ps(_mm512_set1_ps(1.0f), sift_copysign512(erfAbs, x)));
}

SIFT_AVX512 static inline __m512 tanh_of_u512(__m512 x) {
    __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
    __m512 u = _mm512_mul_ps(_mm512_set1_ps(SQRT_2_OVER_PI), _mm512_fmadd_ps(_mm512_set1_ps(GELU_CUBIC), x3, x));
    __m512 e = sift_exp512(_mm512_add_ps(u, u));
    return _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
}

SIFT_AVX512 static inline __m512 sigmoid512(__m512 x) {
    __m512 e = sift_exp512(_mm512_sub_ps(_mm512_setzero_ps(), x));
    return _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

// One loop shape for every unary kernel: full 16-lane blocks, then one masked block.
#define UNARY_LOOP_512(count, ...)                                                \
    for (size_t i = 0; i < (count); i += 16) {                                   \
        const __mmask16 mask = sift_tail_mask((count) - i);                      \
        __VA_ARGS__                                                              \
    }

SIFT_AVX512 static void gelu_erf_forward512(const float *x, float *y, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i), gauss;
        __m512 cdf = normal_cdf512(v, &gauss);
        _mm512_mask_storeu_ps(y + i, mask, _mm512_mul_ps(v, cdf));
    })
}
SIFT_AVX512 static void gelu_erf_backward512(const float *x, const float *dy, float *dx, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i), gauss;
        __m512 cdf = normal_cdf512(v, &gauss);
        __m512 slope = _mm512_fmadd_ps(_mm512_mul_ps(v, _mm512_set1_ps(INV_SQRT_2PI)), gauss, cdf);
        _mm512_mask_storeu_ps(dx + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, dy + i), slope));
    })
}

SIFT_AVX512 static void gelu_tanh_forward512(const float *x, float *y, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
        __m512 t = tanh_of_u512(v);
        _mm512_mask_storeu_ps(y + i, mask, _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), t)));
    })
}
SIFT_AVX512 static void gelu_tanh_backward512(const float *x, const float *dy, float *dx, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
        __m512 t = tanh_of_u512(v);
        __m512 slope = _mm512_mul_ps(_mm512_set1_ps(SQRT_2_OVER_PI),
                                     _mm512_fmadd_ps(_mm512_set1_ps(3 * GELU_CUBIC), _mm512_mul_ps(v, v), _mm512_set1_ps(1.0f)));
        __m512 outer = _mm512_mul_ps(_mm512_set1_ps(0.5f), _mm512_add_ps(_mm512_set1_ps(1.0f), t));
        __m512 inner = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_fnmadd_ps(t, t, _mm512_set1_ps(1.0f))), slope);
        _mm512_mask_storeu_ps(dx + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, dy + i), _mm512_add_ps(outer, inner)));
    })
}

SIFT_AVX512 static void silu_forward512(const float *x, float *y, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
        _mm512_mask_storeu_ps(y + i, mask, _mm512_mul_ps(v, sigmoid512(v)));
    })
}
SIFT_AVX512 static void silu_backward512(const float *x, const float *dy, float *dx, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
        __m512 s = sigmoid512(v);
        __m512 slope = _mm512_mul_ps(s, _mm512_fmadd_ps(v, _mm512_sub_ps(_mm512_set1_ps(1.0f), s), _mm512_set1_ps(1.0f)));
        _mm512_mask_storeu_ps(dx + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, dy + i), slope));
    })
}

SIFT_AVX512 static void swiglu_forward512(const float *gate, const float *up, float *y, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 g = _mm512_maskz_loadu_ps(mask, gate + i);
        __m512 silu = _mm512_mul_ps(g, sigmoid512(g));
        _mm512_mask_storeu_ps(y + i, mask, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(mask, up + i)));
    })
}
SIFT_AVX512 static void swiglu_backward512(const float *gate, const float *up, const float *dy, float *dGate, float *dUp, size_t count) {
    UNARY_LOOP_512(count, {
        __m512 g = _mm512_maskz_loadu_ps(mask, gate + i);
        __m512 grad = _mm512_maskz_loadu_ps(mask, dy + i);
        __m512 s = sigmoid512(g);
        _mm512_mask_storeu_ps(dUp + i, mask, _mm512_mul_ps(grad, _mm512_mul_ps(g, s)));
        __m512 slope = _mm512_mul_ps(s, _mm512_fmadd_ps(g, _mm512_sub_ps(_mm512_set1_ps(1.0f), s), _mm512_set1_ps(1.0f)));
        _mm512_mask_storeu_ps(dGate + i, mask, _mm512_mul_ps(_mm512_mul_ps(grad, _mm512_maskz_loadu_ps(mask, up + i)), slope));
    })
}
#endif

// ---- entry points: dispatch, or the portable loop -------------------------------------------
#if defined(__x86_64__)
#define DISPATCH_512(call) if (sift_kernels_level() >= 2) { call; return; }
#else
#define DISPATCH_512(call)
#endif

void sift_gelu_erf_forward(const float *x, float *y, size_t count) {
    DISPATCH_512(gelu_erf_forward512(x, y, count))
    for (size_t i = 0; i < count; i++) {
        float gauss;
        y[i] = x[i] * normal_cdf_scalar(x[i], &gauss);
    }
}
void sift_gelu_erf_backward(const float *x, const float *dy, float *dx, size_t count) {
    DISPATCH_512(gelu_erf_backward512(x, dy, dx, count))
    for (size_t i = 0; i < count; i++) {
        float gauss;
        float cdf = normal_cdf_scalar(x[i], &gauss);
        dx[i] = dy[i] * (cdf + x[i] * INV_SQRT_2PI * gauss);
    }
}

void sift_gelu_tanh_forward(const float *x, float *y, size_t count) {
    DISPATCH_512(gelu_tanh_forward512(x, y, count))
    for (size_t i = 0; i < count; i++) y[i] = 0.5f * x[i] * (1.0f + tanh_of_u_scalar(x[i]));
}
void sift_gelu_tanh_backward(const float *x, const float *dy, float *dx, size_t count) {
    DISPATCH_512(gelu_tanh_backward512(x, dy, dx, count))
    for (size_t i = 0; i < count; i++) {
        float v = x[i], t = tanh_of_u_scalar(v);
        float slope = SQRT_2_OVER_PI * (1.0f + 3 * GELU_CUBIC * v * v);
        dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * slope);
    }
}

void sift_silu_forward(const float *x, float *y, size_t count) {
    DISPATCH_512(silu_forward512(x, y, count))
    for (size_t i = 0; i < count; i++) y[i] = x[i] * sigmoid_scalar(x[i]);
}
void sift_silu_backward(const float *x, const float *dy, float *dx, size_t count) {
    DISPATCH_512(silu_backward512(x, dy, dx, count))
    for (size_t i = 0; i < count; i++) {
        float s = sigmoid_scalar(x[i]);
        dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
    }
}

void sift_swiglu_forward(const float *gate, const float *up, float *y, size_t count) {
    DISPATCH_512(swiglu_forward512(gate, up, y, count))
    for (size_t i = 0; i < count; i++) y[i] = gate[i] * sigmoid_scalar(gate[i]) * up[i];
}
void sift_swiglu_backward(const float *gate, const float *up, const float *dy, float *dGate, float *dUp, size_t count) {
    DISPATCH_512(swiglu_backward512(gate, up, dy, dGate, dUp, count))
    for (size_t i = 0; i < count; i++) {
        float g = gate[i], s = sigmoid_scalar(g);
        dUp[i] = dy[i] * g * s;
        dGate[i] = dy[i] * up[i] * s * (1.0f + g * (1.0f - s));
    }
}
