import Foundation
import Testing
@testable import SiftTensor

@Suite("Vector math")
struct VectorMathTests {
    @Test("vector exp is within 3e-7 relative of exp on [−87, 88], exactly 0 for −∞ and 1 for 0")
    func exponential() {
        var worst = 0.0
        var x: Float = -87
        while x <= 88 {
            let lanes = SIMD16<Float>((0..<16).map { x + Float($0) * 0.0037 })
            let result = VectorMath.exp(lanes)
            for lane in 0..<16 where lanes[lane] <= 88 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, abs(Double(result[lane]) - exact) / exact)
            }
            x += 0.0591
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(VectorMath.exp(-Float.infinity) == 0)
        #expect(VectorMath.exp(-100) == 0)
        #expect(VectorMath.exp(0) == 1)
    }

    @Test("expShifted and maximum match scalar loops, tails included", arguments: [1, 15, 16, 17, 65])
    func rowHelpers(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let values = (0..<count).map { _ in Float(rng.nextNormal() * 5) }
        values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            #expect(VectorMath.maximum(base, count: count) == values.max())
            var out = [Float](repeating: 0, count: count)
            let sum = out.withUnsafeMutableBufferPointer { VectorMath.expShifted(base, $0.baseAddress!, count: count, shift: 2) }
            var expected = 0.0
            for (value, result) in zip(values, out) {
                let exact = Foundation.exp(Double(value - 2))  // the kernel shifts in f32 too
                expected += exact
                #expect(abs(Double(result) - exact) <= 3e-7 * exact)
            }
            #expect(abs(Double(sum) - expected) <= 1e-6 * expected)
        }
    }
}
