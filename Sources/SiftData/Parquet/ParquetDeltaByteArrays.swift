// DELTA_LENGTH_BYTE_ARRAY: the lengths DELTA_BINARY_PACKED, then all the bytes back to back.
// DELTA_BYTE_ARRAY: prefix lengths and suffix lengths (both DELTA_BINARY_PACKED), then the suffix bytes;
// value[i] = value[i−1].prefix(prefix[i]) + suffix[i].

/// The byte ranges of DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY values, as owned byte arrays.
enum ParquetDeltaByteArrays {
    /// Shared prefixes let a small page expand quadratically; a page never legitimately decodes to more.
    static let maximumDecodedBytes = 1 << 30

    static func decode(
        _ encoding: ParquetEncoding, _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int
    ) throws -> [[UInt8]]? {
        switch encoding {
        case .deltaLengthByteArray:
            var lengths = try ParquetDeltaBinaryPackedDecoder(bytes: bytes, start: start, end: end)
            let decodedLengths = try lengths.decode(limit: count)
            return try suffixes(bytes, lengths: decodedLengths, start: lengths.position, end: end, count: count).values
        case .deltaByteArray:
            var prefixDecoder = try ParquetDeltaBinaryPackedDecoder(bytes: bytes, start: start, end: end)
            let prefixes = try prefixDecoder.decode(limit: count)
            var suffixDecoder = try ParquetDeltaBinaryPackedDecoder(bytes: bytes, start: prefixDecoder.position, end: end)
            let suffixLengths = try suffixDecoder.decode(limit: count)
            guard prefixes.count == suffixLengths.count else {
                throw ParquetDecodingFailure(
                    "DELTA_BYTE_ARRAY has \(prefixes.count) prefix lengths but \(suffixLengths.count) suffix lengths")
            }
            let tails = try suffixes(bytes, lengths: suffixLengths, start: suffixDecoder.position, end: end, count: count)
            var values = [[UInt8]]()
            values.reserveCapacity(count)
            var previous: [UInt8] = []
            var decodedBytes = 0
            for (index, prefix) in prefixes.enumerated() {
                guard prefix >= 0, prefix <= Int64(previous.count) else {
                    throw ParquetDecodingFailure(
                        "DELTA_BYTE_ARRAY value \(index) shares \(prefix) bytes with a \(previous.count)-byte predecessor")
                }
                decodedBytes += Int(prefix) + tails.values[index].count
                guard decodedBytes <= maximumDecodedBytes else {
                    throw ParquetDecodingFailure("DELTA_BYTE_ARRAY page expands beyond \(maximumDecodedBytes) bytes")
                }
                let value = Array(previous[0..<Int(prefix)]) + tails.values[index]
                values.append(value)
                previous = value
            }
            return values
        default:
            return nil
        }
    }

    /// `count` byte strings whose lengths were decoded, stored back to back from `start`.
    private static func suffixes(
        _ bytes: UnsafeRawBufferPointer, lengths: [Int64], start: Int, end: Int, count: Int
    ) throws -> (values: [[UInt8]], end: Int) {
        guard lengths.count == count else {
            throw ParquetDecodingFailure("the page holds \(lengths.count) lengths for \(count) values")
        }
        var values = [[UInt8]]()
        values.reserveCapacity(count)
        var position = start
        for (index, length) in lengths.enumerated() {
            guard length >= 0, length <= Int64(end - position) else {
                throw ParquetDecodingFailure(
                    "byte array \(index) claims \(length) bytes at byte \(position) but \(end - position) remain")
            }
            values.append([UInt8](UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(length))])))
            position += Int(length)
        }
        return (values, position)
    }
}
