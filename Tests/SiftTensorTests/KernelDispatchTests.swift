// The C kernels' two dispatch levels (AVX-512 and portable) agree with each other and with Float64
// formulas on values that cover both tails, the 16-lane tails of the loops, and the clamps.
import CSiftKernels
import Foundation
import Testing
@testable import SiftTensor

@Suite("C kernels: AVX-512 and portable paths", .serialized)
struct KernelDispatchTests {
    /// Runs `body` once with the portable kernels and once with the CPU's best.
    static func bothLevels<T>(_ body: () -> T) -> (portable: T, best: T) {
        OptimizerKernels.forcePortable(true)
        let portable = body()
        OptimizerKernels.forcePortable(false)
        return (portable, body())
    }

    /// Inputs: a sweep over [−12, 12], extremes beyond the exp clamps, and exact zeros; 1 003 values
    /// so the last 16-lane block is partial.
    static let inputs: [Float] = (0..<1000).map { Float($0) * 0.024 - 12 } + [-100, 95, 0]

    static func run(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ x: [Float]) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { kernel(xs.baseAddress!, $0.baseAddress!, x.count) } }
        return y
    }

    static func normalCDF(_ x: Double) -> Double { 0.5 * (1 + erf(x / 2.0.squareRoot())) }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// (name, kernel, exact value, tolerance relative to max(1, |exact|)).
    static var unaryCases: [(String, (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, (Double) -> Double)] { [
        ("gelu", { sift_gelu_erf_forward($0, $1, $2) }, { $0 * normalCDF($0) }),
        ("gelu′", { x, y, n in sift_gelu_erf_backward(x, [Float](repeating: 1, count: n), y, n) },
         { normalCDF($0) + $0 * exp(-0.5 * $0 * $0) / (2 * Double.pi).squareRoot() }),
        ("geluTanh", { sift_gelu_tanh_forward($0, $1, $2) },
         { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
        ("geluTanh′", { x, y, n in sift_gelu_tanh_backward(x, [Float](repeating: 1, count: n), y, n) }, { x in
            let t = tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (2 / Double.pi).squareRoot() * (1 + 3 * 0.044715 * x * x)
        }),
        ("silu", { sift_silu_forward($0, $1, $2) }, { $0 * sigmoid($0) }),
        ("silu′", { x, y, n in sift_silu_backward(x, [Float](repeating: 1, count: n), y, n) },
         { sigmoid($0) * (1 + $0 * (1 - sigmoid($0))) }),
    ] }

    @Test("activations and their derivatives: both levels within 4e-6 of the exact values (f32 evaluation)")
    func activations() {
        for (name, kernel, exact) in Self.unaryCases {
            let (portable, best) = Self.bothLevels { Self.run(kernel, Self.inputs) }
            for (i, x) in Self.inputs.enumerated() {
                let expected = exact(Double(x))
                let scale = max(1, abs(expected))
                #expect(abs(Double(portable[i]) - expected) <= 4e-6 * scale, "\(name)(\(x)) portable \(portable[i]) vs \(expected)")
                #expect(abs(Double(best[i]) - expected) <= 4e-6 * scale, "\(name)(\(x)) \(OptimizerKernels.instructionSet) \(best[i]) vs \(expected)")
            }
        }
    }

    @Test("swiglu forward and backward: both levels agree with the formulas")
    func swiglu() {
        let gate = Self.inputs, up = Self.inputs.reversed().map { $0 * 0.5 + 0.25 }
        let dy = Self.inputs.map { sin($0) }
        let (portable, best) = Self.bothLevels { () -> [[Float]] in
            var y = [Float](repeating: 0, count: gate.count), dGate = y, dUp = y
            sift_swiglu_forward(gate, up, &y, gate.count)
            sift_swiglu_backward(gate, up, dy, &dGate, &dUp, gate.count)
            return [y, dGate, dUp]
        }
        for i in gate.indices {
            let g = Double(gate[i]), u = Double(up[i]), d = Double(dy[i]), s = Self.sigmoid(g)
            let expected = [g * s * u, d * u * s * (1 + g * (1 - s)), d * g * s]
            for (k, value) in expected.enumerated() {
                let scale = max(1, abs(value))
                #expect(abs(Double(portable[k][i]) - value) <= 4e-6 * scale, "swiglu output \(k) at \(g): portable \(portable[k][i]) vs \(value)")
                #expect(abs(Double(best[k][i]) - value) <= 4e-6 * scale, "swiglu output \(k) at \(g): \(best[k][i]) vs \(value)")
            }
        }
    }

    @Test("AdamW update: both levels match a Float64 evaluation of torch's formula", arguments: [1, 16, 37, 1000])
    func adamW(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let p0 = (0..<count).map { _ in Float(rng.nextNormal()) }, g = (0..<count).map { _ in Float(rng.nextNormal()) * 0.1 }
        let m0 = (0..<count).map { _ in Float(rng.nextNormal()) * 0.01 }, v0 = (0..<count).map { _ in Float(rng.nextUniform()) * 1e-3 }
        let (decay, b1, b2, eps, step, correction): (Float, Float, Float, Float, Float, Float) = (0.9995, 0.9, 0.999, 1e-8, 2e-3, 0.3)
        let (portable, best) = Self.bothLevels { () -> [Float] in
            var p = p0, m = m0, v = v0
            sift_adamw_update(&p, g, &m, &v, count, decay, b1, b2, eps, step, correction)
            return p + m + v
        }
        for i in 0..<count {
            let gi = Double(g[i])
            let m = Double(b1) * Double(m0[i]) + (1 - Double(b1)) * gi
            let v = Double(b2) * Double(v0[i]) + (1 - Double(b2)) * gi * gi
            let update = Double(step) * m / (v.squareRoot() / Double(correction) + Double(eps))
            let p = Double(p0[i]) * Double(decay) - update
            // f32 rounding of each term: tolerances scale with the terms' sizes, not the (cancelling) result.
            let scales = [abs(Double(p0[i])) + abs(update),
                          abs(Double(b1) * Double(m0[i])) + abs((1 - Double(b1)) * gi),
                          abs(Double(b2) * Double(v0[i])) + (1 - Double(b2)) * gi * gi]
            for (k, value) in [p, m, v].enumerated() {
                let tolerance = 1e-6 * scales[k] + 1e-30
                #expect(abs(Double(portable[k * count + i]) - value) <= tolerance, "AdamW output \(k) portable at \(i)")
                #expect(abs(Double(best[k * count + i]) - value) <= tolerance, "AdamW output \(k) at \(i)")
            }
        }
    }

    @Test("sum of squares and scaling: both levels, partial blocks included")
    func norms() {
        let x = (0..<10_007).map { Float(($0 % 113) - 56) * 0.01 }
        let exact = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        let (portable, best) = Self.bothLevels { sift_sum_of_squares(x, x.count) }
        #expect(abs(portable - exact) <= 1e-6 * exact && abs(best - exact) <= 1e-6 * exact, "\(portable), \(best) vs \(exact)")
        let scaled = Self.bothLevels { () -> [Float] in
            var y = x
            sift_scale(&y, 0.5, y.count)
            return y
        }
        #expect(scaled.portable == x.map { $0 * 0.5 } && scaled.best == x.map { $0 * 0.5 })
    }
}

@Suite("C kernels: dropout masks and row kernels", .serialized)
struct RowAndDropoutKernelTests {
    @Test("dropout masks: identical bits on both levels, whatever the range split")
    func dropoutMasks() {
        let n = 1_000
        let x = (0..<n).map { Float($0) + 1 }
        func run(splitAt split: Int) -> (y: [Float], bits: [UInt16]) {
            var y = [Float](repeating: -1, count: n), bits = [UInt16](repeating: 0, count: (n + 15) / 16)
            x.withUnsafeBufferPointer { xs in
                y.withUnsafeMutableBufferPointer { ys in
                    bits.withUnsafeMutableBufferPointer { bs in
                        for (first, end) in [(0, split), (split, n)] where end > first {
                            sift_dropout_forward(xs.baseAddress! + first, ys.baseAddress! + first, bs.baseAddress! + first / 16,
                                                 first, end - first, 0x1234_5678_9ABC_DEF0, 1 << 22, 4.0 / 3)  // p = 0.25
                        }
                    }
                }
            }
            return (y, bits)
        }
        let (portable, best) = KernelDispatchTests.bothLevels { run(splitAt: 0) }
        let split = KernelDispatchTests.bothLevels { run(splitAt: 512) }.best
        #expect(portable.bits == best.bits && portable.y == best.y, "the levels disagree")
        #expect(split.bits == best.bits && split.y == best.y, "a range split changed the mask")
        let kept = best.y.filter { $0 != 0 }.count
        #expect(kept > 700 && kept < 800, "kept \(kept) of 1000 at p = 0.25")
        for i in 0..<n { #expect(best.y[i] == 0 || best.y[i] == x[i] * (4.0 / 3)) }
        // Applying the recorded bits gives the same result.
        var again = [Float](repeating: -1, count: n)
        sift_dropout_apply(x, &again, best.bits, n, 4.0 / 3)
        #expect(again == best.y)
    }

    @Test("row max, shifted exponentials, attention mask and softmax backward rows on both levels", arguments: [1, 15, 16, 17, 100])
    func rows(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let values = (0..<count).map { _ in Float(rng.nextNormal() * 4) }
        let bias = (0..<count).map { $0 % 3 == 0 ? -Float.infinity : 0 }
        let limit = count / 2
        let (portable, best) = KernelDispatchTests.bothLevels { () -> (max: Float, exp: [Float], sum: Float, masked: [Float], grad: [Float]) in
            var e = [Float](repeating: 0, count: count)
            let sum = sift_row_exp_shifted(values, &e, count, 1.5)
            var masked = values
            sift_attention_mask_row(&masked, bias, count, limit)
            var grad = values
            sift_softmax_backward_row(e, &grad, count, 0.25)
            return (sift_row_max(values, count), e, sum, masked, grad)
        }
        for result in [portable, best] {
            #expect(result.max == values.max())
            var total = 0.0
            for i in 0..<count {
                let exact = Foundation.exp(Double(values[i] - 1.5))
                total += exact
                #expect(abs(Double(result.exp[i]) - exact) <= 3e-7 * exact)
                let expectedMasked = i >= limit || bias[i] == -.infinity ? -Float.infinity : values[i]
                #expect(result.masked[i] == expectedMasked)
                #expect(abs(result.grad[i] - result.exp[i] * (values[i] - 0.25)) <= 1e-6 * max(1, abs(result.grad[i])))
            }
            #expect(abs(Double(result.sum) - total) <= 1e-6 * total)
        }
        var zeros: [Float] = [1, 1]
        #expect(sift_row_exp_shifted([-.infinity, -.infinity], &zeros, 2, 0) == 0 && zeros == [0, 0], "e^−∞ must be exactly 0")
    }
}
