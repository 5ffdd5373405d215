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
                    destination[index] = HalfConversion.float(fromF16: bits)
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
