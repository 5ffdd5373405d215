// Turning a label column's values into class ids and a label set.

/// Reads a label column (see ``LabelEncoding``).
enum LabelResolver {
    static func resolve(table: RecordTable, column: Int, encoding: LabelEncoding,
                        fixed: LabelSet?) throws -> ([Int], LabelSet) {
        let name = table.columnName(column)
        func location(_ row: Int) -> RecordLocation {
            row < table.locations.count ? table.locations[row] : .record(row)
        }
        var values: [FieldValue] = []
        values.reserveCapacity(table.rows.count)
        for (row, record) in table.rows.enumerated() {
            let value = column < record.count ? record[column] : .null
            switch value {
            case .null: throw DatasetError.missingValue(path: table.source, location: location(row), column: name)
            case .string(let text) where text.isEmpty:
                throw DatasetError.invalidLabel(path: table.source, location: location(row), label: "",
                                                reason: "the label is empty")
            case .unsupported(let kind):
                throw DatasetError.invalidLabel(path: table.source, location: location(row), label: kind,
                                                reason: "a label must be a name or an integer")
            default: values.append(value)
            }
        }
        switch encoding {
        case .integers(let offset):
            return try integerLabels(values, offset: offset, fixed: fixed, table: table, location: location)
        case .names:
            return try nameLabels(values, fixed: fixed, table: table, location: location)
        case .automatic:
            if let fixed {
                var ids: [Int] = []
                ids.reserveCapacity(values.count)
                for (row, value) in values.enumerated() {
                    let text = value.description
                    if let id = fixed.id(of: text) {
                        ids.append(id)
                    } else if let integer = value.integerValue, integer >= 0, integer < fixed.count {
                        ids.append(integer)
                    } else {
                        throw DatasetError.unknownLabel(path: table.source, location: location(row), label: text,
                                                        known: fixed.names)
                    }
                }
                return (ids, fixed)
            }
            if values.allSatisfy({ $0.integerValue != nil }) {
                return try integerLabels(values, offset: 0, fixed: nil, table: table, location: location)
            }
            return try nameLabels(values, fixed: nil, table: table, location: location)
        }
    }

    private static func integerLabels(_ values: [FieldValue], offset: Int, fixed: LabelSet?, table: RecordTable,
                                      location: (Int) -> RecordLocation) throws -> ([Int], LabelSet) {
        var ids: [Int] = []
        ids.reserveCapacity(values.count)
        var maximum = -1
        for (row, value) in values.enumerated() {
            guard let integer = value.integerValue else {
                throw DatasetError.invalidLabel(path: table.source, location: location(row), label: value.description,
                                                reason: "expected an integer label")
            }
            let id = integer - offset
            if let fixed, id < 0 || id >= fixed.count {
                throw DatasetError.labelOutOfRange(path: table.source, location: location(row), label: value.description,
                                                   classCount: fixed.count)
            }
            guard id >= 0 else {
                throw DatasetError.invalidLabel(
                    path: table.source, location: location(row), label: value.description,
                    reason: "class ids must be ≥ 0 after subtracting the label offset \(offset) (unlabelled rows such as -1 must be removed)")
            }
            maximum = max(maximum, id)
            ids.append(id)
        }
        return (ids, try fixed ?? LabelSet.generic(count: maximum + 1))
    }

    private static func nameLabels(_ values: [FieldValue], fixed: LabelSet?, table: RecordTable,
                                   location: (Int) -> RecordLocation) throws -> ([Int], LabelSet) {
        let labels: LabelSet
        if let fixed {
            labels = fixed
        } else {
            // Sorted by code point, as `datasets`' class_encode_column does.
            let names = Set(values.map(\.description)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            labels = try LabelSet(names: names)
        }
        var ids: [Int] = []
        ids.reserveCapacity(values.count)
        for (row, value) in values.enumerated() {
            let text = value.description
            guard let id = labels.id(of: text) else {
                throw DatasetError.unknownLabel(path: table.source, location: location(row), label: text, known: labels.names)
            }
            ids.append(id)
        }
        return (ids, labels)
    }
}
