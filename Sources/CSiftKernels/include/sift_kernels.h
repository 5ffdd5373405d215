// Element-wise kernels of the tensor engine in C, compiled twice: once for AVX-512 (F/BW/DQ/VL with
// FMA) and once for any x86-64 or ARM CPU, and dispatched at run time by what the CPU supports.
//
// Why C: Swift compiles SiftTensor for baseline x86-64, so its SIMD16<Float> code runs as four SSE
// operations with mask shuffles and no FMA, and Swift has no per-function target attribute for a
// runtime-dispatched AVX-512 copy. These are the few memory- or transcendental-bound loops that
// dominated a training step after the GEMMs moved to oneDNN (GELU backward alone was 11 % of a
// BERT-base bf16 step). Everything else stays in Swift.
//
// Every function works on the elements [0, count) of its arrays; callers split work across threads.
// Inputs and outputs may alias only where a comment says so.
#ifndef SIFT_KERNELS_H
#define SIFT_KERNELS_H
#include <stddef.h>

/// The instruction set the kernels use: 2 = AVX-512, 0 = portable C.
int sift_kernels_level(void);
/// Forces a level (tests compare both paths); a level the CPU lacks falls back to 0. -1 re-detects.
void sift_kernels_set_level(int level);

// Activations: y = f(x); backward dx = dy · f'(x) from the saved input x.
void sift_gelu_erf_forward(const float *x, float *y, size_t count);
void sift_gelu_erf_backward(const float *x, const float *dy, float *dx, size_t count);
void sift_gelu_tanh_forward(const float *x, float *y, size_t count);
void sift_gelu_tanh_backward(const float *x, const float *dy, float *dx, size_t count);
void sift_silu_forward(const float *x, float *y, size_t count);
void sift_silu_backward(const float *x, const float *dy, float *dx, size_t count);
/// y = silu(gate) · up.
void sift_swiglu_forward(const float *gate, const float *up, float *y, size_t count);
/// dGate = dy · up · silu'(gate), dUp = dy · silu(gate).
void sift_swiglu_backward(const float *gate, const float *up, const float *dy, float *dGate, float *dUp, size_t count);

/// One AdamW update in place (torch.optim.AdamW, non-fused, same operation order):
///   p ← p·decayFactor;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
///   p ← p − stepSize · m / (√v / biasCorrection2Sqrt + ε)
void sift_adamw_update(float *p, const float *g, float *m, float *v, size_t count,
                       float decayFactor, float beta1, float beta2, float epsilon,
                       float stepSize, float biasCorrection2Sqrt);

/// Σ x² accumulated in f32 blocks of 4096 and f64 across blocks (a fixed order: same bits every run).
double sift_sum_of_squares(const float *x, size_t count);
/// x ← x · factor.
void sift_scale(float *x, float factor, size_t count);

#endif

// ---- Dropout (dropout.c) ----------------------------------------------------------------------
// Element i is kept when the top 24 bits of hash(seed, i) ≥ threshold24 (= p·2²⁴): a counter-based
// stream, so any range of elements can be generated on any thread and the mask depends only on
// (seed, i). A call covers the tensor's elements first … first+count−1 (`first` a multiple of 16);
// its src, dst and keepBits point at that range's start, keepBits[k] holding its elements 16k … 16k+15
// (bit j = element 16k + j).

/// dst[i] = keep(first + i) ? src[i]·scale : 0 for i < count, recording keepBits (unless it is NULL).
/// src and dst may be the same.
void sift_dropout_forward(const float *src, float *dst, unsigned short *keepBits, size_t first, size_t count,
                          unsigned long long seed, unsigned int threshold24, float scale);
/// dst[i] = (bit i of keepBits) ? src[i]·scale : 0 for i < count. src and dst may be the same.
void sift_dropout_apply(const float *src, float *dst, const unsigned short *keepBits, size_t count, float scale);
/// Attention-probability dropout on one row of probabilities, in place: row[s] = keep ? row[s]·scale : 0,
/// with the mask of stream (seed, rowIndex) — the seed is mixed with the row's index (b·H + h)·T + t,
/// so each row has its own stream, any row can be made on any thread, and forward and backward
/// regenerate the same mask instead of storing B·H·T·S bits.
void sift_dropout_row(float *row, size_t count, unsigned long long seed, unsigned long long rowIndex,
                      unsigned int threshold24, float scale);

// ---- Row kernels (rows.c): softmax and attention rows -----------------------------------------
/// max over count floats (−∞ when count is 0; NaNs are skipped).
float sift_row_max(const float *x, size_t count);
/// dst[i] = e^(src[i] − shift); returns Σ dst. src and dst may be the same.
float sift_row_exp_shifted(const float *src, float *dst, size_t count, float shift);
/// One attention score row: row[s] += bias[s] for s < count (bias may be NULL), then −∞ for s ≥ limit.
void sift_attention_mask_row(float *row, const float *bias, size_t count, size_t limit);
/// ds[s] = p[s] · (ds[s] − delta): the softmax backward of one attention row.
void sift_softmax_backward_row(const float *p, float *ds, size_t count, float delta);
