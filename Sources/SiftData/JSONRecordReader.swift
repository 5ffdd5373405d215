// Reads JSON Lines (one object per line) and JSON documents (an array of objects, or an object
// of equally long column arrays) into a RecordTable.

import Foundation

/// A JSON value as decoded from a record; nested arrays and objects are kept only as their kind.
private enum JSONScalar: Decodable {
    case value(FieldValue)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .value(.null); return }
        if let text = try? container.decode(String.self) { self = .value(.string(text)); return }
        if let flag = try? container.decode(Bool.self) { self = .value(.bool(flag)); return }
        if let integer = try? container.decode(Int.self) { self = .value(.integer(integer)); return }
        if let number = try? container.decode(Double.self) { self = .value(.number(number)); return }
        if (try? container.decode([JSONScalar].self)) != nil { self = .value(.unsupported("an array")); return }
        self = .value(.unsupported("an object"))
    }

    var fieldValue: FieldValue {
        switch self { case .value(let value): return value }
    }
}

/// The top level of a JSON dataset document.
private enum JSONDocument: Decodable {
    case rows([[String: JSONScalar]])
    case columns([String: [JSONScalar]])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let rows = try? container.decode([[String: JSONScalar]].self) {
            self = .rows(rows)
            return
        }
        if let columns = try? container.decode([String: [JSONScalar]].self) {
            self = .columns(columns)
            return
        }
        throw DecodingError.typeMismatch(
            JSONDocument.self,
            .init(codingPath: [], debugDescription: "the top level is neither an array of objects nor an object of arrays"))
    }
}

/// Reads JSON Lines and JSON dataset files.
public enum JSONRecordReader {
    /// Parses JSON Lines: one JSON object per line; blank lines are skipped.
    /// Columns are the union of all keys (sorted); a key missing from a line reads as `.null`.
    public static func parseJSONLines(_ bytes: [UInt8], source: String) throws -> RecordTable {
        let decoder = JSONDecoder()
        var objects: [[String: FieldValue]] = []
        var locations: [RecordLocation] = []
        var keys = Set<String>()
        var lineNumber = 0
        var lineStart = 0
        var index = 0
        let count = bytes.count
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { lineStart = 3; index = 3 }
        while lineStart < count {
            while index < count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            lineNumber += 1
            let line = bytes[lineStart..<index]
            lineStart = index + 1
            index = lineStart
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: [String: JSONScalar]
            do {
                object = try decoder.decode([String: JSONScalar].self, from: Data(line))
            } catch {
                if String(validating: line, as: UTF8.self) == nil {
                    throw DatasetError.invalidUTF8(path: source, location: .line(lineNumber))
                }
                throw DatasetError.malformedJSON(
                    path: source, location: .line(lineNumber), reason: reason(error, expected: "a JSON object"))
            }
            var row: [String: FieldValue] = [:]
            row.reserveCapacity(object.count)
            for (key, value) in object {
                row[key] = value.fieldValue
                keys.insert(key)
            }
            objects.append(row)
            locations.append(.line(lineNumber))
        }
        guard !objects.isEmpty else { throw DatasetError.emptyDataset(path: source) }
        let columns = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let rows = objects.map { object in columns.map { object[$0] ?? .null } }
        return RecordTable(source: source, columnNames: columns, rows: rows, locations: locations)
    }

    /// Parses a JSON document: an array of objects (one per record) or an object whose values
    /// are equally long arrays (one per column, as `datasets`' `to_dict()` writes).
    public static func parseJSON(_ bytes: [UInt8], source: String) throws -> RecordTable {
        let document: JSONDocument
        do {
            document = try JSONDecoder().decode(JSONDocument.self, from: Data(bytes))
        } catch {
            if String(validating: bytes, as: UTF8.self) == nil {
                throw DatasetError.invalidUTF8(path: source, location: .wholeFile)
            }
            if case DecodingError.typeMismatch = error {
                throw DatasetError.unsupportedJSONShape(
                    path: source, reason: "the top level is neither an array of objects nor an object of arrays")
            }
            throw DatasetError.malformedJSON(path: source, location: .wholeFile, reason: reason(error, expected: "JSON"))
        }
        switch document {
        case .rows(let objects):
            guard !objects.isEmpty else { throw DatasetError.emptyDataset(path: source) }
            var keys = Set<String>()
            for object in objects { keys.formUnion(object.keys) }
            let columns = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let rows = objects.map { object in columns.map { object[$0]?.fieldValue ?? .null } }
            return RecordTable(source: source, columnNames: columns, rows: rows)
        case .columns(let columnArrays):
            let columns = columnArrays.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            guard let first = columns.first, let rowCount = columnArrays[first]?.count, rowCount > 0 else {
                throw DatasetError.emptyDataset(path: source)
            }
            for name in columns where columnArrays[name]?.count != rowCount {
                throw DatasetError.unsupportedJSONShape(
                    path: source,
                    reason: "column \"\(name)\" has \(columnArrays[name]?.count ?? 0) values but column \"\(first)\" has \(rowCount)")
            }
            let values = columns.map { columnArrays[$0] ?? [] }
            let rows = (0..<rowCount).map { row in values.map { $0[row].fieldValue } }
            return RecordTable(source: source, columnNames: columns, rows: rows)
        }
    }

    /// A one-line reason from a decoding error.
    private static func reason(_ error: Error, expected: String) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        switch decodingError {
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError {
                return "\(context.debugDescription) \(underlying.localizedDescription)"
            }
            return context.debugDescription
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "expected \(expected): \(context.debugDescription)"
        case .keyNotFound(let key, _):
            return "missing key \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}
