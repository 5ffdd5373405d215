// Loading a labelled text dataset: read a file into a RecordTable, then map its columns to
// texts and labels.

import Foundation

/// How to read a dataset file.
public struct DatasetLoadOptions: Sendable {
    /// The file format, or nil to infer it from the extension.
    public var format: DatasetFormat?
    /// Which columns hold the text(s) and the label.
    public var columns: ColumnMapping
    /// Whether a CSV/TSV file has a header row (ignored for JSON).
    public var header: HeaderMode
    /// A fixed label set. Pass the training set's labels when loading an evaluation file: an unknown
    /// label is then an error naming the file, line and label. Nil: collect the labels from the file.
    public var labels: LabelSet?
    /// Whether CSV/TSV fields may be quoted with `"` (true by default for both).
    public var quoting: Bool

    /// Options; by default the format comes from the extension, columns are `text`/`label`, the header is detected.
    public init(format: DatasetFormat? = nil, columns: ColumnMapping = .standard, header: HeaderMode = .automatic,
                labels: LabelSet? = nil, quoting: Bool = true) {
        self.format = format
        self.columns = columns
        self.header = header
        self.labels = labels
        self.quoting = quoting
    }
}

/// Reads datasets from CSV/TSV, JSON Lines and JSON files.
public enum DatasetLoader {
    /// Loads a labelled dataset from `url`.
    public static func load(_ url: URL, options: DatasetLoadOptions = DatasetLoadOptions()) throws -> TextDataset {
        var options = options
        if options.labels == nil, (options.format ?? DatasetFormat(pathExtension: url.pathExtension)) == .parquet,
           case let .name(column) = options.columns.label,
           let names = try ParquetFile(url: url).classLabelNames(column: column) {
            // Hub datasets store ClassLabel names in the file's metadata: integer labels are their ids.
            options.labels = try LabelSet(names: names)
        }
        return try dataset(from: readTable(url, options: options), options: options)
    }

    /// Loads AG News in its original layout (headerless CSV: class 1–4, title, description) with
    /// text = title + " " + description and label = class − 1. The class names come from `classes`
    /// (a `classes.txt`), else from `classes.txt` beside the file if present, else World, Sports,
    /// Business, Sci/Tech.
    public static func loadAGNews(_ url: URL, classes: URL? = nil) throws -> TextDataset {
        let labels: LabelSet
        let besideFile = url.deletingLastPathComponent().appendingPathComponent("classes.txt")
        if let classes {
            labels = try LabelSet(contentsOf: classes)
        } else if FileManager.default.fileExists(atPath: besideFile.path) {
            labels = try LabelSet(contentsOf: besideFile)
        } else {
            labels = try LabelSet(names: ["World", "Sports", "Business", "Sci/Tech"])
        }
        let options = DatasetLoadOptions(format: .csv, columns: .agNews, header: .absent, labels: labels)
        return try load(url, options: options)
    }

    /// Reads a file into a record table (no column mapping yet).
    public static func readTable(_ url: URL, options: DatasetLoadOptions = DatasetLoadOptions()) throws -> RecordTable {
        let path = url.path
        guard let format = options.format ?? DatasetFormat(pathExtension: url.pathExtension) else {
            throw DatasetError.unknownFormat(path: path)
        }
        if format == .parquet { return try parquetTable(url) }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw DatasetError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        switch format {
        case .csv, .tsv:
            let delimiter = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
            let parsed = try CSVParser.parse(
                bytes, source: path, delimiter: delimiter, quote: options.quoting ? UInt8(ascii: "\"") : nil)
            return try table(fromCSV: parsed, source: path, header: options.header, mapping: options.columns)
        case .jsonl:
            return try JSONRecordReader.parseJSONLines(bytes, source: path)
        case .json:
            return try JSONRecordReader.parseJSON(bytes, source: path)
        case .parquet:
            return try parquetTable(url)
        }
    }

    /// A Parquet file as a record table (every column; nested values are kept only as descriptions).
    static func parquetTable(_ url: URL) throws -> RecordTable {
        let file = try ParquetFile(url: url)
        let names = file.columnNames
        let columns = try names.map { try file.readColumn($0) }
        var rows: [[FieldValue]] = []
        rows.reserveCapacity(file.numRows)
        for row in 0..<file.numRows {
            rows.append(columns.map { column in
                switch column[row] {
                case .null: .null
                case let .string(text): .string(text)
                case let .int32(value): .integer(Int(value))
                case let .int64(value): .integer(Int(value))
                case let .float(value): .number(Double(value))
                case let .double(value): .number(value)
                case let .boolean(value): .bool(value)
                case let other: .unsupported(other.description)
                }
            })
        }
        guard !rows.isEmpty else { throw DatasetError.emptyDataset(path: url.path) }
        return RecordTable(source: url.path, columnNames: names, rows: rows)
    }

    /// Turns parsed CSV records into a table, taking the header row off when there is one.
    public static func table(fromCSV parsed: CSVRecords, source: String, header: HeaderMode,
                             mapping: ColumnMapping) throws -> RecordTable {
        guard !parsed.records.isEmpty else { throw DatasetError.emptyDataset(path: source) }
        let hasHeader: Bool
        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .automatic: hasHeader = HeaderDetection.firstRecordIsHeader(parsed.records, mapping: mapping)
        }
        let dataRecords = hasHeader ? parsed.records.dropFirst() : parsed.records[...]
        let lines = hasHeader ? parsed.lines.dropFirst() : parsed.lines[...]
        guard !dataRecords.isEmpty else { throw DatasetError.emptyDataset(path: source) }
        return RecordTable(
            source: source,
            columnNames: hasHeader ? parsed.records[0] : nil,
            rows: dataRecords.map { $0.map(FieldValue.string) },
            locations: lines.map { RecordLocation.line($0) })
    }

    /// Maps a record table's columns to labelled examples (`row` = index in the table).
    public static func dataset(from table: RecordTable, options: DatasetLoadOptions = DatasetLoadOptions()) throws -> TextDataset {
        guard !table.rows.isEmpty else { throw DatasetError.emptyDataset(path: table.source) }
        let mapping = options.columns
        let textColumns = try mapping.text.columns.map { try table.columnIndex(of: $0) }
        let pairColumns = try mapping.textPair.map { try $0.columns.map { try table.columnIndex(of: $0) } }
        let labelColumn = try table.columnIndex(of: mapping.label)
        let (labelIDs, labels) = try LabelResolver.resolve(
            table: table, column: labelColumn, encoding: mapping.labelEncoding, fixed: options.labels)
        var examples: [TextExample] = []
        examples.reserveCapacity(table.rows.count)
        for (rowIndex, row) in table.rows.enumerated() {
            let location = rowIndex < table.locations.count ? table.locations[rowIndex] : .record(rowIndex)
            let text = try joinedText(row, columns: textColumns, source: mapping.text, table: table, location: location)
            var pair: String?
            if let pairColumns, let pairSource = mapping.textPair {
                pair = try joinedText(row, columns: pairColumns, source: pairSource, table: table, location: location)
            }
            examples.append(TextExample(text: text, textPair: pair, label: labelIDs[rowIndex], row: rowIndex))
        }
        return TextDataset(examples: examples, labels: labels, source: table.source)
    }

    private static func joinedText(_ row: [FieldValue], columns: [Int], source: TextSource, table: RecordTable,
                                   location: RecordLocation) throws -> String {
        func value(_ column: Int) throws -> String {
            let field = column < row.count ? row[column] : .null
            switch field {
            case .string(let text): return text
            case .null: throw DatasetError.missingValue(path: table.source, location: location, column: table.columnName(column))
            default:
                throw DatasetError.notText(path: table.source, location: location, column: table.columnName(column),
                                           value: field.kindDescription)
            }
        }
        switch source {
        case .column: return try value(columns[0])
        case .joined(_, let separator):
            var text = ""
            for (position, column) in columns.enumerated() {
                if position > 0 { text += separator }
                text += try value(column)
            }
            return text
        }
    }
}
