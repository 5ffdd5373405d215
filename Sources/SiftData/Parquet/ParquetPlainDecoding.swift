// PLAIN decoding of each physical type (also the format of dictionary pages):
// fixed-width little-endian numbers, booleans one bit each (LSB first), BYTE_ARRAY as a 4-byte
// little-endian length then the bytes, FIXED_LEN_BYTE_ARRAY as `type_length` bytes each.

/// A Swift type that a Parquet column's non-null values decode to.
protocol ParquetStoredValue: Sendable {
    /// Decodes `count` PLAIN values from `bytes[start..<end]`; returns the values and the offset after them.
    static func decodePlain(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, typeLength: Int
    ) throws -> (values: [Self], end: Int)

    /// The public column holding values of this type.
    static func makeColumn(_ values: [Self?]) -> ParquetColumn

    /// Values from 1-bit RLE-hybrid runs (only booleans use the RLE data encoding); nil for other types.
    static func fromBits(_ bits: UnsafeBufferPointer<UInt32>) -> [Self]?

    /// `count` values in a DELTA_* or BYTE_STREAM_SPLIT encoding from `bytes[start..<end]`;
    /// nil when the encoding does not apply to this type.
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [Self]?
}

extension ParquetStoredValue {
    static func fromBits(_ bits: UnsafeBufferPointer<UInt32>) -> [Self]? { nil }

    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [Self]? { nil }
}

/// Fixed-width little-endian numbers.
protocol ParquetFixedWidthValue: ParquetStoredValue {}

extension ParquetFixedWidthValue {
    static func decodePlain(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, typeLength: Int
    ) throws -> (values: [Self], end: Int) {
        let width = MemoryLayout<Self>.size
        guard count >= 0, count <= (end - start) / width else {
            throw ParquetDecodingFailure(
                "\(count) values of \(width) bytes need \(count * width) bytes but the page has \(end - start)")
        }
        let values = [Self](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Parquet is little-endian, as are all platforms Sift supports (x86-64, arm64).
            if count > 0, let destination = buffer.baseAddress, let source = bytes.baseAddress {
                UnsafeMutableRawPointer(destination).copyMemory(from: source + start, byteCount: count * width)
            }
            initialized = count
        }
        return (values, start + count * width)
    }
}

extension Int32: ParquetFixedWidthValue {
    static func makeColumn(_ values: [Int32?]) -> ParquetColumn { .int32(values) }
}

extension Int64: ParquetFixedWidthValue {
    static func makeColumn(_ values: [Int64?]) -> ParquetColumn { .int64(values) }
}

extension Float: ParquetFixedWidthValue {
    static func makeColumn(_ values: [Float?]) -> ParquetColumn { .floats(values) }
}

extension Double: ParquetFixedWidthValue {
    static func makeColumn(_ values: [Double?]) -> ParquetColumn { .doubles(values) }
}

extension Bool: ParquetStoredValue {
    static func makeColumn(_ values: [Bool?]) -> ParquetColumn { .booleans(values) }

    static func decodePlain(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, typeLength: Int
    ) throws -> (values: [Bool], end: Int) {
        guard count >= 0, (count + 7) / 8 <= end - start else {
            throw ParquetDecodingFailure("\(count) booleans need \((count + 7) / 8) bytes but the page has \(end - start)")
        }
        var values = [Bool]()
        values.reserveCapacity(count)
        for index in 0..<count {
            values.append((bytes[start + (index >> 3)] >> UInt8(index & 7)) & 1 == 1)
        }
        return (values, start + (count + 7) / 8)
    }

    static func fromBits(_ bits: UnsafeBufferPointer<UInt32>) -> [Bool]? {
        bits.map { $0 != 0 }
    }
}

extension String: ParquetStoredValue {
    static func makeColumn(_ values: [String?]) -> ParquetColumn { .strings(values) }

    static func decodePlain(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, typeLength: Int
    ) throws -> (values: [String], end: Int) {
        var values = [String]()
        // Each value takes at least its 4-byte length, which bounds a corrupt count.
        values.reserveCapacity(Swift.min(Swift.max(count, 0), (end - start) / 4))
        var position = start
        for index in 0..<Swift.max(count, 0) {
            let (valueStart, length) = try byteArrayBounds(bytes, position: position, end: end, index: index, count: count)
            let raw = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<(valueStart + length)])
            guard let string = String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) else {
                throw ParquetDecodingFailure("string value \(index) (at byte \(position)) is not valid UTF-8")
            }
            values.append(string)
            position = valueStart + length
        }
        return (values, position)
    }
}

extension Array: ParquetStoredValue where Element == UInt8 {
    static func makeColumn(_ values: [[UInt8]?]) -> ParquetColumn { .binary(values) }

    static func decodePlain(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, typeLength: Int
    ) throws -> (values: [[UInt8]], end: Int) {
        var values = [[UInt8]]()
        var position = start
        if typeLength > 0 {
            guard count >= 0, count <= (end - start) / typeLength else {
                throw ParquetDecodingFailure(
                    "\(count) values of \(typeLength) bytes do not fit in the page's \(end - start) bytes")
            }
            values.reserveCapacity(count)
            for _ in 0..<count {
                values.append([UInt8](UnsafeRawBufferPointer(rebasing: bytes[position..<(position + typeLength)])))
                position += typeLength
            }
            return (values, position)
        }
        values.reserveCapacity(Swift.min(Swift.max(count, 0), (end - start) / 4))
        for index in 0..<Swift.max(count, 0) {
            let (valueStart, length) = try byteArrayBounds(bytes, position: position, end: end, index: index, count: count)
            values.append([UInt8](UnsafeRawBufferPointer(rebasing: bytes[valueStart..<(valueStart + length)])))
            position = valueStart + length
        }
        return (values, position)
    }
}

/// The start and length of the BYTE_ARRAY value whose 4-byte length prefix is at `position`.
private func byteArrayBounds(
    _ bytes: UnsafeRawBufferPointer, position: Int, end: Int, index: Int, count: Int
) throws -> (start: Int, length: Int) {
    guard end - position >= 4 else {
        throw ParquetDecodingFailure("byte array \(index) of \(count): its length prefix at byte \(position) is cut off")
    }
    let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
    guard length <= end - position - 4 else {
        throw ParquetDecodingFailure(
            "byte array \(index) of \(count) at byte \(position) claims \(length) bytes but \(end - position - 4) remain")
    }
    return (position + 4, length)
}
