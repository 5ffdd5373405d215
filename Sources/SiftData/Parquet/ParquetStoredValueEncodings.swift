// Which DELTA_* / BYTE_STREAM_SPLIT encodings apply to which value type (the decoders are in
// ParquetDeltaBinaryPackedDecoder.swift, ParquetDeltaByteArrays.swift and ParquetByteStreamSplit.swift).

extension ParquetFixedWidthValue {
    /// BYTE_STREAM_SPLIT values of this type's width.
    static func decodeByteStreamSplit(
        _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int
    ) throws -> [Self] {
        let joined = try parquetByteStreamSplit(bytes, start: start, end: end, count: count, width: MemoryLayout<Self>.size)
        return joined.withUnsafeBytes { raw in
            (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<Self>.size, as: Self.self) }
        }
    }
}

extension Int32 {
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [Int32]? {
        switch encoding {
        case .deltaBinaryPacked:
            var decoder = try ParquetDeltaBinaryPackedDecoder(bytes: bytes, start: start, end: end)
            // INT32 deltas wrap in 32 bits; 64-bit wrapping then truncation gives the same values.
            return try decoder.decode(limit: count).map { Int32(truncatingIfNeeded: $0) }
        case .byteStreamSplit:
            return try decodeByteStreamSplit(bytes, start: start, end: end, count: count)
        default:
            return nil
        }
    }
}

extension Int64 {
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [Int64]? {
        switch encoding {
        case .deltaBinaryPacked:
            var decoder = try ParquetDeltaBinaryPackedDecoder(bytes: bytes, start: start, end: end)
            return try decoder.decode(limit: count)
        case .byteStreamSplit:
            return try decodeByteStreamSplit(bytes, start: start, end: end, count: count)
        default:
            return nil
        }
    }
}

extension Float {
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [Float]? {
        encoding == .byteStreamSplit ? try decodeByteStreamSplit(bytes, start: start, end: end, count: count) : nil
    }
}

extension Double {
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [Double]? {
        encoding == .byteStreamSplit ? try decodeByteStreamSplit(bytes, start: start, end: end, count: count) : nil
    }
}

extension String {
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [String]? {
        guard let arrays = try ParquetDeltaByteArrays.decode(encoding, bytes, start: start, end: end, count: count) else {
            return nil
        }
        return try arrays.enumerated().map { index, raw in
            guard let string = String(validating: raw, as: UTF8.self) else {
                throw ParquetDecodingFailure("string value \(index) is not valid UTF-8")
            }
            return string
        }
    }
}

extension Array where Element == UInt8 {
    static func decodeOther(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int,
        typeLength: Int
    ) throws -> [[UInt8]]? {
        if encoding == .byteStreamSplit && typeLength > 0 {
            let joined = try parquetByteStreamSplit(bytes, start: start, end: end, count: count, width: typeLength)
            return (0..<count).map { Array(joined[($0 * typeLength)..<(($0 + 1) * typeLength)]) }
        }
        return try ParquetDeltaByteArrays.decode(encoding, bytes, start: start, end: end, count: count)
    }
}
