// PageHeader (parquet.thrift): what precedes every page in a column chunk.

/// A decoded page header; only the sub-header matching `typeCode` is meaningful.
struct ParquetPageHeader {
    var typeCode: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    /// DataPageHeader (v1) or DataPageHeaderV2 or DictionaryPageHeader: number of values (nulls included).
    var numValues: Int32 = -1
    /// DataPageHeaderV2 only.
    var numNulls: Int32 = 0
    var encoding = ParquetEncoding(rawValue: -1)
    /// DataPageHeader (v1) only.
    var definitionLevelEncoding = ParquetEncoding.rle
    var repetitionLevelEncoding = ParquetEncoding.rle
    /// DataPageHeaderV2 only.
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true
    var sawSubHeader = false

    var type: ParquetPageType? { ParquetPageType(rawValue: typeCode) }

    /// Decodes a page header; `ThriftDecodingFailure` on malformed input.
    static func decode(_ reader: inout ThriftCompactReader) throws -> ParquetPageHeader {
        var header = ParquetPageHeader()
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "PageHeader.type")
                header.typeCode = try r.readI32()
            case 2:
                try r.expect(type, .i32, field: "PageHeader.uncompressed_page_size")
                header.uncompressedSize = try r.readI32()
            case 3:
                try r.expect(type, .i32, field: "PageHeader.compressed_page_size")
                header.compressedSize = try r.readI32()
            case 5:
                try r.expect(type, .structure, field: "PageHeader.data_page_header")
                try decodeDataPageHeader(&r, into: &header)
            case 7:
                try r.expect(type, .structure, field: "PageHeader.dictionary_page_header")
                try decodeDictionaryPageHeader(&r, into: &header)
            case 8:
                try r.expect(type, .structure, field: "PageHeader.data_page_header_v2")
                try decodeDataPageHeaderV2(&r, into: &header)
            default:
                try r.skip(type)
            }
        }
        guard header.typeCode >= 0, header.uncompressedSize >= 0, header.compressedSize >= 0 else {
            throw reader.failure(
                "page header lacks a valid type or size (type \(header.typeCode), "
                    + "uncompressed \(header.uncompressedSize), compressed \(header.compressedSize))")
        }
        return header
    }

    private static func decodeDataPageHeader(_ reader: inout ThriftCompactReader, into header: inout ParquetPageHeader) throws {
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "DataPageHeader.num_values")
                header.numValues = try r.readI32()
            case 2:
                try r.expect(type, .i32, field: "DataPageHeader.encoding")
                header.encoding = ParquetEncoding(rawValue: try r.readI32())
            case 3:
                try r.expect(type, .i32, field: "DataPageHeader.definition_level_encoding")
                header.definitionLevelEncoding = ParquetEncoding(rawValue: try r.readI32())
            case 4:
                try r.expect(type, .i32, field: "DataPageHeader.repetition_level_encoding")
                header.repetitionLevelEncoding = ParquetEncoding(rawValue: try r.readI32())
            default:
                try r.skip(type)
            }
        }
        header.sawSubHeader = true
    }

    private static func decodeDictionaryPageHeader(
        _ reader: inout ThriftCompactReader, into header: inout ParquetPageHeader
    ) throws {
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "DictionaryPageHeader.num_values")
                header.numValues = try r.readI32()
            case 2:
                try r.expect(type, .i32, field: "DictionaryPageHeader.encoding")
                header.encoding = ParquetEncoding(rawValue: try r.readI32())
            default:
                try r.skip(type)
            }
        }
        header.sawSubHeader = true
    }

    private static func decodeDataPageHeaderV2(_ reader: inout ThriftCompactReader, into header: inout ParquetPageHeader) throws {
        try reader.readStruct { r, id, type in
            switch id {
            case 1:
                try r.expect(type, .i32, field: "DataPageHeaderV2.num_values")
                header.numValues = try r.readI32()
            case 2:
                try r.expect(type, .i32, field: "DataPageHeaderV2.num_nulls")
                header.numNulls = try r.readI32()
            case 4:
                try r.expect(type, .i32, field: "DataPageHeaderV2.encoding")
                header.encoding = ParquetEncoding(rawValue: try r.readI32())
            case 5:
                try r.expect(type, .i32, field: "DataPageHeaderV2.definition_levels_byte_length")
                header.definitionLevelsByteLength = try r.readI32()
            case 6:
                try r.expect(type, .i32, field: "DataPageHeaderV2.repetition_levels_byte_length")
                header.repetitionLevelsByteLength = try r.readI32()
            case 7:
                header.isCompressed = try r.boolean(from: type)
            default:
                try r.skip(type)
            }
        }
        header.sawSubHeader = true
    }
}
