// The fast f16 → f32 widening used by the readers agrees with the engine's reference conversion.
import Testing
import SiftTensor
@testable import SiftCheckpoints

@Suite("f16 widening")
struct HalfWideningTests {
    @Test("all 65,536 f16 bit patterns widen exactly (NaN stays NaN)")
    func everyPattern() {
        var mismatches = 0
        for bits in 0...UInt16.max {
            let fast = ElementConversion.float(fromF16: bits)
            let reference = HalfConversion.softwareFloat(fromF16: bits)
            if reference.isNaN {
                if !fast.isNaN || fast.sign != reference.sign { mismatches += 1 }
            } else if fast.bitPattern != reference.bitPattern {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }
}
