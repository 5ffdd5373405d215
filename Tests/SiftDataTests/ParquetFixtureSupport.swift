// Loads the pyarrow-written Parquet test files and `expected.json` (both made by
// scripts/make_parquet_fixtures.py) for the Parquet tests.
import Foundation
import Testing
@testable import SiftData

/// The committed Parquet test files and their expected contents.
enum ParquetFixtures {
    /// `Resources/parquet/` inside the test bundle.
    static func directory() throws -> URL {
        // `.copy("Resources")` keeps the folder; where the bundle puts it differs between platforms.
        let bundle = Bundle.module
        let candidates = [bundle.resourceURL, bundle.bundleURL].compactMap { $0 }.flatMap { base in
            [base.appendingPathComponent("Resources/parquet"), base.appendingPathComponent("parquet")]
        }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("expected.json").path) }
        return try #require(found, "no Resources/parquet/expected.json in the test bundle; looked in \(candidates.map(\.path))")
    }

    static func url(_ name: String) throws -> URL {
        try directory().appendingPathComponent(name)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    static func manifest() throws -> ParquetManifest {
        let data = try Data(contentsOf: directory().appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(ParquetManifest.self, from: data)
    }

    /// Names of every committed Parquet file.
    static func allFileNames() throws -> [String] {
        try manifest().files.map(\.file)
    }
}

/// `expected.json`: the files, and the column values of each table they were written from.
struct ParquetManifest: Decodable {
    let files: [ParquetExpectedFile]

    private enum Keys: String, CodingKey { case files, tables }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let tables = try container.decode([String: [ParquetExpectedColumn]].self, forKey: .tables)
        files = try container.decode([ParquetExpectedFile].self, forKey: .files).map { file in
            var resolved = file
            if let table = file.table {
                guard let columns = tables[table] else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .tables, in: container, debugDescription: "\(file.file) refers to missing table \(table)")
                }
                resolved.columns = columns
            }
            return resolved
        }
    }

    func file(_ name: String) throws -> ParquetExpectedFile {
        try #require(files.first { $0.file == name }, "\(name) is not in expected.json")
    }
}

/// What one file must contain, as pyarrow reported it.
struct ParquetExpectedFile: Decodable, CustomTestStringConvertible {
    struct Unsupported: Decodable {
        let column: String
        let feature: String
    }

    let file: String
    let num_rows: Int
    let data_page_version: Int
    let dictionary: Bool
    let row_groups: Int
    let codecs: [String]
    let encodings: [String]
    /// The name of its entry under "tables".
    let table: String?
    /// That table's columns (filled in by `ParquetManifest`).
    var columns: [ParquetExpectedColumn]?
    let class_labels: [String: [String]]?
    let unsupported: Unsupported?
    /// The data encoding each listed column was written with.
    let column_encodings: [String: String]?

    var testDescription: String { file }
}

/// One column's expected values, converted to the `ParquetColumn` the reader must return.
struct ParquetExpectedColumn: Decodable {
    let name: String
    let type: String
    /// The element type of a "list" column.
    let element: String?
    let column: ParquetColumn

    private enum Keys: String, CodingKey { case name, type, element, values }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type)
        element = try container.decodeIfPresent(String.self, forKey: .element)
        if type == "list" {
            let element = try container.decode(String.self, forKey: .element)
            column = .lists(try Self.lists(of: element, in: container))
            return
        }
        switch type {
        case "string":
            column = .strings(try container.decode([String?].self, forKey: .values))
        case "int32":
            column = .int32(try container.decode([Int32?].self, forKey: .values))
        case "int64":
            // Written as decimal strings so that no JSON reader rounds them through Double.
            let texts = try container.decode([String?].self, forKey: .values)
            column = .int64(try texts.map { text in
                guard let text else { return nil }
                guard let value = Int64(text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .values, in: container, debugDescription: "'\(text)' is not an int64")
                }
                return value
            })
        case "binary":
            let texts = try container.decode([String?].self, forKey: .values)
            column = .binary(try texts.map { text in
                guard let text else { return nil }
                guard let bytes = Self.bytes(hex: text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .values, in: container, debugDescription: "'\(text)' is not hexadecimal")
                }
                return bytes
            })
        case "float":
            column = .floats(try container.decode([Float?].self, forKey: .values))
        case "double":
            column = .doubles(try container.decode([Double?].self, forKey: .values))
        case "bool":
            column = .booleans(try container.decode([Bool?].self, forKey: .values))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown type \(type)")
        }
    }

    /// The rows of a list column: each a column of `element` values, nil for a null list.
    private static func lists(of element: String, in container: KeyedDecodingContainer<Keys>) throws -> [ParquetColumn?] {
        switch element {
        case "string":
            return try container.decode([[String?]?].self, forKey: .values).map { $0.map(ParquetColumn.strings) }
        case "int32":
            return try container.decode([[Int32?]?].self, forKey: .values).map { $0.map(ParquetColumn.int32) }
        case "int64":
            return try container.decode([[String?]?].self, forKey: .values).map { row in
                row.map { ParquetColumn.int64($0.map { $0.flatMap { Int64($0) } }) }
            }
        case "double":
            return try container.decode([[Double?]?].self, forKey: .values).map { $0.map(ParquetColumn.doubles) }
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .element, in: container, debugDescription: "no list reader for \(element) elements")
        }
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...(index + 1)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
