// Vectorised exp for SIMD16<Float> (strided softmax), so the hot loops do
// not call libm once per element. Plain multiply/add only (no FMA, no rounding instructions) so
// the code vectorises on baseline x86-64 too.
//
// exp: x = n·ln2 + r with n = round(x·log₂e) (by the 1.5·2²³ trick) and |r| ≤ ln2/2 (Cody–Waite
// split of ln2), e^r by its degree-6 Taylor polynomial (truncation < 1.2e-7 relative), 2ⁿ built in
// the exponent bits. Inputs below about −87.7 give exactly 0 (so exp(−∞) = 0 for masked scores);
// inputs above 88 saturate at e⁸⁸ (softmax-style callers subtract the maximum first).
// No `replacing(with:where:)`, `clamped` or `pointwiseMin/Max`: those compile to per-lane loops
// through the stack (measured ~15× slower than libm); comparisons, arithmetic and bit operations
// compile to vector instructions, so lanes are chosen with `select` (a bit mask).
// (Row maxima and shifted exponentials, and the activations' exp and erf, are C kernels with an
// AVX-512 copy: CSiftKernels/kernel_math.h has the same algorithm.)

import CSiftKernels

enum VectorMath {
    /// e^x lane-wise (≈ 2 ulp; exactly 0 below about −87.7; saturates above 88).
    @inline(__always)
    static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let magic = SIMD16<Float>(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
        // Lower clamp −88: n becomes −127 there, whose scale 2⁻¹²⁷ has all-zero bits, so the result
        // is exactly 0 for every x ≤ −87.7 (−∞ included) without a select.
        let low = SIMD16<Float>(repeating: -88), high = SIMD16<Float>(repeating: 88)
        let clamped = select(x .> high, high, else: select(x .< low, low, else: x))
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped - n * 0.693_359_375  // ln2, high part (exact in f32)
        r = r - n * -2.121_944_4e-4  // ln2, low part
        var p = SIMD16<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // shifted's bits are magic's bits + n, since both share one exponent.
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- Int32(bitPattern: 0x4B40_0000)
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD16<Float>.self)
        return p * scale
    }

    /// Lane-wise `mask ? a : b` with bit operations (the mask's lanes are all ones or all zeros).
    @inline(__always)
    static func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: SIMD16<Float>, else b: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(mask, to: SIMD16<UInt32>.self)
        let chosen = (unsafeBitCast(a, to: SIMD16<UInt32>.self) & bits) | (unsafeBitCast(b, to: SIMD16<UInt32>.self) & ~bits)
        return unsafeBitCast(chosen, to: SIMD16<Float>.self)
    }

    /// Loads 16 floats from `p` (any alignment).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Stores 16 floats at `p` (any alignment).
    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Scalar e^x with the same algorithm as the vector version (for loop tails, so a row's
    /// elements are all computed the same way).
    @inline(__always)
    static func exp(_ x: Float) -> Float { exp(SIMD16(repeating: x))[0] }

    /// destination[i] = e^(source[i] − shift) for i in 0..<count; returns Σ of the results.
    /// `source` and `destination` may be the same. (CSiftKernels' rows.c, AVX-512 where available.)
    @inline(__always)
    static func expShifted(
        _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int, shift: Float
    ) -> Float {
        sift_row_exp_shifted(source, destination, count, shift)
    }

    /// max over `count` floats (−∞ when empty; NaNs are skipped).
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        sift_row_max(p, count)
    }
}
