// Widening stored elements (f32, f16, bf16, f64; little-endian, possibly unaligned in a mapped
// file) into f32 tensor memory, in parallel for large tensors.
import SiftTensor

enum ElementConversion {
    /// Elements per parallel chunk: below this a thread hand-off costs more than it saves.
    static let parallelGrain = 1 << 16

    /// Converts `count` elements of `dtype` starting at `source` into `destination`.
    static func widenToFloat(
        _ dtype: SafetensorsDType, source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        switch dtype {
        case .f32:
            // The mapped bytes are little-endian f32, like the host: a straight copy.
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .bf16:
            Parallel.forEachChunk(count, minChunk: parallelGrain) { range in
                for index in range {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    destination[index] = Float(bitPattern: UInt32(bits) << 16)
                }
            }
        case .f16:
            Parallel.forEachChunk(count, minChunk: parallelGrain) { range in
                for index in range {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                    destination[index] = float(fromF16: bits)
                }
            }
        case .f64:
            for index in 0..<count {
                let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                destination[index] = Float(Double(bitPattern: bits))
            }
        default:
            preconditionFailure("widenToFloat called with non-float type \(dtype.rawValue)")  // callers check first
        }
    }

    /// Widens IEEE binary16 bits to f32 exactly, with integer and multiply operations only (the loop
    /// vectorises; the generic `Float(Float16)` path is a library call per element without F16C).
    /// Exponent and mantissa shifted into f32 position have the f16 bias (15); multiplying by 2^112
    /// moves them to the f32 bias (127), exactly, subnormals included. Inf/NaN get the f32 all-ones exponent.
    @inline(__always)
    static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let magnitude = UInt32(bits & 0x7FFF)
        if magnitude >= 0x7C00 { return Float(bitPattern: sign | 0x7F80_0000 | ((magnitude & 0x3FF) << 13)) }
        let scaled = Float(bitPattern: magnitude << 13) * 0x1p112
        return Float(bitPattern: sign | scaled.bitPattern)
    }

    /// Reads `count` integer elements of `dtype` (booleans as 0/1). Returns nil for a u64 above Int.max.
    static func integers(_ dtype: SafetensorsDType, source: UnsafeRawPointer, count: Int) -> [Int]? {
        var result = [Int]()
        result.reserveCapacity(count)
        func load<T: FixedWidthInteger>(_: T.Type) -> Bool {
            for index in 0..<count {
                let value = T(littleEndian: source.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
                guard let converted = Int(exactly: value) else { return false }
                result.append(converted)
            }
            return true
        }
        let ok: Bool
        switch dtype {
        case .i64: ok = load(Int64.self)
        case .i32: ok = load(Int32.self)
        case .i16: ok = load(Int16.self)
        case .i8: ok = load(Int8.self)
        case .u64: ok = load(UInt64.self)
        case .u32: ok = load(UInt32.self)
        case .u16: ok = load(UInt16.self)
        case .u8: ok = load(UInt8.self)
        case .bool: ok = load(UInt8.self)
        default: ok = false
        }
        return ok ? result : nil
    }
}
