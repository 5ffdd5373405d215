// A Parquet file opened for reading: its footer is decoded and checked up front; columns are
// decoded on request. Layout: "PAR1", column chunks, FileMetaData (Thrift Compact), its 4-byte
// little-endian length, "PAR1".
import Foundation

/// A Parquet file (as written by pyarrow, Hugging Face `datasets`, Spark…) read into memory.
///
/// Supports columns (required, optional, inside structs, or lists of them) of BYTE_ARRAY (strings and
/// binary), INT32, INT64, FLOAT, DOUBLE, BOOLEAN and FIXED_LEN_BYTE_ARRAY; PLAIN, dictionary, DELTA_* and
/// BYTE_STREAM_SPLIT encodings; data pages v1 and v2; codecs UNCOMPRESSED, SNAPPY, GZIP and ZSTD; any
/// number of row groups and pages. Not supported: lists of lists, INT96, LZO/BROTLI/LZ4, encryption.
public struct ParquetFile: Sendable {
    /// Where the file came from (a path, or the name given to `init(bytes:name:)`), used in errors.
    public let path: String
    /// The leaf columns, in file order.
    public let schema: [ParquetColumnSchema]
    /// The number of rows.
    public let numRows: Int
    /// The number of row groups.
    public let rowGroupCount: Int
    /// The footer's key-value metadata (e.g. `huggingface`, `ARROW:schema`).
    public let keyValueMetadata: [String: String]
    /// The writer, e.g. "parquet-cpp-arrow version 18.0.0".
    public let createdBy: String?

    let bytes: [UInt8]
    let rowGroups: [ParquetRowGroup]

    private static let magic: [UInt8] = Array("PAR1".utf8)
    private static let encryptedMagic: [UInt8] = Array("PARE".utf8)

    /// Opens and reads the file at `url`; throws `ParquetError` if it cannot be read or is not valid Parquet.
    public init(url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ParquetError.cannotRead(path: url.path, reason: error.localizedDescription)
        }
        try self.init(bytes: [UInt8](data), name: url.path)
    }

    /// Reads a Parquet file held in memory; `name` appears in error messages.
    public init(bytes: [UInt8], name: String) throws {
        path = name
        self.bytes = bytes
        let count = bytes.count
        if count < 4 || Array(bytes[0..<4]) != Self.magic {
            let start = bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw ParquetError.notParquet(path: name, detail: "it starts with bytes [\(start)] instead of \"PAR1\"")
        }
        guard count >= 12 else {
            throw ParquetError.truncated(path: name, detail: "it has only \(count) bytes; the smallest Parquet file has 12")
        }
        let tail = Array(bytes[(count - 4)..<count])
        if tail == Self.encryptedMagic {
            throw ParquetError.unsupported(path: name, column: nil, feature: "an encrypted footer (PARE)")
        }
        guard tail == Self.magic else {
            throw ParquetError.truncated(
                path: name, detail: "it starts with \"PAR1\" but does not end with it (\(count) bytes)")
        }
        var footerLength = 0
        for index in 0..<4 { footerLength |= Int(bytes[count - 8 + index]) << (8 * index) }
        guard footerLength <= count - 12 else {
            throw ParquetError.truncated(
                path: name, detail: "its footer claims \(footerLength) bytes but the file has only \(count) bytes")
        }
        let footerStart = count - 8 - footerLength
        var reader = ThriftCompactReader(bytes: bytes, start: footerStart, end: count - 8)
        let metadata: ParquetFileMetadata
        do {
            metadata = try ParquetFileMetadata.decode(&reader)
        } catch let failure as ThriftDecodingFailure {
            throw ParquetError.corruptMetadata(path: name, byteOffset: failure.byteOffset, detail: failure.detail)
        }
        do {
            schema = try ParquetColumnSchema.leaves(of: metadata.schema)
        } catch let failure as ParquetDecodingFailure {
            throw ParquetError.corruptMetadata(path: name, byteOffset: footerStart, detail: failure.detail)
        }
        rowGroups = metadata.rowGroups
        rowGroupCount = rowGroups.count
        var total: Int64 = 0
        for (groupIndex, group) in rowGroups.enumerated() {
            let (sum, overflow) = total.addingReportingOverflow(group.numRows)
            guard !overflow else {
                throw ParquetError.corruptMetadata(path: name, byteOffset: footerStart, detail: "row counts overflow")
            }
            total = sum
            guard group.columns.count == schema.count else {
                throw ParquetError.corruptMetadata(
                    path: name, byteOffset: footerStart,
                    detail: "row group \(groupIndex) has \(group.columns.count) column chunks but the schema has \(schema.count) columns")
            }
            for (chunk, column) in zip(group.columns, schema) {
                if let external = chunk.filePath {
                    throw ParquetError.unsupported(
                        path: name, column: column.name, feature: "column data stored in another file (\(external))")
                }
                guard chunk.metadata != nil else {
                    throw ParquetError.corruptMetadata(
                        path: name, byteOffset: footerStart,
                        detail: "row group \(groupIndex), column '\(column.name)' has no column metadata")
                }
            }
        }
        guard metadata.numRows == total else {
            throw ParquetError.corruptMetadata(
                path: name, byteOffset: footerStart,
                detail: "the file claims \(metadata.numRows) rows but its row groups hold \(total)")
        }
        numRows = Int(total)
        var keyValues: [String: String] = [:]
        for entry in metadata.keyValueMetadata { keyValues[entry.key] = entry.value ?? "" }
        keyValueMetadata = keyValues
        createdBy = metadata.createdBy
    }

    /// The names of the columns, in file order.
    public var columnNames: [String] { schema.map(\.name) }

    /// The schema entry of the column `name`; `ParquetError.unknownColumn` (listing the columns) if absent.
    public func column(named name: String) throws -> ParquetColumnSchema {
        guard let column = schema.first(where: { $0.name == name }) else {
            throw ParquetError.unknownColumn(path: path, name: name, available: columnNames)
        }
        return column
    }

    /// Reads every row of the column `name`: its values, or for a repeated column one list per row.
    public func readColumn(_ name: String) throws -> ParquetColumn {
        let column = try column(named: name)
        switch column.type {
        case .string: return try readColumn(column, as: String.self)
        case .binary: return try readColumn(column, as: [UInt8].self)
        case .int32: return try readColumn(column, as: Int32.self)
        case .int64: return try readColumn(column, as: Int64.self)
        case .float: return try readColumn(column, as: Float.self)
        case .double: return try readColumn(column, as: Double.self)
        case .boolean: return try readColumn(column, as: Bool.self)
        case .int96:
            throw ParquetError.unsupported(path: path, column: name, feature: "the deprecated INT96 type")
        }
    }

    /// Reads the listed columns (all by default) and returns one dictionary per row, keyed by column name.
    public func rows(columns names: [String]? = nil) throws -> [[String: ParquetValue]] {
        let selected = names ?? columnNames
        let columns = try selected.map { try readColumn($0) }
        var rows = [[String: ParquetValue]]()
        rows.reserveCapacity(numRows)
        for index in 0..<numRows {
            var row = [String: ParquetValue](minimumCapacity: selected.count)
            for (name, column) in zip(selected, columns) { row[name] = column[index] }
            rows.append(row)
        }
        return rows
    }

    /// What each row group's chunk of the column holds, page by page (for tests and diagnostics).
    func pageSummaries(column name: String) throws -> [[ParquetPageSummary]] {
        let column = try column(named: name)
        switch column.type {
        case .string: return try pageSummaries(column, as: String.self)
        case .binary: return try pageSummaries(column, as: [UInt8].self)
        case .int32: return try pageSummaries(column, as: Int32.self)
        case .int64: return try pageSummaries(column, as: Int64.self)
        case .float: return try pageSummaries(column, as: Float.self)
        case .double: return try pageSummaries(column, as: Double.self)
        case .boolean: return try pageSummaries(column, as: Bool.self)
        case .int96: throw ParquetError.unsupported(path: path, column: name, feature: "the deprecated INT96 type")
        }
    }

    private func pageSummaries<Value: ParquetStoredValue>(
        _ column: ParquetColumnSchema, as _: Value.Type
    ) throws -> [[ParquetPageSummary]] {
        try rowGroups.indices.map { groupIndex in
            let reader = try chunkReader(column: column, rowGroup: groupIndex)
            if column.isRepeated {
                var lists: [[Value?]?] = []
                return try reader.readLists(into: &lists)
            }
            var values: [Value?] = []
            return try reader.read(into: &values)
        }
    }

    private func readColumn<Value: ParquetStoredValue>(
        _ column: ParquetColumnSchema, as _: Value.Type
    ) throws -> ParquetColumn {
        if column.isRepeated {
            var lists = [[Value?]?]()
            lists.reserveCapacity(numRows)
            for groupIndex in rowGroups.indices {
                try chunkReader(column: column, rowGroup: groupIndex).readLists(into: &lists)
            }
            return .lists(lists.map { $0.map(Value.makeColumn) })
        }
        var values = [Value?]()
        values.reserveCapacity(numRows)
        for groupIndex in rowGroups.indices {
            try chunkReader(column: column, rowGroup: groupIndex).read(into: &values)
        }
        return Value.makeColumn(values)
    }

    private func chunkReader(column: ParquetColumnSchema, rowGroup groupIndex: Int) throws -> ParquetColumnChunkReader {
        if column.maxRepetitionLevel > 1 {
            throw ParquetError.unsupported(path: path, column: column.name, feature: "lists of lists")
        }
        let group = rowGroups[groupIndex]
        guard let metadata = group.columns[column.leafIndex].metadata else {
            throw ParquetError.corruptMetadata(
                path: path, byteOffset: 0, detail: "row group \(groupIndex), column '\(column.name)' has no metadata")
        }
        guard let codec = ParquetCompressionCodec(rawValue: metadata.codecCode) else {
            throw ParquetError.corruptMetadata(
                path: path, byteOffset: 0,
                detail: "row group \(groupIndex), column '\(column.name)' has unknown compression codec \(metadata.codecCode)")
        }
        guard codec.isSupported else {
            throw ParquetError.unsupported(path: path, column: column.name, feature: "the \(codec) compression codec")
        }
        guard metadata.physicalTypeCode == column.physicalType.rawValue else {
            throw ParquetError.corruptMetadata(
                path: path, byteOffset: 0,
                detail: "row group \(groupIndex), column '\(column.name)': chunk type \(metadata.physicalTypeCode) "
                    + "differs from the schema's \(column.physicalType)")
        }
        guard column.isRepeated ? metadata.numValues >= 0 : metadata.numValues == group.numRows else {
            throw ParquetError.corruptMetadata(
                path: path, byteOffset: 0,
                detail: "row group \(groupIndex), column '\(column.name)' holds \(metadata.numValues) values "
                    + "for \(group.numRows) rows")
        }
        return ParquetColumnChunkReader(
            file: bytes, path: path, column: column, metadata: metadata, codec: codec, rowGroup: groupIndex,
            expectedRows: Int(group.numRows))
    }
}
