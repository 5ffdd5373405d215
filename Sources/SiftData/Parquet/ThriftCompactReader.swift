// A decoder for the Thrift Compact Protocol, the encoding of Parquet's footer and page headers.
// Every length and count is checked against the bytes that remain, so a corrupt file gives an
// error rather than a crash, a huge allocation or a hang.

/// Wire types of the Thrift Compact Protocol.
enum ThriftCompactType: UInt8 {
    case stop = 0
    case booleanTrue = 1
    case booleanFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12

    var name: String {
        switch self {
        case .stop: return "stop"
        case .booleanTrue, .booleanFalse: return "bool"
        case .byte: return "byte"
        case .i16: return "i16"
        case .i32: return "i32"
        case .i64: return "i64"
        case .double: return "double"
        case .binary: return "binary"
        case .list: return "list"
        case .set: return "set"
        case .map: return "map"
        case .structure: return "struct"
        }
    }
}

/// A malformed Thrift structure, at an absolute byte offset of the file.
struct ThriftDecodingFailure: Error {
    let byteOffset: Int
    let detail: String
}

/// Reads Thrift Compact Protocol values from `bytes[position..<end]`.
struct ThriftCompactReader {
    /// Nesting limit for structs, lists and maps; deeper input is rejected instead of overflowing the stack.
    static let maximumDepth = 64

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    private var depth = 0

    init(bytes: [UInt8], start: Int, end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    var remaining: Int { end - position }

    func failure(_ detail: String) -> ThriftDecodingFailure {
        ThriftDecodingFailure(byteOffset: position, detail: detail)
    }

    mutating func readByte() throws -> UInt8 {
        guard position < end else { throw failure("unexpected end of data") }
        let byte = bytes[position]
        position += 1
        return byte
    }

    /// An unsigned LEB128 varint of at most 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw failure("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw failure("varint longer than 10 bytes") }
        }
    }

    mutating func readI64() throws -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))  // zigzag
    }

    mutating func readI32() throws -> Int32 {
        let start = position
        let value = try readI64()
        guard let narrow = Int32(exactly: value) else {
            throw ThriftDecodingFailure(byteOffset: start, detail: "i32 value \(value) out of range")
        }
        return narrow
    }

    mutating func readI16() throws -> Int16 {
        let start = position
        let value = try readI64()
        guard let narrow = Int16(exactly: value) else {
            throw ThriftDecodingFailure(byteOffset: start, detail: "i16 value \(value) out of range")
        }
        return narrow
    }

    mutating func readDouble() throws -> Double {
        guard remaining >= 8 else { throw failure("double needs 8 bytes, \(remaining) left") }
        var raw: UInt64 = 0
        for index in 0..<8 { raw |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += 8
        return Double(bitPattern: raw)
    }

    /// A length-prefixed byte string.
    mutating func readBinary() throws -> ArraySlice<UInt8> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw ThriftDecodingFailure(
                byteOffset: start, detail: "binary of \(length) bytes but only \(remaining) bytes left")
        }
        let count = Int(length)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// A UTF-8 string; invalid UTF-8 is an error, not silently repaired.
    mutating func readString() throws -> String {
        let start = position
        let raw = try readBinary()
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw ThriftDecodingFailure(byteOffset: start, detail: "string is not valid UTF-8")
        }
        return string
    }

    /// A list or set header: element count and element type.
    mutating func readListHeader() throws -> (count: Int, elementType: ThriftCompactType) {
        let start = position
        let header = try readByte()
        let elementType = try compactType(header & 0x0F, at: start)
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        // Every element takes at least one byte, so a larger count cannot be real.
        guard count <= UInt64(remaining) else {
            throw ThriftDecodingFailure(
                byteOffset: start, detail: "list of \(count) elements but only \(remaining) bytes left")
        }
        return (Int(count), elementType)
    }

    /// Reads a list whose elements `element` decodes, checking the element wire type.
    mutating func readList<Element>(
        of expected: ThriftCompactType, _ element: (inout ThriftCompactReader) throws -> Element
    ) throws -> [Element] {
        let start = position
        let (count, elementType) = try readListHeader()
        guard elementType == expected || (expected == .booleanTrue && elementType == .booleanFalse) else {
            throw ThriftDecodingFailure(
                byteOffset: start, detail: "list of \(elementType.name) where a list of \(expected.name) was expected")
        }
        try enter()
        defer { depth -= 1 }
        var result: [Element] = []
        result.reserveCapacity(min(count, 1024))  // a corrupt count fails on the bytes, not on a huge reservation
        for _ in 0..<count { result.append(try element(&self)) }
        return result
    }

    /// Reads a struct: calls `field` with each field id and wire type; `field` must consume the value
    /// (or call `skip`). Stops at the struct's stop byte.
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, ThriftCompactType) throws -> Void) throws {
        try enter()
        defer { depth -= 1 }
        var lastFieldID: Int16 = 0
        while true {
            let start = position
            let header = try readByte()
            if header == 0 { return }
            let type = try compactType(header & 0x0F, at: start)
            let delta = Int16(header >> 4)
            let fieldID: Int16
            if delta == 0 {
                fieldID = try readI16()
            } else {
                let (sum, overflow) = lastFieldID.addingReportingOverflow(delta)
                guard !overflow else { throw ThriftDecodingFailure(byteOffset: start, detail: "field id overflows") }
                fieldID = sum
            }
            lastFieldID = fieldID
            try field(&self, fieldID, type)
        }
    }

    /// Skips one value of the given wire type (for fields this reader does not use).
    mutating func skip(_ type: ThriftCompactType) throws {
        switch type {
        case .stop:
            throw failure("unexpected stop type")
        case .booleanTrue, .booleanFalse:
            return  // a struct field's boolean lives in its type nibble
        case .byte:
            _ = try readByte()
        case .i16, .i32, .i64:
            _ = try readVarint()
        case .double:
            _ = try readDouble()
        case .binary:
            _ = try readBinary()
        case .list, .set:
            let (count, elementType) = try readListHeader()
            try enter()
            defer { depth -= 1 }
            for _ in 0..<count { try skipElement(elementType) }
        case .map:
            let start = position
            let count = try readVarint()
            guard count > 0 else { return }
            guard count <= UInt64(remaining) else {
                throw ThriftDecodingFailure(
                    byteOffset: start, detail: "map of \(count) entries but only \(remaining) bytes left")
            }
            let types = try readByte()
            let keyType = try compactType(types >> 4, at: position - 1)
            let valueType = try compactType(types & 0x0F, at: position - 1)
            try enter()
            defer { depth -= 1 }
            for _ in 0..<Int(count) {
                try skipElement(keyType)
                try skipElement(valueType)
            }
        case .structure:
            try readStruct { reader, _, fieldType in try reader.skip(fieldType) }
        }
    }

    /// Reads a boolean field value from its type nibble.
    func boolean(from type: ThriftCompactType) throws -> Bool {
        switch type {
        case .booleanTrue: return true
        case .booleanFalse: return false
        default: throw failure("field of type \(type.name) where a bool was expected")
        }
    }

    /// Throws unless the field's wire type is the expected one.
    func expect(_ type: ThriftCompactType, _ expected: ThriftCompactType, field: String) throws {
        guard type == expected else {
            throw failure("field '\(field)' has wire type \(type.name), expected \(expected.name)")
        }
    }

    /// In lists and maps a boolean takes one byte.
    private mutating func skipElement(_ type: ThriftCompactType) throws {
        if type == .booleanTrue || type == .booleanFalse {
            _ = try readByte()
        } else {
            try skip(type)
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private func compactType(_ nibble: UInt8, at offset: Int) throws -> ThriftCompactType {
        guard let type = ThriftCompactType(rawValue: nibble) else {
            throw ThriftDecodingFailure(byteOffset: offset, detail: "unknown Thrift compact type \(nibble)")
        }
        return type
    }
}
