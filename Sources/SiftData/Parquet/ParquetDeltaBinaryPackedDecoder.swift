// DELTA_BINARY_PACKED (INT32/INT64, and the lengths inside the DELTA_*_BYTE_ARRAY encodings):
// a header <block size> <miniblocks per block> <value count> <first value (zigzag)>, then blocks of
// <min delta (zigzag)> <one bit-width byte per miniblock> <miniblocks of bit-packed (delta − min delta),
// LSB first>; value[i] = value[i−1] + delta, wrapping.

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
