// The non-dictionary encodings beyond PLAIN that Parquet writers use (pyarrow on request, Spark and
// parquet-mr with data page v2 by default):
// - DELTA_BINARY_PACKED (INT32/INT64): a header <block size> <miniblocks per block> <value count>
//   <first value (zigzag)>, then blocks of <min delta (zigzag)> <one bit-width byte per miniblock>
//   <miniblocks of bit-packed (delta − min delta), LSB first>; value[i] = value[i−1] + delta.
// - DELTA_LENGTH_BYTE_ARRAY: the lengths DELTA_BINARY_PACKED, then all the bytes back to back.
// - DELTA_BYTE_ARRAY: prefix lengths and suffix lengths (both DELTA_BINARY_PACKED), then the suffix
//   bytes; value[i] = value[i−1].prefix(prefix[i]) + suffix[i].
// - BYTE_STREAM_SPLIT (fixed-width types): byte k of value i at stream k, position i.

/// Decodes DELTA_BINARY_PACKED integers.
struct ParquetDeltaBinaryPackedDecoder {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int

    init(bytes: UnsafeRawBufferPointer, start: Int, end: Int) throws {
        guard start >= 0, start <= end, end <= bytes.count else {
            throw ParquetDecodingFailure("DELTA_BINARY_PACKED range \(start)..<\(end) lies outside the page")
        }
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    /// Decodes the stream's values (the header says how many; at most `limit`, a bound from the page);
    /// afterwards `position` is just past the stream.
    mutating func decode(limit: Int) throws -> [Int64] {
        let blockSize = try readVarint()
        let miniblocksPerBlock = try readVarint()
        let totalCount = try readVarint()
        let first = try readZigZag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocksPerBlock > 0,
            blockSize % miniblocksPerBlock == 0, (blockSize / miniblocksPerBlock) % 32 == 0
        else {
            throw ParquetDecodingFailure(
                "DELTA_BINARY_PACKED header has block size \(blockSize) and \(miniblocksPerBlock) miniblocks per block")
        }
        guard totalCount <= UInt64(limit) else {
            throw ParquetDecodingFailure("DELTA_BINARY_PACKED claims \(totalCount) values where at most \(limit) fit")
        }
        let count = Int(totalCount)
        let miniblocks = Int(miniblocksPerBlock)
        let valuesPerMiniblock = Int(blockSize) / miniblocks
        var values = [Int64]()
        values.reserveCapacity(count)
        guard count > 0 else { return values }
        values.append(first)
        var previous = first
        while values.count < count {
            let minDelta = try readZigZag()
            guard miniblocks <= end - position else {
                throw ParquetDecodingFailure("DELTA_BINARY_PACKED miniblock widths are cut off at byte \(position)")
            }
            let widthsStart = position
            position += miniblocks
            for miniblock in 0..<miniblocks where values.count < count {
                let width = Int(bytes[widthsStart + miniblock])
                guard width <= 64 else {
                    throw ParquetDecodingFailure("DELTA_BINARY_PACKED miniblock bit width \(width) exceeds 64")
                }
                let take = min(valuesPerMiniblock, count - values.count)
                // Only the bits of the values taken must exist; a full miniblock is skipped when present.
                let neededBytes = (take * width + 7) / 8
                guard neededBytes <= end - position else {
                    throw ParquetDecodingFailure(
                        "DELTA_BINARY_PACKED miniblock needs \(neededBytes) bytes at byte \(position), \(end - position) remain")
                }
                for index in 0..<take {
                    let delta = readBits(at: position, bitOffset: index * width, width: width)
                    previous = previous &+ minDelta &+ Int64(bitPattern: delta)
                    values.append(previous)
                }
                position += min(valuesPerMiniblock * width / 8, end - position)
            }
        }
        return values
    }

    /// `width` bits starting `bitOffset` bits after byte `base`, least significant first.
    private func readBits(at base: Int, bitOffset: Int, width: Int) -> UInt64 {
        var result: UInt64 = 0
        var gathered = 0
        var offset = bitOffset
        while gathered < width {
            let byte = UInt64(bytes[base + offset >> 3])
            let shift = offset & 7
            let take = min(8 - shift, width - gathered)
            result |= ((byte >> UInt64(shift)) & ((1 << UInt64(take)) - 1)) << UInt64(gathered)
            gathered += take
            offset += take
        }
        return result
    }

    private mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetDecodingFailure("DELTA_BINARY_PACKED varint is cut off at byte \(position)") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw ParquetDecodingFailure("DELTA_BINARY_PACKED varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetDecodingFailure("DELTA_BINARY_PACKED varint is longer than 10 bytes") }
        }
    }

    private mutating func readZigZag() throws -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}

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

/// BYTE_STREAM_SPLIT: reassembles `count` values of `width` bytes from `width` byte streams.
func parquetByteStreamSplit(
    _ bytes: UnsafeRawBufferPointer, start: Int, end: Int, count: Int, width: Int
) throws -> [UInt8] {
    guard width > 0, count >= 0, count <= (end - start) / width else {
        throw ParquetDecodingFailure(
            "BYTE_STREAM_SPLIT needs \(count) × \(width) bytes but the page has \(end - start)")
    }
    var output = [UInt8](repeating: 0, count: count * width)
    for stream in 0..<width {
        let streamStart = start + stream * count
        for index in 0..<count { output[index * width + stream] = bytes[streamStart + index] }
    }
    return output
}
