// Every way reading a Parquet file can fail, each message saying what, where and what to do.

/// An error reading a Parquet file: a broken or truncated file, a feature this reader does not
/// support, a failed decompression, or a column name that is not in the file.
public enum ParquetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be read from disk.
    case cannotRead(path: String, reason: String)
    /// The file does not start and end with the Parquet magic `PAR1`.
    case notParquet(path: String, detail: String)
    /// The file is shorter than its footer says.
    case truncated(path: String, detail: String)
    /// The Thrift-encoded metadata (footer or page header) is malformed.
    case corruptMetadata(path: String, byteOffset: Int, detail: String)
    /// A page's content is inconsistent (levels, values, dictionary indices, sizes).
    case corruptPage(path: String, column: String, rowGroup: Int, byteOffset: Int, detail: String)
    /// The file uses a Parquet feature this reader does not implement.
    case unsupported(path: String, column: String?, feature: String)
    /// A compressed page could not be decompressed.
    case decompressionFailed(path: String, column: String, rowGroup: Int, byteOffset: Int, codec: String, detail: String)
    /// No column has that name.
    case unknownColumn(path: String, name: String, available: [String])
    /// The `huggingface` key-value metadata is not the JSON that `datasets` writes.
    case invalidHuggingFaceMetadata(path: String, detail: String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason):
            return "Cannot read Parquet file \(path): \(reason). Check that the path exists and is readable."
        case let .notParquet(path, detail):
            return "\(path) is not a Parquet file: \(detail). Parquet files start and end with the 4 bytes \"PAR1\"; "
                + "check that this is the right file and that its download finished."
        case let .truncated(path, detail):
            return "Parquet file \(path) is truncated: \(detail). Download or copy the file again."
        case let .corruptMetadata(path, offset, detail):
            return "Parquet file \(path) has corrupt metadata at byte \(offset): \(detail). "
                + "The file is damaged or was not written by a Parquet writer."
        case let .corruptPage(path, column, rowGroup, offset, detail):
            return "Parquet file \(path), column '\(column)', row group \(rowGroup), page at byte \(offset): \(detail). "
                + "The file is damaged."
        case let .unsupported(path, column, feature):
            let place = column.map { ", column '\($0)'" } ?? ""
            return "Parquet file \(path)\(place) uses \(feature), which Sift's Parquet reader does not support. "
                + "Re-write the file with pyarrow defaults (PLAIN or dictionary encoding, codec none/snappy/gzip/zstd, "
                + "flat columns) or convert it to CSV/JSONL."
        case let .decompressionFailed(path, column, rowGroup, offset, codec, detail):
            return "Parquet file \(path), column '\(column)', row group \(rowGroup), page at byte \(offset): "
                + "\(codec) decompression failed: \(detail). The file is damaged."
        case let .unknownColumn(path, name, available):
            return "Parquet file \(path) has no column '\(name)'. Available columns: "
                + (available.isEmpty ? "(none)" : available.joined(separator: ", ")) + "."
        case let .invalidHuggingFaceMetadata(path, detail):
            return "Parquet file \(path) has a 'huggingface' metadata entry that is not valid `datasets` feature JSON: "
                + "\(detail)."
        }
    }
}

/// A decoding failure inside a page or a Thrift structure, before the caller adds the location.
struct ParquetDecodingFailure: Error {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}
