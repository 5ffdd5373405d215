// BYTE_STREAM_SPLIT (fixed-width types): byte k of value i is stored in stream k at position i, which
// compresses floating-point data better.

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
