// The common in-memory form every file format is read into before column mapping: rows of
// values, optional column names, and where each row came from (for error messages).

/// Rows of values read from one source, with optional column names and per-row locations.
///
/// CSV/TSV, JSON Lines and JSON loaders produce one; any other reader (e.g. Parquet) can build one
/// and hand it to ``DatasetLoader/dataset(from:options:)``.
public struct RecordTable: Sendable {
    /// The source's name in messages (usually its path).
    public var source: String
    /// Column names (a header row or JSON keys), or nil for a headerless file (refer to columns by index).
    public var columnNames: [String]?
    /// The records; every row has `columnCount` values (missing JSON keys are `.null`).
    public var rows: [[FieldValue]]
    /// Where each row starts: a 1-based line for text formats, a 0-based record index otherwise.
    public var locations: [RecordLocation]

    /// A table; `locations` defaults to record indices.
    public init(source: String, columnNames: [String]?, rows: [[FieldValue]], locations: [RecordLocation]? = nil) {
        self.source = source
        self.columnNames = columnNames
        self.rows = rows
        self.locations = locations ?? rows.indices.map { RecordLocation.record($0) }
    }

    /// The number of columns (from the names, else the first row).
    public var columnCount: Int {
        columnNames?.count ?? rows.first?.count ?? 0
    }

    /// Resolves a column reference to an index, or throws an error that lists the available columns.
    public func columnIndex(of reference: ColumnReference) throws -> Int {
        switch reference {
        case .index(let index):
            guard index >= 0, index < columnCount else {
                throw DatasetError.columnIndexOutOfRange(path: source, index: index, columnCount: columnCount)
            }
            return index
        case .name(let name):
            guard let names = columnNames else {
                throw DatasetError.columnNameWithoutHeader(path: source, column: name, columnCount: columnCount)
            }
            guard let index = names.firstIndex(of: name) else {
                throw DatasetError.missingColumn(path: source, column: name, available: names)
            }
            return index
        }
    }

    /// The display name of a column (its header name, or its index).
    public func columnName(_ index: Int) -> String {
        if let names = columnNames, index < names.count { return names[index] }
        return "#\(index)"
    }
}
