// Reading one `.safetensors` file through a memory map.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON (an object mapping tensor names to
// {dtype, shape, data_offsets} plus an optional "__metadata__" object of strings), then the data
// section. Every rule is checked up front so later reads cannot go out of bounds.
import struct Foundation.URL
import SiftTensor

/// A safetensors file, mapped read-only, with its validated header.
public final class SafetensorsFile: TensorSource, @unchecked Sendable {
    /// The file path.
    public let path: String
    /// The `__metadata__` dictionary (empty if absent), e.g. `["format": "pt"]`.
    public let metadata: [String: String]
    /// The tensors, sorted by name.
    public let entries: [SafetensorsEntry]
    /// Absolute file offset where the data section starts (8 + header length).
    public let dataStart: Int

    private let file: MappedFile
    private let entryIndex: [String: Int]

    /// Opens and validates `path`. Throws a ``CheckpointError`` that names the problem for
    /// truncated files, bad JSON, missing fields, unknown dtypes and inconsistent offsets.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw CheckpointError.truncated(path: path, what: "the 8-byte header length", offset: 0, needed: 8, fileSize: bytes.count)
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw CheckpointError.truncated(
                path: path, what: "the JSON header (claimed length \(headerLength))", offset: 8,
                needed: headerLength > UInt64(Int.max) ? Int.max : Int(headerLength), fileSize: bytes.count)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + Int(headerLength))])
        dataStart = 8 + Int(headerLength)
        let header = try JSONParser.parse(headerBytes, path: path)
        let parsed = try SafetensorsFile.validate(header: header, dataSize: bytes.count - dataStart, dataStart: dataStart, path: path)
        metadata = parsed.metadata
        entries = parsed.entries
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() { index[entry.name] = position }
        entryIndex = index
    }

    /// Opens a file URL.
    public convenience init(url: URL) throws { try self.init(path: url.path) }

    public var tensorNames: [String] { entries.map(\.name) }

    /// The header entry of `name`.
    public func entry(_ name: String) throws -> SafetensorsEntry {
        guard let position = entryIndex[name] else {
            throw CheckpointError.tensorNotFound(name: name, path: path, available: entries.count)
        }
        return entries[position]
    }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { entryIndex[name] != nil }

    public func shape(of name: String) throws -> [Int] { try entry(name).shape }

    /// Reads a floating-point tensor (F32, F16, BF16 or F64) as an f32 tensor named `name`.
    public func tensor(_ name: String) throws -> Tensor {
        let entry = try entry(name)
        guard entry.dtype.isFloatingPoint else {
            throw CheckpointError.unsupportedType(name: name, type: entry.dtype.rawValue, path: path, wanted: "f32 (use integers(_:))")
        }
        let storage = TensorStorage(uninitializedCount: entry.elementCount)
        if let base = file.bytes.baseAddress, entry.elementCount > 0 {
            ElementConversion.widenToFloat(entry.dtype, source: base + entry.fileOffsets.lowerBound, count: entry.elementCount, into: storage.pointer)
        }
        return try Tensor(shape: entry.shape, storage: storage, name: name)
    }

    public func loadTensor(_ name: String) throws -> Tensor { try tensor(name) }

    /// Reads an integer or boolean tensor (I64, I32, I16, I8, U64, U32, U16, U8, BOOL) as row-major `[Int]`.
    public func integers(_ name: String) throws -> [Int] {
        let entry = try entry(name)
        guard entry.dtype.isInteger else {
            throw CheckpointError.unsupportedType(name: name, type: entry.dtype.rawValue, path: path, wanted: "integers (use tensor(_:))")
        }
        guard entry.elementCount > 0, let base = file.bytes.baseAddress else { return [] }
        guard let values = ElementConversion.integers(entry.dtype, source: base + entry.fileOffsets.lowerBound, count: entry.elementCount) else {
            throw CheckpointError.unsupportedType(name: name, type: "U64 values above Int.max", path: path, wanted: "Int")
        }
        return values
    }

    /// Calls `body` with the tensor's stored bytes (little-endian, in the file's dtype), without copying.
    /// The pointer is valid only inside `body`.
    public func withRawBytes<Result>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let entry = try entry(name)
        return try body(UnsafeRawBufferPointer(rebasing: file.bytes[entry.fileOffsets]))
    }

    // MARK: - Header validation

    private static func validate(
        header: JSONValue, dataSize: Int, dataStart: Int, path: String
    ) throws -> (metadata: [String: String], entries: [SafetensorsEntry]) {
        guard case let .object(object) = header else {
            throw CheckpointError.malformedSafetensors(path: path, reason: "the header is \(header.kindName), not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for key in object.keys {
            guard let value = object[key] else { continue }
            if key == "__metadata__" {
                guard case let .object(fields) = value else {
                    throw CheckpointError.malformedSafetensors(path: path, reason: "__metadata__ is \(value.kindName), not an object of strings")
                }
                for field in fields.keys {
                    guard let text = fields[field]?.stringValue else {
                        throw CheckpointError.malformedSafetensors(path: path, reason: "__metadata__[\"\(field)\"] is not a string")
                    }
                    metadata[field] = text
                }
                continue
            }
            entries.append(try entry(named: key, value, dataSize: dataSize, dataStart: dataStart, path: path))
        }
        // No two tensors may share bytes (empty tensors occupy nothing).
        let byOffset = entries.filter { !$0.dataOffsets.isEmpty }.sorted { $0.dataOffsets.lowerBound < $1.dataOffsets.lowerBound }
        for (previous, next) in zip(byOffset, byOffset.dropFirst()) where next.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
            throw CheckpointError.malformedSafetensors(
                path: path,
                reason: "tensors '\(previous.name)' (bytes \(previous.dataOffsets)) and '\(next.name)' (bytes \(next.dataOffsets)) overlap")
        }
        return (metadata, entries.sorted { $0.name < $1.name })
    }

    private static func entry(named name: String, _ value: JSONValue, dataSize: Int, dataStart: Int, path: String) throws -> SafetensorsEntry {
        func bad(_ reason: String) -> CheckpointError {
            .malformedSafetensors(path: path, reason: "tensor '\(name)': \(reason)")
        }
        guard case let .object(fields) = value else { throw bad("its entry is \(value.kindName), not an object") }
        guard let dtypeValue = fields["dtype"] else { throw bad("missing \"dtype\"") }
        guard let dtypeName = dtypeValue.stringValue else { throw bad("\"dtype\" is \(dtypeValue.kindName), not a string") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw bad("unknown dtype \"\(dtypeName)\" (known: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let shapeValue = fields["shape"] else { throw bad("missing \"shape\"") }
        guard case let .array(dimensions) = shapeValue else { throw bad("\"shape\" is \(shapeValue.kindName), not an array") }
        var shape: [Int] = []
        var elementCount = 1
        for dimension in dimensions {
            guard let size = dimension.nonNegativeInt else { throw bad("shape \(dimensions) has an entry that is not a non-negative integer") }
            shape.append(size)
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw bad("shape \(shape) has too many elements") }
            elementCount = product
        }
        guard let offsetsValue = fields["data_offsets"] else { throw bad("missing \"data_offsets\"") }
        guard case let .array(offsets) = offsetsValue, offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt
        else { throw bad("\"data_offsets\" must be [begin, end] with non-negative integers") }
        guard begin <= end else { throw bad("data_offsets [\(begin), \(end)] end before they begin") }
        guard end <= dataSize else {
            throw bad("data_offsets [\(begin), \(end)] reach past the data section, which has \(dataSize) bytes (file truncated?)")
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteCount == end - begin else {
            throw bad("shape \(shape) of \(dtype.rawValue) needs \(elementCount) × \(dtype.byteSize) bytes but data_offsets span \(end - begin)")
        }
        return SafetensorsEntry(
            name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end,
            fileOffsets: (dataStart + begin)..<(dataStart + end))
    }
}
