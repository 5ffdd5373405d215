// The leaf columns of a Parquet schema, built from the footer's flattened schema tree.

/// What a column's values become when read.
public enum ParquetColumnType: String, Sendable, CaseIterable {
    /// UTF-8 text (BYTE_ARRAY annotated STRING, ENUM or JSON) → `ParquetColumn.strings`.
    case string
    /// Other BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY → `ParquetColumn.binary`.
    case binary
    case int32
    case int64
    case float
    case double
    case boolean
    /// The deprecated 96-bit timestamps; listed in the schema but not readable.
    case int96
}

/// One leaf column of a Parquet file.
public struct ParquetColumnSchema: Sendable, Equatable {
    /// The column name: struct fields are joined with "." (`meta.source`); a standard list is named by
    /// its field (`tags`, not `tags.list.element`).
    public let name: String
    /// How the values are stored on disk.
    public let physicalType: ParquetPhysicalType
    /// What the values (a list column's elements) are read as.
    public let type: ParquetColumnType
    /// Whether the column may hold nulls (for a list column: null lists or null elements).
    public let isOptional: Bool
    /// Whether the column is inside a repeated field: each row holds a list (`ParquetColumn.lists`).
    /// Lists of lists are not readable.
    public let isRepeated: Bool

    let maxDefinitionLevel: Int
    let maxRepetitionLevel: Int
    /// The definition level of the (innermost) repeated field, 0 for flat columns.
    let repeatedDefinitionLevel: Int
    /// FIXED_LEN_BYTE_ARRAY width in bytes (0 for other types).
    let typeLength: Int
    /// Position among the leaves, which is the position of its chunk in every row group.
    let leafIndex: Int
}

extension ParquetColumnSchema {
    /// Walks the depth-first schema list (root first) and returns its leaves; `ParquetDecodingFailure`
    /// when the tree is inconsistent. A standard three-level list (`tags` (LIST) → repeated `list` →
    /// `element`) is named by its field, `tags`, rather than `tags.list.element`.
    static func leaves(of elements: [ParquetSchemaElement]) throws -> [ParquetColumnSchema] {
        guard let root = elements.first else { throw ParquetDecodingFailure("the schema is empty") }
        var leaves: [ParquetColumnSchema] = []
        var next = 1
        try addChildren(
            count: Int(root.numChildren ?? 0), of: elements, next: &next, path: [], definition: 0, repetition: 0,
            repeatedDefinition: 0, unnamedLevels: 0, depth: 0, into: &leaves)
        guard next == elements.count else {
            throw ParquetDecodingFailure(
                "the schema tree covers \(next) of its \(elements.count) elements (num_children is inconsistent)")
        }
        return leaves
    }

    private static func addChildren(
        count: Int, of elements: [ParquetSchemaElement], next: inout Int, path: [String], definition: Int,
        repetition: Int, repeatedDefinition: Int, unnamedLevels: Int, depth: Int,
        into leaves: inout [ParquetColumnSchema]
    ) throws {
        guard depth < 32 else { throw ParquetDecodingFailure("the schema is nested deeper than 32 levels") }
        guard count >= 0, count <= elements.count - next else {
            throw ParquetDecodingFailure("a schema group claims \(count) children but \(elements.count - next) elements remain")
        }
        for _ in 0..<count {
            let element = elements[next]
            next += 1
            var definitionLevel = definition
            var repetitionLevel = repetition
            var repeatedDefinitionLevel = repeatedDefinition
            switch element.repetitionCode.flatMap(ParquetRepetition.init(rawValue:)) {
            case .optional: definitionLevel += 1
            case .repeated:
                definitionLevel += 1
                repetitionLevel += 1
                repeatedDefinitionLevel = definitionLevel
            case .required: break
            case nil:
                throw ParquetDecodingFailure(
                    "schema element '\(element.name)' has a missing or unknown repetition type \(element.repetitionCode.map(String.init) ?? "none")")
            }
            let fieldPath = unnamedLevels > 0 ? path : path + [element.name]
            if let children = element.numChildren, children > 0 {
                try addChildren(
                    count: Int(children), of: elements, next: &next, path: fieldPath, definition: definitionLevel,
                    repetition: repetitionLevel, repeatedDefinition: repeatedDefinitionLevel,
                    unnamedLevels: isStandardList(element, at: next, in: elements) ? 2 : max(unnamedLevels - 1, 0),
                    depth: depth + 1, into: &leaves)
                continue
            }
            guard let code = element.physicalTypeCode, let physical = ParquetPhysicalType(rawValue: code) else {
                throw ParquetDecodingFailure(
                    "leaf schema element '\(element.name)' has a missing or unknown physical type \(element.physicalTypeCode.map(String.init) ?? "none")")
            }
            let type: ParquetColumnType
            switch physical {
            case .boolean: type = .boolean
            case .int32: type = .int32
            case .int64: type = .int64
            case .int96: type = .int96
            case .float: type = .float
            case .double: type = .double
            case .byteArray: type = element.isText ? .string : .binary
            case .fixedLenByteArray: type = .binary
            }
            var typeLength = 0
            if physical == .fixedLenByteArray {
                guard let length = element.typeLength, length > 0 else {
                    throw ParquetDecodingFailure("FIXED_LEN_BYTE_ARRAY column '\(element.name)' has no valid type_length")
                }
                typeLength = Int(length)
            }
            leaves.append(
                ParquetColumnSchema(
                    name: fieldPath.joined(separator: "."), physicalType: physical, type: type,
                    isOptional: definitionLevel > 0, isRepeated: repetitionLevel > 0,
                    maxDefinitionLevel: definitionLevel, maxRepetitionLevel: repetitionLevel,
                    repeatedDefinitionLevel: repeatedDefinitionLevel, typeLength: typeLength, leafIndex: leaves.count))
        }
    }

    /// Whether `group` (whose first child is `elements[firstChild]`) is a LIST-annotated group with one
    /// repeated child group that has one child: the standard three-level list layout.
    private static func isStandardList(
        _ group: ParquetSchemaElement, at firstChild: Int, in elements: [ParquetSchemaElement]
    ) -> Bool {
        guard group.logicalTypeID == 3 || group.convertedType == 3, group.numChildren == 1,
            firstChild < elements.count
        else { return false }
        let repeated = elements[firstChild]
        return repeated.repetitionCode == ParquetRepetition.repeated.rawValue && repeated.numChildren == 1
    }
}
