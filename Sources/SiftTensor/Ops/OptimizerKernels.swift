// The optimizer's element loops (CSiftKernels' optimizer.c, AVX-512 where the CPU has it), split
// across threads. Shapes: every buffer holds one parameter tensor's `count` elements.
import CSiftKernels

/// Element loops for optimizers and gradient clipping.
public enum OptimizerKernels {
    /// Below this many elements a loop stays on one thread.
    static let minChunk = 1 << 15

    /// One AdamW update in place, in torch.optim.AdamW's (non-fused) operation order:
    /// `p ← p·decayFactor; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − stepSize · m / (√v / biasCorrection2Sqrt + ε)`.
    public static func adamWUpdate(
        parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>, count: Int,
        decayFactor: Float, beta1: Float, beta2: Float, epsilon: Float, stepSize: Float, biasCorrection2Sqrt: Float
    ) {
        Parallel.forEachChunk(count, minChunk: minChunk) { range in
            let at = range.lowerBound
            sift_adamw_update(p + at, g + at, m + at, v + at, range.count,
                              decayFactor, beta1, beta2, epsilon, stepSize, biasCorrection2Sqrt)
        }
    }

    /// Σ x² over `count` elements (f32 within blocks of 4096, f64 across them: the same bits every run,
    /// whatever the thread count).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        sift_sum_of_squares(x, count)
    }

    /// x ← x · factor.
    public static func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        Parallel.forEachChunk(count, minChunk: minChunk) { range in
            sift_scale(x + range.lowerBound, factor, range.count)
        }
    }

    /// The kernels' instruction set: "avx512" or "portable".
    public static var instructionSet: String { sift_kernels_level() >= 2 ? "avx512" : "portable" }

    /// Forces the portable kernels (`true`) or the CPU's best (`false`), for tests that compare them.
    public static func forcePortable(_ portable: Bool) { sift_kernels_set_level(portable ? 0 : -1) }
}
