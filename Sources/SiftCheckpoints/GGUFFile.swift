// Reading a GGUF (v2/v3) file through a memory map: header, metadata, tensor infos, data section.
//
// Layout (little-endian): "GGUF", u32 version, u64 tensor count, u64 metadata count, the key/values,
// the tensor infos (name, u32 n_dims, u64 dims[n_dims], u32 type, u64 offset), padding to
// `general.alignment` (default 32), then the data. Counts and lengths are checked against the bytes
// left before anything is allocated, so a lying header throws instead of allocating or hanging.
import struct Foundation.URL
import SiftTensor

/// A GGUF file, mapped read-only, with parsed metadata and validated tensor infos.
public final class GGUFFile: @unchecked Sendable {
    /// The file path.
    public let path: String
    /// The format version (2 or 3).
    public let version: Int
    /// The metadata key/values.
    public let metadata: GGUFMetadata
    /// The tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// Data alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// Absolute file offset of the data section.
    public let dataOffset: Int

    private let file: MappedFile
    private let tensorIndex: [String: Int]

    /// Nesting limit for metadata arrays of arrays (real files use 1 level).
    static let maximumArrayDepth = 8

    /// Opens and validates `path`.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        var cursor = ByteCursor(bytes: file.bytes, path: path)
        let magic = try cursor.read(UInt32.self, "the GGUF magic")
        guard magic == 0x4655_4747 else {  // "GGUF" read little-endian
            throw CheckpointError.malformedGGUF(path: path, offset: 0, reason: "the file does not start with the magic 'GGUF' (not a GGUF file)")
        }
        let rawVersion = try cursor.read(UInt32.self, "the GGUF version")
        guard rawVersion == 2 || rawVersion == 3 else {
            let hint = rawVersion.byteSwapped == 2 || rawVersion.byteSwapped == 3
                ? "a big-endian GGUF, which is not supported" : rawVersion == 1 ? "GGUF v1, which is obsolete: re-convert the model" : "unknown"
            throw CheckpointError.malformedGGUF(path: path, offset: 4, reason: "version \(rawVersion) is \(hint); versions 2 and 3 are read")
        }
        version = Int(rawVersion)
        let tensorCount = try cursor.read(UInt64.self, "the tensor count")
        let metadataCount = try cursor.read(UInt64.self, "the metadata count")
        // Each key/value takes at least 13 bytes and each tensor info at least 32.
        try GGUFFile.checkCount(metadataCount, minimumSize: 13, cursor: cursor, what: "metadata key/values")
        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(metadataCount))
        for index in 0..<Int(metadataCount) {
            let keyOffset = cursor.offset
            let key = try cursor.readString("metadata key #\(index)")
            let type = try GGUFFile.readType(&cursor, what: "type of metadata '\(key)'")
            let value = try GGUFFile.readValue(type, &cursor, key: key, depth: 0)
            guard values[key] == nil else {
                throw CheckpointError.malformedGGUF(path: path, offset: keyOffset, reason: "metadata key '\(key)' appears twice")
            }
            keys.append(key)
            values[key] = value
        }
        metadata = GGUFMetadata(keys: keys, values: values, path: path)

        var alignment = 32
        if let value = values["general.alignment"] {
            guard let declared = value.intValue, declared > 0, declared & (declared - 1) == 0 else {
                throw CheckpointError.malformedGGUF(path: path, offset: 0, reason: "general.alignment is \(value), not a positive power of two")
            }
            alignment = declared
        }
        self.alignment = alignment

        try GGUFFile.checkCount(tensorCount, minimumSize: 32, cursor: cursor, what: "tensor infos")
        var pending: [(name: String, dimensions: [Int], type: GGMLType, offset: Int, infoOffset: Int)] = []
        pending.reserveCapacity(Int(tensorCount))
        for index in 0..<Int(tensorCount) {
            let infoOffset = cursor.offset
            let name = try cursor.readString("name of tensor #\(index)")
            let dimensionCount = try cursor.read(UInt32.self, "dimension count of '\(name)'")
            guard (1...4).contains(dimensionCount) else {
                throw CheckpointError.malformedGGUF(path: path, offset: infoOffset, reason: "tensor '\(name)' has \(dimensionCount) dimensions (1 to 4 allowed)")
            }
            var dimensions: [Int] = []
            for axis in 0..<Int(dimensionCount) {
                let size = try cursor.read(UInt64.self, "dimension \(axis) of '\(name)'")
                guard size <= UInt64(Int.max) else {
                    throw CheckpointError.malformedGGUF(path: path, offset: infoOffset, reason: "tensor '\(name)' dimension \(axis) is \(size), too large")
                }
                dimensions.append(Int(size))
            }
            let typeOffset = cursor.offset
            let rawType = try cursor.read(UInt32.self, "type of '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw CheckpointError.malformedGGUF(path: path, offset: typeOffset, reason: "tensor '\(name)' has unknown ggml type \(rawType)")
            }
            let offset = try cursor.read(UInt64.self, "data offset of '\(name)'")
            guard offset <= UInt64(file.count) else {
                throw CheckpointError.malformedGGUF(path: path, offset: typeOffset + 4, reason: "tensor '\(name)' data offset \(offset) is past the end of the file (\(file.count) bytes)")
            }
            pending.append((name, dimensions, type, Int(offset), infoOffset))
        }
        let headerEnd = cursor.offset
        dataOffset = (headerEnd + alignment - 1) / alignment * alignment

        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for item in pending {
            func bad(_ reason: String) -> CheckpointError {
                .malformedGGUF(path: path, offset: item.infoOffset, reason: "tensor '\(item.name)': \(reason)")
            }
            guard index[item.name] == nil else { throw bad("the name appears twice") }
            var elementCount = 1
            for size in item.dimensions {
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
                guard !overflow else { throw bad("dimensions \(item.dimensions) overflow") }
                elementCount = product
            }
            guard item.dimensions[0] % item.type.blockSize == 0 else {
                throw bad("row length \(item.dimensions[0]) is not a multiple of the \(item.type.name) block size \(item.type.blockSize)")
            }
            let (byteCount, overflow) = (elementCount / item.type.blockSize).multipliedReportingOverflow(by: item.type.blockBytes)
            guard !overflow else { throw bad("byte size overflows") }
            guard item.offset % alignment == 0 else { throw bad("data offset \(item.offset) is not a multiple of the alignment \(alignment)") }
            let start = dataOffset + item.offset
            guard start <= file.count, byteCount <= file.count - start else {
                throw CheckpointError.truncated(path: path, what: "data of tensor '\(item.name)' (\(item.type.name) \(item.dimensions))",
                                                offset: start, needed: byteCount, fileSize: file.count)
            }
            index[item.name] = infos.count
            infos.append(GGUFTensorInfo(name: item.name, dimensions: item.dimensions, type: item.type,
                                        relativeOffset: item.offset, fileOffsets: start..<(start + byteCount)))
        }
        let byStart = infos.filter { !$0.fileOffsets.isEmpty }.sorted { $0.fileOffsets.lowerBound < $1.fileOffsets.lowerBound }
        for (previous, next) in zip(byStart, byStart.dropFirst()) where next.fileOffsets.lowerBound < previous.fileOffsets.upperBound {
            throw CheckpointError.malformedGGUF(path: path, offset: next.fileOffsets.lowerBound,
                                                reason: "the data of tensors '\(previous.name)' and '\(next.name)' overlap")
        }
        tensors = infos
        tensorIndex = index
    }

    /// Opens a file URL.
    public convenience init(url: URL) throws { try self.init(path: url.path) }

    /// The file size in bytes.
    public var fileSize: Int { file.count }

    /// The info of the tensor called `name` (GGUF name).
    public func tensorInfo(_ name: String) throws -> GGUFTensorInfo {
        guard let position = tensorIndex[name] else {
            throw CheckpointError.tensorNotFound(name: name, path: path, available: tensors.count)
        }
        return tensors[position]
    }

    /// Whether the file holds a tensor with this GGUF name.
    public func contains(_ name: String) -> Bool { tensorIndex[name] != nil }

    /// Dequantises the tensor `name` (GGUF name) to f32, in the row-major shape `[ne[n-1], …, ne[0]]`.
    /// No row permutation is applied (see ``GGUFHuggingFaceWeights`` for Hugging Face layout).
    public func dequantize(_ name: String) throws -> Tensor {
        let info = try tensorInfo(name)
        guard info.type.canDequantize else {
            throw CheckpointError.unsupportedType(name: name, type: info.type.name, path: path,
                                                  wanted: "f32 (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)")
        }
        let storage = TensorStorage(uninitializedCount: info.elementCount)
        if let base = file.bytes.baseAddress, info.elementCount > 0 {
            try GGUFDequantizer.dequantize(info.type, source: base + info.fileOffsets.lowerBound, count: info.elementCount, into: storage.pointer)
        }
        return try Tensor(shape: info.shape, storage: storage, name: name)
    }

    /// Calls `body` with the tensor's stored bytes (ggml blocks), without copying.
    public func withRawBytes<Result>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let info = try tensorInfo(name)
        return try body(UnsafeRawBufferPointer(rebasing: file.bytes[info.fileOffsets]))
    }

    // MARK: - Parsing helpers

    private static func checkCount(_ count: UInt64, minimumSize: Int, cursor: ByteCursor, what: String) throws {
        let (needed, overflow) = count.multipliedReportingOverflow(by: UInt64(minimumSize))
        guard !overflow, needed <= UInt64(cursor.remaining) else {
            throw CheckpointError.malformedGGUF(
                path: cursor.path, offset: cursor.offset,
                reason: "the header claims \(count) \(what), more than the \(cursor.remaining) remaining bytes can hold (corrupt or truncated file)")
        }
    }

    private static func readType(_ cursor: inout ByteCursor, what: String) throws -> GGUFValueType {
        let offset = cursor.offset
        let raw = try cursor.read(UInt32.self, what)
        guard let type = GGUFValueType(rawValue: raw) else {
            throw CheckpointError.malformedGGUF(path: cursor.path, offset: offset, reason: "\(what) is \(raw), not a GGUF value type (0–12)")
        }
        return type
    }

    private static func readValue(_ type: GGUFValueType, _ cursor: inout ByteCursor, key: String, depth: Int) throws -> GGUFValue {
        func what() -> String { "value of '\(key)'" }  // built only for an error message
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, what()))
        case .int8: return .int8(try cursor.read(Int8.self, what()))
        case .uint16: return .uint16(try cursor.read(UInt16.self, what()))
        case .int16: return .int16(try cursor.read(Int16.self, what()))
        case .uint32: return .uint32(try cursor.read(UInt32.self, what()))
        case .int32: return .int32(try cursor.read(Int32.self, what()))
        case .uint64: return .uint64(try cursor.read(UInt64.self, what()))
        case .int64: return .int64(try cursor.read(Int64.self, what()))
        case .float32: return .float32(try cursor.readFloat(what()))
        case .float64: return .float64(try cursor.readDouble(what()))
        case .bool:
            let offset = cursor.offset
            let byte = try cursor.read(UInt8.self, what())
            guard byte <= 1 else {
                throw CheckpointError.malformedGGUF(path: cursor.path, offset: offset, reason: "boolean \(what()) is \(byte), not 0 or 1")
            }
            return .bool(byte == 1)
        case .string: return .string(try cursor.readString(what()))
        case .array:
            guard depth < maximumArrayDepth else {
                throw CheckpointError.malformedGGUF(path: cursor.path, offset: cursor.offset, reason: "arrays in '\(key)' nest deeper than \(maximumArrayDepth) levels")
            }
            let elementType = try readType(&cursor, what: "element type of array '\(key)'")
            let count = try cursor.read(UInt64.self, "element count of array '\(key)'")
            try checkCount(count, minimumSize: elementType.minimumEncodedSize, cursor: cursor, what: "elements in array '\(key)'")
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                elements.append(try readValue(elementType, &cursor, key: key, depth: depth + 1))
            }
            return .array(elementType: elementType, values: elements)
        }
    }
}
