// Errors thrown while reading, mapping, splitting and batching datasets. Every message names the
// file and the line (or record) where the problem is, and says what to do about it.

/// Where in a source a problem was found.
public enum RecordLocation: Sendable, Equatable, CustomStringConvertible {
    /// A 1-based physical line of a text file (CSV/TSV/JSON Lines).
    case line(Int)
    /// A 0-based record index (JSON arrays and column tables, where lines mean nothing).
    case record(Int)
    /// The whole source.
    case wholeFile

    public var description: String {
        switch self {
        case .line(let line): return "line \(line)"
        case .record(let index): return "record \(index)"
        case .wholeFile: return "the whole file"
        }
    }
}

/// A problem with a dataset file, a column mapping, a label, a split or a batching request.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The file's extension does not tell its format.
    case unknownFormat(path: String)
    /// A quoted CSV field is never closed.
    case unterminatedQuote(path: String, line: Int)
    /// Something other than a delimiter or a line end follows a closing quote.
    case unexpectedCharacterAfterQuote(path: String, line: Int, character: String)
    /// A record has a different number of fields from the first record.
    case wrongFieldCount(path: String, line: Int, expected: Int, found: Int)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(path: String, location: RecordLocation)
    /// A JSON or JSON Lines record could not be parsed.
    case malformedJSON(path: String, location: RecordLocation, reason: String)
    /// The JSON document has a shape the loader does not understand.
    case unsupportedJSONShape(path: String, reason: String)
    /// A column named in the mapping does not exist.
    case missingColumn(path: String, column: String, available: [String])
    /// A column index in the mapping is out of range.
    case columnIndexOutOfRange(path: String, index: Int, columnCount: Int)
    /// A column was referred to by name in a file without a header.
    case columnNameWithoutHeader(path: String, column: String, columnCount: Int)
    /// A record lacks a value (or has null) for a needed column.
    case missingValue(path: String, location: RecordLocation, column: String)
    /// A text column holds a non-text value.
    case notText(path: String, location: RecordLocation, column: String, value: String)
    /// A label is not in the label set.
    case unknownLabel(path: String, location: RecordLocation, label: String, known: [String])
    /// An integer label is outside 0..<classCount after its offset.
    case labelOutOfRange(path: String, location: RecordLocation, label: String, classCount: Int)
    /// A label is neither an integer nor a name.
    case invalidLabel(path: String, location: RecordLocation, label: String, reason: String)
    /// The label set itself is invalid (duplicates, gaps in id2label, empty names).
    case invalidLabelSet(reason: String)
    /// The file holds no records.
    case emptyDataset(path: String)
    /// A parameter (fraction, size, window...) is out of its valid range.
    case invalidParameter(name: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the file (\(reason)); check the path and permissions"
        case .unknownFormat(let path):
            return "\(path): cannot tell the format from the extension; use .csv, .tsv, .jsonl/.ndjson or .json, or pass the format explicitly"
        case .unterminatedQuote(let path, let line):
            return "\(path): line \(line): a quoted field starts here and is never closed; close it with \" (write a literal quote as \"\")"
        case .unexpectedCharacterAfterQuote(let path, let line, let character):
            return "\(path): line \(line): unexpected \(character) after a closing quote; a quoted field must be followed by the delimiter or a line end (write a literal quote inside a quoted field as \"\")"
        case .wrongFieldCount(let path, let line, let expected, let found):
            return "\(path): line \(line): \(found) fields, but the first record has \(expected); check for an unquoted delimiter or a missing field"
        case .invalidUTF8(let path, let location):
            return "\(path): \(location): the bytes are not valid UTF-8; re-encode the file as UTF-8"
        case .malformedJSON(let path, let location, let reason):
            return "\(path): \(location): malformed JSON (\(reason))"
        case .unsupportedJSONShape(let path, let reason):
            return "\(path): \(reason); expected an array of objects or an object of equally long column arrays"
        case .missingColumn(let path, let column, let available):
            return "\(path): no column named \"\(column)\"; available columns: \(available.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .columnIndexOutOfRange(let path, let index, let columnCount):
            return "\(path): column index \(index) is out of range; the file has \(columnCount) columns (0..<\(columnCount))"
        case .columnNameWithoutHeader(let path, let column, let columnCount):
            return "\(path): column \"\(column)\" is referred to by name, but the file has no header row; refer to columns by index (0..<\(columnCount)) or declare the header as present"
        case .missingValue(let path, let location, let column):
            return "\(path): \(location): no value for column \"\(column)\""
        case .notText(let path, let location, let column, let value):
            return "\(path): \(location): column \"\(column)\" holds \(value), expected a string"
        case .unknownLabel(let path, let location, let label, let known):
            return "\(path): \(location): unknown label \"\(label)\"; known labels: \(known.map { "\"\($0)\"" }.joined(separator: ", ")) (an evaluation file must use the training set's labels)"
        case .labelOutOfRange(let path, let location, let label, let classCount):
            return "\(path): \(location): label \(label) is out of range for \(classCount) classes (ids 0..<\(classCount) after the label offset)"
        case .invalidLabel(let path, let location, let label, let reason):
            return "\(path): \(location): invalid label \"\(label)\": \(reason)"
        case .invalidLabelSet(let reason):
            return "invalid label set: \(reason)"
        case .emptyDataset(let path):
            return "\(path): the file holds no records"
        case .invalidParameter(let name, let value, let reason):
            return "invalid \(name) = \(value): \(reason)"
        }
    }
}
