// One cell of a record table: CSV gives only strings; JSON (and Parquet, through the lead's
// adapter) also gives numbers, booleans and nulls.

/// A single value of a record, before it is mapped to text or a label.
public enum FieldValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null
    /// A nested value (a JSON array or object), kept only as a description for error messages.
    case unsupported(String)

    /// The value as text if it is a string, else nil.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as an integer: an integer, a whole number, or a string holding a decimal integer.
    public var integerValue: Int? {
        switch self {
        case .integer(let value): return value
        case .number(let value):
            guard value.isFinite, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
            return Int(value)
        case .string(let text): return parseDecimalInteger(text)
        case .bool, .null, .unsupported: return nil
        }
    }

    /// How the value reads in a message or as a label name (strings without quotes).
    public var description: String {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .unsupported(let kind): return kind
        }
    }

    /// A short description of the value's kind for error messages.
    var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .integer(let value): return "the integer \(value)"
        case .number(let value): return "the number \(value)"
        case .bool(let value): return "the boolean \(value)"
        case .null: return "null"
        case .unsupported(let kind): return kind
        }
    }
}

/// Parses an optionally signed decimal integer with optional surrounding ASCII spaces
/// ("3", " 12 ", "-1"); nil for anything else (including "3.0" and "").
func parseDecimalInteger(_ text: String) -> Int? {
    var utf8 = Substring(text).utf8[...]
    while let first = utf8.first, first == UInt8(ascii: " ") { utf8 = utf8.dropFirst() }
    while let last = utf8.last, last == UInt8(ascii: " ") { utf8 = utf8.dropLast() }
    var negative = false
    if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
        negative = first == UInt8(ascii: "-")
        utf8 = utf8.dropFirst()
    }
    guard !utf8.isEmpty, utf8.count <= 18 else { return nil }
    var value = 0
    for byte in utf8 {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return negative ? -value : value
}
