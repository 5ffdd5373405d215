// The optimizer's element loops: the AdamW update, the squared norm for gradient clipping, scaling.
//
// Shapes: p, g, m, v [count] (one parameter tensor, flattened).
// AdamW keeps torch.optim.AdamW's operation order (non-fused):
//   p ← p·decayFactor;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
//   p ← p − stepSize · (m / (√v / √(1−β2ᵗ) + ε)),  stepSize = lr / (1−β1ᵗ).
#include "sift_kernels.h"
#include "kernel_math.h"

#if defined(__x86_64__)
SIFT_AVX512 static void adamw_update512(float *p, const float *g, float *m, float *v, size_t count,
                                        float decayFactor, float beta1, float beta2, float epsilon,
                                        float stepSize, float biasCorrection2Sqrt) {
    const __m512 decay = _mm512_set1_ps(decayFactor), b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
    const __m512 oneMinusB1 = _mm512_set1_ps(1 - beta1), oneMinusB2 = _mm512_set1_ps(1 - beta2);
    const __m512 eps = _mm512_set1_ps(epsilon), step = _mm512_set1_ps(stepSize), correction = _mm512_set1_ps(biasCorrection2Sqrt);
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 mask = sift_tail_mask(count - i);
        __m512 grad = _mm512_maskz_loadu_ps(mask, g + i);
        __m512 param = _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, p + i), decay);
        __m512 first = _mm512_fmadd_ps(b1, _mm512_maskz_loadu_ps(mask, m + i), _mm512_mul_ps(oneMinusB1, grad));
        __m512 second = _mm512_fmadd_ps(b2, _mm512_maskz_loadu_ps(mask, v + i), _mm512_mul_ps(_mm512_mul_ps(oneMinusB2, grad), grad));
        __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(second), correction), eps);
        param = _mm512_fnmadd_ps(step, _mm512_div_ps(first, denominator), param);
        _mm512_mask_storeu_ps(m + i, mask, first);
        _mm512_mask_storeu_ps(v + i, mask, second);
        _mm512_mask_storeu_ps(p + i, mask, param);
    }
}

SIFT_AVX512 static float sum_of_squares_block512(const float *x, size_t count) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= count; i += 64) {
        __m512 x0 = _mm512_loadu_ps(x + i), x1 = _mm512_loadu_ps(x + i + 16);
        __m512 x2 = _mm512_loadu_ps(x + i + 32), x3 = _mm512_loadu_ps(x + i + 48);
        a0 = _mm512_fmadd_ps(x0, x0, a0); a1 = _mm512_fmadd_ps(x1, x1, a1);
        a2 = _mm512_fmadd_ps(x2, x2, a2); a3 = _mm512_fmadd_ps(x3, x3, a3);
    }
    for (; i < count; i += 16) {
        __m512 x0 = _mm512_maskz_loadu_ps(sift_tail_mask(count - i), x + i);
        a0 = _mm512_fmadd_ps(x0, x0, a0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

SIFT_AVX512 static void scale512(float *x, float factor, size_t count) {
    const __m512 f = _mm512_set1_ps(factor);
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 mask = sift_tail_mask(count - i);
        _mm512_mask_storeu_ps(x + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + i), f));
    }
}
#endif

void sift_adamw_update(float *p, const float *g, float *m, float *v, size_t count,
                       float decayFactor, float beta1, float beta2, float epsilon,
                       float stepSize, float biasCorrection2Sqrt) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) {
        adamw_update512(p, g, m, v, count, decayFactor, beta1, beta2, epsilon, stepSize, biasCorrection2Sqrt);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) {
        float gi = g[i];
        float param = p[i] * decayFactor;
        float first = beta1 * m[i] + (1 - beta1) * gi;
        float second = beta2 * v[i] + (1 - beta2) * gi * gi;
        float denominator = sqrtf(second) / biasCorrection2Sqrt + epsilon;
        m[i] = first;
        v[i] = second;
        p[i] = param - stepSize * (first / denominator);
    }
}

enum { SUM_BLOCK = 4096 };

static float sum_of_squares_block(const float *x, size_t count) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) return sum_of_squares_block512(x, count);
#endif
    float lanes[16] = {0};
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        for (int lane = 0; lane < 16; lane++) lanes[lane] += x[i + lane] * x[i + lane];
    float total = 0;
    for (; i < count; i++) total += x[i] * x[i];
    for (int lane = 0; lane < 16; lane++) total += lanes[lane];
    return total;
}

double sift_sum_of_squares(const float *x, size_t count) {
    double total = 0;
    for (size_t start = 0; start < count; start += SUM_BLOCK) {
        size_t length = count - start < SUM_BLOCK ? count - start : SUM_BLOCK;
        total += (double)sum_of_squares_block(x + start, length);
    }
    return total;
}

void sift_scale(float *x, float factor, size_t count) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) { scale512(x, factor, count); return; }
#endif
    for (size_t i = 0; i < count; i++) x[i] *= factor;
}
