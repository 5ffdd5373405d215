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
