// A whole column read from a Parquet file, and a single cell of it.

/// One column's values across all row groups, in row order; `nil` is a null.
public enum ParquetColumn: Sendable, Hashable {
    /// UTF-8 text columns.
    case strings([String?])
    /// Byte strings that are not annotated as text (and fixed-length byte arrays).
    case binary([[UInt8]?])
    /// INT32 columns (also INT8/INT16/UINT8/UINT16/DATE annotations, as stored).
    case int32([Int32?])
    /// INT64 columns (Hugging Face ClassLabel columns are INT64).
    case int64([Int64?])
    /// FLOAT columns.
    case floats([Float?])
    /// DOUBLE columns.
    case doubles([Double?])
    /// BOOLEAN columns.
    case booleans([Bool?])
    /// A repeated column: each row's list of elements (a column of the element type), nil for a null list.
    indirect case lists([ParquetColumn?])

    /// The number of rows.
    public var count: Int {
        switch self {
        case .strings(let values): return values.count
        case .binary(let values): return values.count
        case .int32(let values): return values.count
        case .int64(let values): return values.count
        case .floats(let values): return values.count
        case .doubles(let values): return values.count
        case .booleans(let values): return values.count
        case .lists(let values): return values.count
        }
    }

    /// The value in row `index` (which must be in `0..<count`).
    public subscript(index: Int) -> ParquetValue {
        switch self {
        case .strings(let values): return values[index].map(ParquetValue.string) ?? .null
        case .binary(let values): return values[index].map(ParquetValue.binary) ?? .null
        case .int32(let values): return values[index].map(ParquetValue.int32) ?? .null
        case .int64(let values): return values[index].map(ParquetValue.int64) ?? .null
        case .floats(let values): return values[index].map(ParquetValue.float) ?? .null
        case .doubles(let values): return values[index].map(ParquetValue.double) ?? .null
        case .booleans(let values): return values[index].map(ParquetValue.boolean) ?? .null
        case .lists(let values): return values[index].map(ParquetValue.list) ?? .null
        }
    }
}

/// One cell of a Parquet table.
public enum ParquetValue: Sendable, Hashable, CustomStringConvertible {
    /// A null cell.
    case null
    /// A text cell.
    case string(String)
    /// A byte-string cell.
    case binary([UInt8])
    /// An INT32 cell.
    case int32(Int32)
    /// An INT64 cell.
    case int64(Int64)
    /// A FLOAT cell.
    case float(Float)
    /// A DOUBLE cell.
    case double(Double)
    /// A BOOLEAN cell.
    case boolean(Bool)
    /// A list cell of a repeated column.
    case list(ParquetColumn)

    /// The value as text, the way a CSV cell would hold it (`nil` for null, binary data and lists).
    public var text: String? {
        switch self {
        case .null, .binary, .list: return nil
        case .string(let value): return value
        case .int32(let value): return String(value)
        case .int64(let value): return String(value)
        case .float(let value): return String(value)
        case .double(let value): return String(value)
        case .boolean(let value): return value ? "true" : "false"
        }
    }

    /// The value as an integer, if it is one (for label columns).
    public var integer: Int? {
        switch self {
        case .int32(let value): return Int(value)
        case .int64(let value): return Int(exactly: value)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .binary(let bytes): return "<\(bytes.count) bytes>"
        case .list(let elements):
            return "[" + (0..<elements.count).map { elements[$0].description }.joined(separator: ", ") + "]"
        default: return text ?? ""
        }
    }
}
