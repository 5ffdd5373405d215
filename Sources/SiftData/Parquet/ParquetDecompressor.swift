// Page decompression through the system's C libraries: Snappy (snappy-c.h), zlib (GZIP), Zstandard.
// The page header gives the uncompressed size; every codec must produce exactly that many bytes.
import CSnappy
import CZlib
import CZstd

/// Decompresses Parquet pages.
enum ParquetDecompressor {
    /// The largest page this reader accepts (the format stores sizes as i32; real pages are ~1 MiB).
    static let maximumPageSize = 1 << 30

    /// Decompresses `input` into exactly `uncompressedSize` bytes; `ParquetDecodingFailure` otherwise.
    static func decompress(
        _ input: UnsafeRawBufferPointer, codec: ParquetCompressionCodec, uncompressedSize: Int
    ) throws -> [UInt8] {
        guard uncompressedSize >= 0, uncompressedSize <= maximumPageSize else {
            throw ParquetDecodingFailure("uncompressed page size \(uncompressedSize) is out of range")
        }
        switch codec {
        case .uncompressed:
            guard input.count == uncompressedSize else {
                throw ParquetDecodingFailure(
                    "uncompressed page has \(input.count) bytes but its header says \(uncompressedSize)")
            }
            return [UInt8](input)
        case .snappy:
            return try snappy(input, uncompressedSize: uncompressedSize)
        case .gzip:
            return try gzip(input, uncompressedSize: uncompressedSize)
        case .zstd:
            return try zstd(input, uncompressedSize: uncompressedSize)
        case .lzo, .brotli, .lz4, .lz4Raw:
            throw ParquetDecodingFailure("codec \(codec) is not supported")
        }
    }

    /// Runs `body` on an output buffer of `count` bytes (one spare byte so the pointer is never null) that is
    /// left untouched until written, so a corrupt header's large size costs no memory unless data fills it.
    /// `body` returns how many bytes it produced, which must be `count`.
    private static func decode(
        into count: Int, codec: String, _ body: (UnsafeMutablePointer<UInt8>) throws -> Int
    ) throws -> [UInt8] {
        var produced = 0
        let output = try [UInt8](unsafeUninitializedCapacity: count + 1) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { throw ParquetDecodingFailure("cannot allocate \(count) bytes") }
            produced = try body(base)
            guard produced == count else { return }
            initialized = count
        }
        guard produced == count else {
            throw ParquetDecodingFailure("\(codec) data holds \(produced) bytes but the page header says \(count)")
        }
        return output
    }

    private static func snappy(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard let source = input.baseAddress?.assumingMemoryBound(to: CChar.self) else {
            throw ParquetDecodingFailure("empty Snappy input")
        }
        var declared = 0
        guard snappy_uncompressed_length(source, input.count, &declared) == SNAPPY_OK else {
            throw ParquetDecodingFailure("Snappy header is invalid")
        }
        guard declared == uncompressedSize else {
            throw ParquetDecodingFailure(
                "Snappy data holds \(declared) bytes but the page header says \(uncompressedSize)")
        }
        return try decode(into: uncompressedSize, codec: "SNAPPY") { destination in
            var produced = uncompressedSize
            let status = destination.withMemoryRebound(to: CChar.self, capacity: uncompressedSize + 1) {
                snappy_uncompress(source, input.count, $0, &produced)
            }
            guard status == SNAPPY_OK else {
                throw ParquetDecodingFailure("Snappy data is corrupt (status \(status.rawValue))")
            }
            return produced
        }
    }

    private static func gzip(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard let source = input.baseAddress?.assumingMemoryBound(to: Bytef.self) else {
            throw ParquetDecodingFailure("empty GZIP input")
        }
        // Deflate expands at most about 1032:1; a larger claim is a corrupt header, not a reason to allocate.
        guard uncompressedSize <= input.count * 1032 + 1024 else {
            throw ParquetDecodingFailure(
                "page header says \(uncompressedSize) bytes, more than \(input.count) GZIP bytes can hold")
        }
        var stream = z_stream()
        // 15 + 32: a 32 KiB window, and accept either a gzip or a zlib header.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetDecodingFailure("zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }
        return try decode(into: uncompressedSize, codec: "GZIP") { destination in
            var produced = 0
            var consumed = 0
            // Parquet allows several concatenated gzip members in one page.
            while consumed < input.count {
                stream.next_in = UnsafeMutablePointer(mutating: source.advanced(by: consumed))
                stream.avail_in = uInt(min(input.count - consumed, Int(UInt32.max)))
                stream.next_out = destination.advanced(by: produced)
                stream.avail_out = uInt(uncompressedSize - produced)
                let availableIn = stream.avail_in
                let availableOut = stream.avail_out
                let status = inflate(&stream, Z_FINISH)
                consumed += Int(availableIn - stream.avail_in)
                produced += Int(availableOut - stream.avail_out)
                if status == Z_STREAM_END {
                    if consumed < input.count {
                        guard inflateReset(&stream) == Z_OK else { throw ParquetDecodingFailure("zlib reset failed") }
                    }
                    continue
                }
                if status == Z_BUF_ERROR && stream.avail_out == 0 {
                    throw ParquetDecodingFailure(
                        "GZIP data inflates to more than the \(uncompressedSize) bytes the page header says")
                }
                let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw ParquetDecodingFailure("GZIP data is corrupt or truncated (\(message))")
            }
            return produced
        }
    }

    private static func zstd(_ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        guard let source = input.baseAddress else { throw ParquetDecodingFailure("empty ZSTD input") }
        return try decode(into: uncompressedSize, codec: "ZSTD") { destination in
            let result = ZSTD_decompress(destination, uncompressedSize, source, input.count)
            if ZSTD_isError(result) != 0 {
                throw ParquetDecodingFailure("ZSTD data is corrupt: \(String(cString: ZSTD_getErrorName(result)))")
            }
            return result
        }
    }
}
