// GGUF metadata values: the thirteen value types of the format, arrays (nested too) included.

/// The type tag of a GGUF metadata value, as stored in the file.
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The smallest number of bytes one value of this type takes in the file
    /// (used to reject claimed counts that the remaining bytes cannot hold, before allocating).
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8  // a string has at least its u64 length
        case .array: 12  // u32 element type + u64 count
        }
    }
}

/// One GGUF metadata value.
public indirect enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    /// An array: the declared element type and the elements (arrays may nest).
    case array(elementType: GGUFValueType, values: [GGUFValue])

    /// The value's type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// The value as an `Int` if it is an integer type that fits.
    public var intValue: Int? {
        switch self {
        case let .uint8(value): Int(value)
        case let .int8(value): Int(value)
        case let .uint16(value): Int(value)
        case let .int16(value): Int(value)
        case let .uint32(value): Int(value)
        case let .int32(value): Int(value)
        case let .uint64(value): Int(exactly: value)
        case let .int64(value): Int(value)
        default: nil
        }
    }

    /// The value as a `Double` if it is a float type (f32 widened exactly).
    public var doubleValue: Double? {
        switch self {
        case let .float32(value): Double(value)
        case let .float64(value): value
        default: nil
        }
    }

    /// A short type description for messages, e.g. `uint32` or `array of string`.
    public var typeDescription: String {
        if case let .array(elementType, _) = self { return "array of \(elementType)" }
        return "\(type)"
    }

    public var description: String {
        switch self {
        case let .string(text): return text.count > 80 ? "\"\(text.prefix(80))…\"" : "\"\(text)\""
        case let .array(elementType, values): return "[\(values.count) × \(elementType)]"
        case let .bool(value): return "\(value)"
        case let .float32(value): return "\(value)"
        case let .float64(value): return "\(value)"
        case let .uint8(value): return String(value)
        case let .int8(value): return String(value)
        case let .uint16(value): return String(value)
        case let .int16(value): return String(value)
        case let .uint32(value): return String(value)
        case let .int32(value): return String(value)
        case let .uint64(value): return String(value)
        case let .int64(value): return String(value)
        }
    }
}
