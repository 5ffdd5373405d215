// Storage element types and the f32 <-> f16/bf16 conversions used for checkpoints and packed weights.
// Compute is always f32; f16 and bf16 exist for storage (safetensors, GGUF, bf16 weights later).
// Rounding is round-to-nearest-even, as PyTorch's `.to(torch.bfloat16)` and numpy's float16 cast do.

/// The element type of stored tensor data.
public enum DType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        }
    }
}

/// Bit-exact conversions between `Float` and the 16-bit float formats.
public enum HalfConversion {
    /// Rounds an f32 to bf16 (round-to-nearest-even; NaN stays a quiet NaN with its sign).
    @inlinable
    public static func bf16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        // Add 0x7FFF plus the lowest kept bit: ties go to the even bf16 value.
        let roundingBias: UInt32 = 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// Widens bf16 bits to f32 (exact).
    @inlinable
    public static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Rounds an f32 to IEEE binary16 (round-to-nearest-even, overflow to ±inf, subnormals kept).
    @inlinable
    public static func f16Bits(from value: Float) -> UInt16 {
        #if arch(x86_64) || arch(arm64)
        return Float16(value).bitPattern
        #else
        return softwareF16Bits(from: value)
        #endif
    }

    /// Widens IEEE binary16 bits to f32 (exact).
    @inlinable
    public static func float(fromF16 bits: UInt16) -> Float {
        #if arch(x86_64) || arch(arm64)
        return Float(Float16(bitPattern: bits))
        #else
        return softwareFloat(fromF16: bits)
        #endif
    }

    /// Portable f32 → f16 used where the platform has no `Float16` (and as the tests' reference).
    public static func softwareF16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {  // inf or NaN
            return sign | 0x7C00 | (mantissa != 0 ? 0x200 | UInt16(mantissa >> 13) : 0)
        }
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {  // normal f16
            var half = UInt32(unbiased + 15) << 10 | (mantissa >> 13)
            let rest = mantissa & 0x1FFF
            if rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1) { half += 1 }  // may carry into inf: correct
            return sign | UInt16(half)
        }
        if unbiased < -25 { return sign }  // underflows to ±0 (below half the smallest subnormal)
        // Subnormal f16: shift the full 24-bit significand.
        let significand = mantissa | 0x80_0000
        let shift = UInt32(-unbiased - 14 + 13)
        var half = significand >> shift
        let rest = significand & ((1 << shift) - 1)
        let halfway: UInt32 = 1 << (shift - 1)
        if rest > halfway || (rest == halfway && (half & 1) == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// Portable f16 → f32.
    public static func softwareFloat(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
