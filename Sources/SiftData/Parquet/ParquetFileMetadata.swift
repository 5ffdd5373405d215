// The parts of Parquet's FileMetaData (the footer) this reader uses, decoded from Thrift Compact.
// Field ids follow parquet.thrift; fields not listed here are skipped.

/// One node of the flattened schema tree (depth-first, root first).
struct ParquetSchemaElement {
    var physicalTypeCode: Int32?
    var typeLength: Int32?
    var repetitionCode: Int32?
    var name = ""
    var numChildren: Int32?
    var convertedType: Int32?
    /// The union member id of the `logicalType` field (1 STRING, 4 ENUM, 12 JSON, …), if present.
    var logicalTypeID: Int16?

    /// BYTE_ARRAY holding UTF-8 text (STRING/ENUM/JSON annotations, or converted types UTF8/ENUM/JSON).
    var isText: Bool {
        if let logicalTypeID, [1, 4, 12].contains(logicalTypeID) { return true }
        if let convertedType, [0, 4, 19].contains(convertedType) { return true }
        return false
    }
}

/// ColumnMetaData: where a column chunk's pages are and how they are compressed.
struct ParquetColumnMetadata {
    var physicalTypeCode: Int32 = -1
    var encodings: [Int32] = []
    var pathInSchema: [String] = []
    var codecCode: Int32 = -1
    var numValues: Int64 = -1
    var totalCompressedSize: Int64 = -1
    var dataPageOffset: Int64 = -1
    var dictionaryPageOffset: Int64?
}

/// ColumnChunk: a column's data within one row group.
struct ParquetColumnChunk {
    var filePath: String?
    var metadata: ParquetColumnMetadata?
}

/// RowGroup: a horizontal slice of the table.
struct ParquetRowGroup {
    var columns: [ParquetColumnChunk] = []
    var numRows: Int64 = -1
}

/// FileMetaData: the footer.
struct ParquetFileMetadata {
    var version: Int32 = 0
    var schema: [ParquetSchemaElement] = []
    var numRows: Int64 = -1
    var rowGroups: [ParquetRowGroup] = []
    var keyValueMetadata: [(key: String, value: String?)] = []
    var createdBy: String?
    var sawSchema = false
    var sawRowGroups = false

    /// Decodes the footer; `ThriftDecodingFailure` on malformed input.
    static func decode(_ reader: inout ThriftCompactReader) throws -> ParquetFileMetadata {
        var metadata = ParquetFileMetadata()
        var sawNumRows = false
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "FileMetaData.version")
                metadata.version = try r.readI32()
            case 2:
                try r.expect(type, .list, field: "FileMetaData.schema")
                metadata.schema = try r.readList(of: .structure) { try decodeSchemaElement(&$0) }
                metadata.sawSchema = true
            case 3:
                try r.expect(type, .i64, field: "FileMetaData.num_rows")
                metadata.numRows = try r.readI64()
                sawNumRows = true
            case 4:
                try r.expect(type, .list, field: "FileMetaData.row_groups")
                metadata.rowGroups = try r.readList(of: .structure) { try decodeRowGroup(&$0) }
                metadata.sawRowGroups = true
            case 5:
                try r.expect(type, .list, field: "FileMetaData.key_value_metadata")
                metadata.keyValueMetadata = try r.readList(of: .structure) { try decodeKeyValue(&$0) }
            case 6:
                try r.expect(type, .binary, field: "FileMetaData.created_by")
                metadata.createdBy = try r.readString()
            default:
                try r.skip(type)
            }
        }
        guard metadata.sawSchema, sawNumRows, metadata.sawRowGroups else {
            throw reader.failure("FileMetaData lacks a required field (schema, num_rows or row_groups)")
        }
        return metadata
    }

    private static func decodeSchemaElement(_ reader: inout ThriftCompactReader) throws -> ParquetSchemaElement {
        var element = ParquetSchemaElement()
        var sawName = false
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "SchemaElement.type")
                element.physicalTypeCode = try r.readI32()
            case 2:
                try r.expect(type, .i32, field: "SchemaElement.type_length")
                element.typeLength = try r.readI32()
            case 3:
                try r.expect(type, .i32, field: "SchemaElement.repetition_type")
                element.repetitionCode = try r.readI32()
            case 4:
                try r.expect(type, .binary, field: "SchemaElement.name")
                element.name = try r.readString()
                sawName = true
            case 5:
                try r.expect(type, .i32, field: "SchemaElement.num_children")
                element.numChildren = try r.readI32()
            case 6:
                try r.expect(type, .i32, field: "SchemaElement.converted_type")
                element.convertedType = try r.readI32()
            case 10:
                try r.expect(type, .structure, field: "SchemaElement.logicalType")
                // LogicalType is a union: the id of its one set member says which annotation it is.
                try r.readStruct { inner, memberID, memberType in
                    element.logicalTypeID = memberID
                    try inner.skip(memberType)
                }
            default:
                try r.skip(type)
            }
        }
        guard sawName else { throw reader.failure("SchemaElement without a name") }
        return element
    }

    private static func decodeRowGroup(_ reader: inout ThriftCompactReader) throws -> ParquetRowGroup {
        var group = ParquetRowGroup()
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .list, field: "RowGroup.columns")
                group.columns = try r.readList(of: .structure) { try decodeColumnChunk(&$0) }
            case 3:
                try r.expect(type, .i64, field: "RowGroup.num_rows")
                group.numRows = try r.readI64()
            default:
                try r.skip(type)
            }
        }
        guard group.numRows >= 0 else { throw reader.failure("RowGroup without a valid num_rows (\(group.numRows))") }
        return group
    }

    private static func decodeColumnChunk(_ reader: inout ThriftCompactReader) throws -> ParquetColumnChunk {
        var chunk = ParquetColumnChunk()
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .binary, field: "ColumnChunk.file_path")
                chunk.filePath = try r.readString()
            case 3:
                try r.expect(type, .structure, field: "ColumnChunk.meta_data")
                chunk.metadata = try decodeColumnMetadata(&r)
            default:
                try r.skip(type)
            }
        }
        return chunk
    }

    private static func decodeColumnMetadata(_ reader: inout ThriftCompactReader) throws -> ParquetColumnMetadata {
        var column = ParquetColumnMetadata()
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "ColumnMetaData.type")
                column.physicalTypeCode = try r.readI32()
            case 2:
                try r.expect(type, .list, field: "ColumnMetaData.encodings")
                column.encodings = try r.readList(of: .i32) { try $0.readI32() }
            case 3:
                try r.expect(type, .list, field: "ColumnMetaData.path_in_schema")
                column.pathInSchema = try r.readList(of: .binary) { try $0.readString() }
            case 4:
                try r.expect(type, .i32, field: "ColumnMetaData.codec")
                column.codecCode = try r.readI32()
            case 5:
                try r.expect(type, .i64, field: "ColumnMetaData.num_values")
                column.numValues = try r.readI64()
            case 7:
                try r.expect(type, .i64, field: "ColumnMetaData.total_compressed_size")
                column.totalCompressedSize = try r.readI64()
            case 9:
                try r.expect(type, .i64, field: "ColumnMetaData.data_page_offset")
                column.dataPageOffset = try r.readI64()
            case 11:
                try r.expect(type, .i64, field: "ColumnMetaData.dictionary_page_offset")
                column.dictionaryPageOffset = try r.readI64()
            default:
                try r.skip(type)
            }
        }
        return column
    }

    private static func decodeKeyValue(_ reader: inout ThriftCompactReader) throws -> (key: String, value: String?) {
        var key: String?
        var value: String?
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .binary, field: "KeyValue.key")
                key = try r.readString()
            case 2:
                try r.expect(type, .binary, field: "KeyValue.value")
                value = try r.readString()
            default:
                try r.skip(type)
            }
        }
        guard let key else { throw reader.failure("KeyValue without a key") }
        return (key, value)
    }
}
