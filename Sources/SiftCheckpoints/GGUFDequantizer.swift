// Dequantising ggml blocks to f32, bit-exact to `gguf.quants.dequantize` (gguf-py): every value is
// computed with the same f32 operations in the same order (no fused multiply-add), e.g. Q4_K is
// `(d·sc)·q − (dmin·m)` and Q6_K is `(d·scale)·q`.
import SiftTensor

/// Converts ggml tensor data to f32.
public enum GGUFDequantizer {
    /// Dequantises `count` elements of `type` stored at `source` (`count / blockSize · blockBytes` readable
    /// bytes) into `destination` (`count` writable floats).
    /// Throws for a type that `canDequantize` rejects or a `count` that is not a whole number of blocks.
    public static func dequantize(_ type: GGMLType, source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) throws {
        guard type.canDequantize else {
            throw CheckpointError.invalidArgument("GGUFDequantizer: \(type.name) tensors cannot be dequantised yet "
                + "(supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)")
        }
        guard count >= 0, count % type.blockSize == 0 else {
            throw CheckpointError.invalidArgument("GGUFDequantizer: \(count) elements is not a whole number of \(type.name) blocks of \(type.blockSize)")
        }
        switch type {
        case .f32: ElementConversion.widenToFloat(.f32, source: source, count: count, into: destination)
        case .f16: ElementConversion.widenToFloat(.f16, source: source, count: count, into: destination)
        case .bf16: ElementConversion.widenToFloat(.bf16, source: source, count: count, into: destination)
        case .q8_0: forEachBlock(type, source, count, destination, q8_0)
        case .q4_0: forEachBlock(type, source, count, destination, q4_0)
        case .q4_1: forEachBlock(type, source, count, destination, q4_1)
        case .q5_0: forEachBlock(type, source, count, destination, q5_0)
        case .q5_1: forEachBlock(type, source, count, destination, q5_1)
        case .q2_K: forEachBlock(type, source, count, destination, q2_K)
        case .q3_K: forEachBlock(type, source, count, destination, q3_K)
        case .q4_K: forEachBlock(type, source, count, destination, q4_K)
        case .q5_K: forEachBlock(type, source, count, destination, q5_K)
        case .q6_K: forEachBlock(type, source, count, destination, q6_K)
        default: break  // excluded by the canDequantize guard above
        }
    }

    /// Runs `kernel` on every block, in parallel chunks of about 32K elements.
    @inline(__always)
    private static func forEachBlock(
        _ type: GGMLType, _ source: UnsafeRawPointer, _ count: Int, _ destination: UnsafeMutablePointer<Float>,
        _ kernel: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void
    ) {
        let blockSize = type.blockSize, blockBytes = type.blockBytes
        Parallel.forEachChunk(count / blockSize, minChunk: max(1, (1 << 15) / blockSize)) { blocks in
            for block in blocks {
                kernel(source + block * blockBytes, destination + block * blockSize)
            }
        }
    }

    @inline(__always)
    private static func half(_ pointer: UnsafeRawPointer, _ offset: Int) -> Float {
        ElementConversion.float(fromF16: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self).littleEndianValue)
    }

    /// Q8_0: f16 d, 32 × int8 q; x = q·d.
    @inline(__always)
    static func q8_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let quants = block.advanced(by: 2).assumingMemoryBound(to: Int8.self)
        for index in 0..<32 { out[index] = Float(quants[index]) * d }
    }

    /// Q4_0: f16 d, 16 bytes; element j < 16 is the low nibble of byte j, element j + 16 the high one; x = d·(q − 8).
    @inline(__always)
    static func q4_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let quants = block.advanced(by: 2).assumingMemoryBound(to: UInt8.self)
        for index in 0..<16 {
            let byte = quants[index]
            out[index] = d * Float(Int(byte & 0x0F) - 8)
            out[index + 16] = d * Float(Int(byte >> 4) - 8)
        }
    }

    /// Q4_1: f16 d, f16 m, 16 bytes (nibbles as Q4_0); x = d·q + m.
    @inline(__always)
    static func q4_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let m = half(block, 2)
        let quants = block.advanced(by: 4).assumingMemoryBound(to: UInt8.self)
        for index in 0..<16 {
            let byte = quants[index]
            out[index] = d * Float(byte & 0x0F) + m
            out[index + 16] = d * Float(byte >> 4) + m
        }
    }

    /// Q5_0: f16 d, u32 of high bits (bit j → element j), 16 bytes of nibbles as Q4_0; x = d·(q − 16).
    @inline(__always)
    static func q5_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let highBits = block.loadUnaligned(fromByteOffset: 2, as: UInt32.self).littleEndianValue
        let quants = block.advanced(by: 6).assumingMemoryBound(to: UInt8.self)
        for index in 0..<16 {
            let byte = quants[index]
            let low = Int(byte & 0x0F) | Int((highBits >> UInt32(index)) & 1) << 4
            let high = Int(byte >> 4) | Int((highBits >> UInt32(index + 16)) & 1) << 4
            out[index] = d * Float(low - 16)
            out[index + 16] = d * Float(high - 16)
        }
    }

    /// Q5_1: f16 d, f16 m, u32 of high bits, 16 bytes of nibbles; x = d·q + m.
    @inline(__always)
    static func q5_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let m = half(block, 2)
        let highBits = block.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndianValue
        let quants = block.advanced(by: 8).assumingMemoryBound(to: UInt8.self)
        for index in 0..<16 {
            let byte = quants[index]
            let low = UInt32(byte & 0x0F) | ((highBits >> UInt32(index)) & 1) << 4
            let high = UInt32(byte >> 4) | ((highBits >> UInt32(index + 16)) & 1) << 4
            out[index] = d * Float(low) + m
            out[index + 16] = d * Float(high) + m
        }
    }

    /// Q2_K: 16 scale bytes (low nibble scale, high nibble min), 64 bytes of 2-bit quants, f16 d, f16 dmin;
    /// element e = 128g + 32s + l is bits 2s of byte 32g + l; x = (d·sc)·q − (dmin·m) per group of 16.
    @inline(__always)
    static func q2_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let scales = block.assumingMemoryBound(to: UInt8.self)
        let quants = block.advanced(by: 16).assumingMemoryBound(to: UInt8.self)
        let d = half(block, 80)
        let dmin = half(block, 82)
        for element in 0..<256 {
            let group = element >> 7, shift = UInt8(((element >> 5) & 3) * 2), lane = element & 31
            let quant = (quants[group * 32 + lane] >> shift) & 3
            let scaleByte = scales[element >> 4]
            let factor = d * Float(scaleByte & 0x0F)
            let offset = dmin * Float(scaleByte >> 4)
            out[element] = factor * Float(quant) - offset
        }
    }

    /// Q3_K: 32 bytes of high-bit mask, 64 bytes of 2-bit quants, 12 bytes of packed 6-bit scales, f16 d;
    /// q = low2 − 4·(1 − maskbit), scale = packed − 32; x = (d·scale)·q per group of 16.
    @inline(__always)
    static func q3_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let mask = block.assumingMemoryBound(to: UInt8.self)
        let quants = block.advanced(by: 32).assumingMemoryBound(to: UInt8.self)
        let packed = block.advanced(by: 96).assumingMemoryBound(to: UInt8.self)
        let d = half(block, 108)
        for group in 0..<16 {
            let low = group < 8 ? packed[group] & 0x0F : packed[group - 8] >> 4
            let high = (packed[8 + (group & 3)] >> UInt8(2 * (group >> 2))) & 0x03
            let factor = d * Float(Int(low | (high << 4)) - 32)
            for element in (group * 16)..<(group * 16 + 16) {
                let half = element >> 7, shift = UInt8(((element >> 5) & 3) * 2), lane = element & 31
                let lowBits = Int((quants[half * 32 + lane] >> shift) & 3)
                let maskBit = Int((mask[lane] >> UInt8(element >> 5)) & 1)
                out[element] = factor * Float(lowBits - ((maskBit ^ 1) << 2))
            }
        }
    }

    /// The 6-bit scale and minimum of sub-block `j` (0..<8) of a Q4_K/Q5_K block from its 12 packed bytes.
    @inline(__always)
    static func scaleAndMin(_ packed: UnsafePointer<UInt8>, _ j: Int) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (packed[j] & 0x3F, packed[j + 4] & 0x3F)
        }
        let scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 2) & 0x30)
        let minimum = (packed[j + 4] >> 4) | ((packed[j] >> 2) & 0x30)
        return (scale, minimum)
    }

    /// Q4_K: f16 d, f16 dmin, 12 scale bytes, 128 bytes of nibbles; 8 sub-blocks of 32:
    /// sub-block 2g takes the low nibbles of bytes 32g..<32g+32, sub-block 2g+1 the high ones.
    @inline(__always)
    static func q4_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let dmin = half(block, 2)
        let packed = block.advanced(by: 4).assumingMemoryBound(to: UInt8.self)
        let quants = block.advanced(by: 16).assumingMemoryBound(to: UInt8.self)
        for sub in 0..<8 {
            let (scale, minimum) = scaleAndMin(packed, sub)
            let factor = d * Float(scale)
            let offset = dmin * Float(minimum)
            let shift = UInt8((sub & 1) * 4)
            let bytes = quants + (sub >> 1) * 32
            let target = out + sub * 32
            for index in 0..<32 {
                target[index] = factor * Float((bytes[index] >> shift) & 0x0F) - offset
            }
        }
    }

    /// Q5_K: as Q4_K plus 32 bytes of high bits: bit `sub` of byte l is bit 4 of element l of sub-block `sub`.
    @inline(__always)
    static func q5_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let dmin = half(block, 2)
        let packed = block.advanced(by: 4).assumingMemoryBound(to: UInt8.self)
        let highBits = block.advanced(by: 16).assumingMemoryBound(to: UInt8.self)
        let quants = block.advanced(by: 48).assumingMemoryBound(to: UInt8.self)
        for sub in 0..<8 {
            let (scale, minimum) = scaleAndMin(packed, sub)
            let factor = d * Float(scale)
            let offset = dmin * Float(minimum)
            let shift = UInt8((sub & 1) * 4)
            let bytes = quants + (sub >> 1) * 32
            let target = out + sub * 32
            for index in 0..<32 {
                let low = (bytes[index] >> shift) & 0x0F
                let high = ((highBits[index] >> UInt8(sub)) & 1) << 4
                target[index] = factor * Float(low | high) - offset
            }
        }
    }

    /// Q6_K: 128 bytes of low nibbles, 64 bytes of 2-bit highs, 16 int8 scales, f16 d; 16 sub-blocks of 16;
    /// x = (d·scale)·(q − 32). Element e = 128g + r: low nibble of byte 64g + r%64 (high nibble when r ≥ 64),
    /// high bits 2·(r/32) of byte 32g + r%32.
    @inline(__always)
    static func q6_K(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let low = block.assumingMemoryBound(to: UInt8.self)
        let high = block.advanced(by: 128).assumingMemoryBound(to: UInt8.self)
        let scales = block.advanced(by: 192).assumingMemoryBound(to: Int8.self)
        let d = half(block, 208)
        for half in 0..<2 {
            for r in 0..<128 {
                let element = half * 128 + r
                let lowBits = (low[half * 64 + (r & 63)] >> UInt8((r >> 6) * 4)) & 0x0F
                let highBits = (high[half * 32 + (r & 31)] >> UInt8((r >> 5) * 2)) & 0x03
                let quant = Int(lowBits | (highBits << 4)) - 32
                let factor = d * Float(scales[element >> 4])
                out[element] = factor * Float(quant)
            }
        }
    }
}

extension FixedWidthInteger {
    /// The value of little-endian stored bits on this host.
    @inline(__always)
    var littleEndianValue: Self { Self(littleEndian: self) }
}
