// The enumerations of the Parquet format (parquet.thrift), with the names used in error messages.

/// How a Parquet column's values are stored on disk.
public enum ParquetPhysicalType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7

    public var description: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .int32: return "INT32"
        case .int64: return "INT64"
        case .int96: return "INT96"
        case .float: return "FLOAT"
        case .double: return "DOUBLE"
        case .byteArray: return "BYTE_ARRAY"
        case .fixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// Whether a schema field must be present, may be null, or repeats.
enum ParquetRepetition: Int32 {
    case required = 0
    case optional = 1
    case repeated = 2
}

/// Page and level encodings. Unknown values are kept by number so errors can name them.
struct ParquetEncoding: Equatable, CustomStringConvertible {
    let rawValue: Int32

    static let plain = ParquetEncoding(rawValue: 0)
    static let plainDictionary = ParquetEncoding(rawValue: 2)
    static let rle = ParquetEncoding(rawValue: 3)
    static let bitPacked = ParquetEncoding(rawValue: 4)
    static let deltaBinaryPacked = ParquetEncoding(rawValue: 5)
    static let deltaLengthByteArray = ParquetEncoding(rawValue: 6)
    static let deltaByteArray = ParquetEncoding(rawValue: 7)
    static let rleDictionary = ParquetEncoding(rawValue: 8)
    static let byteStreamSplit = ParquetEncoding(rawValue: 9)

    var isDictionary: Bool { self == .plainDictionary || self == .rleDictionary }

    var description: String {
        switch rawValue {
        case 0: return "PLAIN"
        case 1: return "GROUP_VAR_INT"
        case 2: return "PLAIN_DICTIONARY"
        case 3: return "RLE"
        case 4: return "BIT_PACKED"
        case 5: return "DELTA_BINARY_PACKED"
        case 6: return "DELTA_LENGTH_BYTE_ARRAY"
        case 7: return "DELTA_BYTE_ARRAY"
        case 8: return "RLE_DICTIONARY"
        case 9: return "BYTE_STREAM_SPLIT"
        default: return "unknown encoding \(rawValue)"
        }
    }
}

/// Page compression codecs.
public enum ParquetCompressionCodec: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case uncompressed = 0
    case snappy = 1
    case gzip = 2
    case lzo = 3
    case brotli = 4
    case lz4 = 5
    case zstd = 6
    case lz4Raw = 7

    public var description: String {
        switch self {
        case .uncompressed: return "UNCOMPRESSED"
        case .snappy: return "SNAPPY"
        case .gzip: return "GZIP"
        case .lzo: return "LZO"
        case .brotli: return "BROTLI"
        case .lz4: return "LZ4"
        case .zstd: return "ZSTD"
        case .lz4Raw: return "LZ4_RAW"
        }
    }

    /// Whether this reader can decompress pages written with the codec.
    public var isSupported: Bool {
        switch self {
        case .uncompressed, .snappy, .gzip, .zstd: return true
        case .lzo, .brotli, .lz4, .lz4Raw: return false
        }
    }
}

/// Kinds of page in a column chunk.
enum ParquetPageType: Int32 {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3
}
