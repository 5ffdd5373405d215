// A bounds-checked little-endian reader over mapped bytes, used by the GGUF parser.
// Every read checks the remaining length first, so a truncated or lying file throws instead of crashing.

/// Reads little-endian scalars and length-prefixed strings from a byte buffer, throwing on overrun.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset: Int

    init(bytes: UnsafeRawBufferPointer, path: String, offset: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available.
    func require(_ count: Int, for what: String) throws {
        guard count >= 0, count <= remaining else {
            throw CheckpointError.truncated(path: path, what: what, offset: offset, needed: count, fileSize: bytes.count)
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        if size > remaining { try require(size, for: what()) }
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// A GGUF string: u64 byte length, then UTF-8 bytes (no terminator).
    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let start = offset
        let length = try read(UInt64.self, "length of \(what())")
        guard length <= UInt64(remaining) else {
            throw CheckpointError.truncated(
                path: path, what: "\(what()) (claimed length \(length))", offset: offset,
                needed: length > UInt64(Int.max) ? Int.max : Int(length), fileSize: bytes.count)
        }
        let count = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw CheckpointError.malformedGGUF(path: path, offset: start, reason: "\(what()) is not valid UTF-8")
        }
        offset += count
        return text
    }

    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws {
        try require(count, for: what())
        offset += count
    }
}
