// Deciding whether the first CSV/TSV record is a header row.

/// Whether a CSV/TSV file starts with a header row.
public enum HeaderMode: Sendable, Hashable {
    /// The first record is a header.
    case present
    /// Every record is data; columns are referred to by index.
    case absent
    /// Decide: see ``HeaderDetection/firstRecordIsHeader(_:mapping:)``.
    case automatic
}

/// The header heuristic used by ``HeaderMode/automatic``.
public enum HeaderDetection {
    /// Whether the first of `records` is a header, given the column mapping.
    ///
    /// - If the mapping names any column (`"text"`), the file must have a header: true.
    /// - Otherwise (columns by index) the first record is a header when its fields are non-empty and
    ///   distinct and either (a) some column is a non-integer in the first record but an integer in
    ///   every one of the next (up to 50) records — a label column under its name — or (b) every field
    ///   looks like a name (starts with a letter or `_`, at most 40 characters of letters, digits, `_`,
    ///   `-`, `.`, no spaces) and none of them recurs in its column in the next records.
    ///   AG News' headerless `"3","Title","Description"` fails both and reads as data.
    public static func firstRecordIsHeader(_ records: [[String]], mapping: ColumnMapping) -> Bool {
        for reference in mapping.referencedColumns {
            if case .name = reference { return true }
        }
        guard let first = records.first, !first.isEmpty else { return false }
        guard first.allSatisfy({ !$0.isEmpty }), Set(first).count == first.count else { return false }
        let sample = records.dropFirst().prefix(50)
        guard !sample.isEmpty else { return first.allSatisfy(looksLikeName) }
        for column in first.indices where parseDecimalInteger(first[column]) == nil {
            if sample.allSatisfy({ column < $0.count && parseDecimalInteger($0[column]) != nil }) { return true }
        }
        guard first.allSatisfy(looksLikeName) else { return false }
        for column in first.indices where sample.contains(where: { column < $0.count && $0[column] == first[column] }) {
            return false
        }
        return true
    }

    static func looksLikeName(_ field: String) -> Bool {
        let scalars = field.unicodeScalars
        guard let first = scalars.first, scalars.count <= 40 else { return false }
        guard first.properties.isAlphabetic || first == "_" else { return false }
        return scalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }
}
