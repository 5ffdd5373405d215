// Row kernels of softmax, cross-entropy and attention: maximum, shifted exponentials with their sum,
// the attention score mask, and the softmax backward of a row. Portable and AVX-512 forms.
//
// Shapes: one row of `count` floats (a softmax row, or one query's scores over `count` keys).
#include "sift_kernels.h"
#include "kernel_math.h"

#if defined(__x86_64__)
SIFT_AVX512 static float row_max512(const float *x, size_t count) {
    __m512 best = _mm512_set1_ps(-INFINITY);
    for (size_t i = 0; i < count; i += 16) {
        __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), sift_tail_mask(count - i), x + i);
        best = _mm512_max_ps(v, best);  // a NaN in v keeps best (the second operand)
    }
    return _mm512_reduce_max_ps(best);
}

SIFT_AVX512 static float row_exp_shifted512(const float *src, float *dst, size_t count, float shift) {
    __m512 sums = _mm512_setzero_ps();
    const __m512 s = _mm512_set1_ps(shift);
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 mask = sift_tail_mask(count - i);
        __m512 e = sift_exp512(_mm512_sub_ps(_mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), mask, src + i), s));
        _mm512_mask_storeu_ps(dst + i, mask, e);
        sums = _mm512_add_ps(sums, e);  // masked-off lanes are e^(−∞) = 0
    }
    return _mm512_reduce_add_ps(sums);
}

SIFT_AVX512 static void attention_mask_row512(float *row, const float *bias, size_t count, size_t limit) {
    const __m512 minusInfinity = _mm512_set1_ps(-INFINITY);
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 mask = sift_tail_mask(count - i);
        __m512 v = _mm512_maskz_loadu_ps(mask, row + i);
        if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, bias + i));
        // lanes at or past `limit` (causal future) become −∞
        __mmask16 hidden = i >= limit ? (__mmask16)0xFFFF : (limit - i >= 16 ? 0 : (__mmask16)(0xFFFFu << (limit - i)));
        v = _mm512_mask_mov_ps(v, hidden, minusInfinity);
        _mm512_mask_storeu_ps(row + i, mask, v);
    }
}

SIFT_AVX512 static void softmax_backward_row512(const float *p, float *ds, size_t count, float delta) {
    const __m512 d = _mm512_set1_ps(delta);
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 mask = sift_tail_mask(count - i);
        __m512 g = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, ds + i), d);
        _mm512_mask_storeu_ps(ds + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, p + i), g));
    }
}
#define DISPATCH_512(call) if (sift_kernels_level() >= 2) { return call; }
#else
#define DISPATCH_512(call)
#endif

float sift_row_max(const float *x, size_t count) {
    DISPATCH_512(row_max512(x, count))
    float best = -INFINITY;
    for (size_t i = 0; i < count; i++) if (x[i] > best) best = x[i];
    return best;
}

float sift_row_exp_shifted(const float *src, float *dst, size_t count, float shift) {
    DISPATCH_512(row_exp_shifted512(src, dst, count, shift))
    float lanes[16] = {0};
    size_t i = 0;
    for (; i + 16 <= count; i += 16)
        for (int lane = 0; lane < 16; lane++) {
            float e = sift_exp_scalar(src[i + lane] - shift);
            dst[i + lane] = e;
            lanes[lane] += e;
        }
    float total = 0;
    for (; i < count; i++) { dst[i] = sift_exp_scalar(src[i] - shift); total += dst[i]; }
    for (int lane = 0; lane < 16; lane++) total += lanes[lane];
    return total;
}

void sift_attention_mask_row(float *row, const float *bias, size_t count, size_t limit) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) { attention_mask_row512(row, bias, count, limit); return; }
#endif
    if (bias) for (size_t s = 0; s < count; s++) row[s] += bias[s];
    for (size_t s = limit; s < count; s++) row[s] = -INFINITY;
}

void sift_softmax_backward_row(const float *p, float *ds, size_t count, float delta) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) { softmax_backward_row512(p, ds, count, delta); return; }
#endif
    for (size_t s = 0; s < count; s++) ds[s] = p[s] * (ds[s] - delta);
}
