// Dropout masks from a counter-based hash, so the mask of any element range can be made on any
// thread (the mask depends on (seed, element index) only), and the mask applied in the same pass.
//
// Shapes: src, dst [count] from element `first` of the tensor; keepBits [⌈count/16⌉] (16 elements a word).
// hash(seed, i) = fmix32(fmix32(i·0x9E3779B9 + seed_lo) ^ seed_hi), fmix32 MurmurHash3's finaliser;
// keep(i) ⇔ hash >> 8 ≥ threshold24 (24-bit uniform ≥ p).
// Attention-probability rows (sift_dropout_row): row [count] of the probabilities of (b, h, t); its
// stream's seed is mix64(seed + rowIndex·0x9E3779B97F4A7C15), mix64 splitmix64's finaliser, and the
// element index is the key s, so no mask bits are stored: backward makes the same mask again.
#include <stdint.h>
#include "sift_kernels.h"
#include "kernel_math.h"

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16; h *= 0x85EBCA6Bu; h ^= h >> 13; h *= 0xC2B2AE35u; h ^= h >> 16;
    return h;
}

/// splitmix64's finaliser: a row's seed from (seed, row index), so neighbouring rows' streams differ in every bit.
static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint32_t element_hash(uint64_t seed, uint32_t index) {
    return fmix32(fmix32(index * 0x9E3779B9u + (uint32_t)seed) ^ (uint32_t)(seed >> 32));
}

#if defined(__x86_64__)
SIFT_AVX512 static inline __m512i fmix32_512(__m512i h) {
    h = _mm512_xor_si512(h, _mm512_srli_epi32(h, 16)); h = _mm512_mullo_epi32(h, _mm512_set1_epi32((int)0x85EBCA6Bu));
    h = _mm512_xor_si512(h, _mm512_srli_epi32(h, 13)); h = _mm512_mullo_epi32(h, _mm512_set1_epi32((int)0xC2B2AE35u));
    return _mm512_xor_si512(h, _mm512_srli_epi32(h, 16));
}

SIFT_AVX512 static void dropout_forward512(const float *src, float *dst, uint16_t *keepBits, size_t first, size_t count,
                                           uint64_t seed, uint32_t threshold24, float scale) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i golden = _mm512_set1_epi32((int)0x9E3779B9u), low = _mm512_set1_epi32((int)(uint32_t)seed);
    const __m512i high = _mm512_set1_epi32((int)(uint32_t)(seed >> 32)), threshold = _mm512_set1_epi32((int)threshold24);
    const __m512 factor = _mm512_set1_ps(scale);
    for (size_t i = 0; i < count; i += 16) {
        __m512i index = _mm512_add_epi32(_mm512_set1_epi32((int)(uint32_t)(first + i)), lanes);
        __m512i h = fmix32_512(_mm512_xor_si512(fmix32_512(_mm512_add_epi32(_mm512_mullo_epi32(index, golden), low)), high));
        __mmask16 keep = _mm512_cmpge_epu32_mask(_mm512_srli_epi32(h, 8), threshold) & sift_tail_mask(count - i);
        if (keepBits) keepBits[i / 16] = (uint16_t)keep;
        const __mmask16 valid = sift_tail_mask(count - i);
        __m512 x = _mm512_maskz_loadu_ps(keep, src + i);
        _mm512_mask_storeu_ps(dst + i, valid, _mm512_mul_ps(x, factor));
    }
}

SIFT_AVX512 static void dropout_apply512(const float *src, float *dst, const uint16_t *keepBits, size_t count, float scale) {
    const __m512 factor = _mm512_set1_ps(scale);
    for (size_t i = 0; i < count; i += 16) {
        const __mmask16 valid = sift_tail_mask(count - i);
        __m512 x = _mm512_maskz_loadu_ps((__mmask16)keepBits[i / 16] & valid, src + i);
        _mm512_mask_storeu_ps(dst + i, valid, _mm512_mul_ps(x, factor));
    }
}
#endif

void sift_dropout_forward(const float *src, float *dst, unsigned short *keepBits, size_t first, size_t count,
                          unsigned long long seed, unsigned int threshold24, float scale) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) { dropout_forward512(src, dst, keepBits, first, count, seed, threshold24, scale); return; }
#endif
    for (size_t i = 0; i < count; i += 16) {
        uint16_t word = 0;
        size_t lanes = count - i < 16 ? count - i : 16;
        for (size_t j = 0; j < lanes; j++) {
            int keep = (element_hash(seed, (uint32_t)(first + i + j)) >> 8) >= threshold24;
            word |= (uint16_t)(keep << j);
            dst[i + j] = keep ? src[i + j] * scale : 0.0f;
        }
        if (keepBits) keepBits[i / 16] = word;
    }
}

void sift_dropout_apply(const float *src, float *dst, const unsigned short *keepBits, size_t count, float scale) {
#if defined(__x86_64__)
    if (sift_kernels_level() >= 2) { dropout_apply512(src, dst, keepBits, count, scale); return; }
#endif
    for (size_t i = 0; i < count; i++) dst[i] = (keepBits[i / 16] >> (i % 16)) & 1 ? src[i] * scale : 0.0f;
}

void sift_dropout_row(float *row, size_t count, unsigned long long seed, unsigned long long rowIndex,
                      unsigned int threshold24, float scale) {
    sift_dropout_forward(row, row, NULL, 0, count, mix64(seed + rowIndex * 0x9E3779B97F4A7C15ull), threshold24, scale);
}
