// The RLE / bit-packing hybrid encoding of Parquet: definition and repetition levels, dictionary
// indices and RLE booleans. A stream of runs, each introduced by a ULEB128 header whose low bit says
// which kind: 0 → a repeated value (count = header >> 1, value in ceil(bitWidth / 8) little-endian
// bytes), 1 → bit-packed groups of 8 values (groups = header >> 1, values packed LSB first).

/// Decodes the RLE / bit-packing hybrid from a byte range.
struct ParquetHybridDecoder {
    private let bytes: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int
    let bitWidth: Int

    /// Decodes from `bytes[start..<end]` with values of `bitWidth` bits (0…32).
    init(bytes: UnsafeRawBufferPointer, start: Int, end: Int, bitWidth: Int) throws {
        guard (0...32).contains(bitWidth) else {
            throw ParquetDecodingFailure("bit width \(bitWidth) is out of range 0…32")
        }
        guard start >= 0, start <= end, end <= bytes.count else {
            throw ParquetDecodingFailure("encoded run range \(start)..<\(end) lies outside the \(bytes.count)-byte page")
        }
        self.bytes = bytes
        self.position = start
        self.end = end
        self.bitWidth = bitWidth
    }

    /// The number of bits needed to store values up to `maximum`.
    static func bitWidth(forMaximum maximum: Int) -> Int {
        maximum <= 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount
    }

    /// Decodes exactly `count` values into `output[0..<count]`; throws if the runs end first.
    mutating func decode(count: Int, into output: UnsafeMutablePointer<UInt32>) throws {
        var filled = 0
        let valueMask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while filled < count {
            guard position < end else {
                throw ParquetDecodingFailure("encoded runs end after \(filled) of \(count) values")
            }
            let header = try readVarint()
            let wanted = count - filled
            if header & 1 == 0 {
                let runLength = header >> 1
                let valueBytes = (bitWidth + 7) / 8
                guard valueBytes <= end - position else {
                    throw ParquetDecodingFailure("repeated-value run is cut off at byte \(position)")
                }
                var value: UInt64 = 0
                for index in 0..<valueBytes {
                    value |= UInt64(bytes[position + index]) << UInt64(8 * index)
                }
                position += valueBytes
                guard value <= valueMask else {
                    throw ParquetDecodingFailure("run value \(value) does not fit in \(bitWidth) bits")
                }
                let take = runLength < UInt64(wanted) ? Int(runLength) : wanted
                (output + filled).initialize(repeating: UInt32(truncatingIfNeeded: value), count: take)
                filled += take
            } else {
                let groups = header >> 1
                let runValues = groups < UInt64(wanted / 8 + 1) ? Int(groups) * 8 : wanted + 8  // capped
                let take = min(runValues, wanted)
                // Only the bytes holding the values we take must exist (the final run may be short).
                let neededBytes = (take * bitWidth + 7) / 8
                guard neededBytes <= end - position else {
                    throw ParquetDecodingFailure(
                        "bit-packed run needs \(neededBytes) bytes at byte \(position) but \(end - position) remain")
                }
                unpack(count: take, into: output + filled)
                filled += take
                // Skip the rest of the run (bounded by the range end).
                let runBytes = groups <= UInt64(end - position) ? Int(groups) * bitWidth : end - position
                position += min(max(runBytes, neededBytes), end - position)
            }
        }
    }

    /// Unpacks `count` values of `bitWidth` bits, least significant bit first, from `position`.
    private func unpack(count: Int, into output: UnsafeMutablePointer<UInt32>) {
        guard bitWidth > 0 else {
            output.initialize(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        let width = UInt64(bitWidth)
        var buffer: UInt64 = 0
        var bitsInBuffer: UInt64 = 0
        var byteIndex = position
        for index in 0..<count {
            while bitsInBuffer < width {
                buffer |= UInt64(bytes[byteIndex]) << bitsInBuffer
                byteIndex += 1
                bitsInBuffer += 8
            }
            output[index] = UInt32(truncatingIfNeeded: buffer & mask)
            buffer >>= width
            bitsInBuffer -= width
        }
    }

    private mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetDecodingFailure("run header is cut off at byte \(position)") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw ParquetDecodingFailure("run header overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetDecodingFailure("run header is longer than 10 bytes") }
        }
    }
}
