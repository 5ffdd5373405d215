// The key/value metadata of a GGUF file with typed accessors whose errors name the key.

/// GGUF metadata in file order, with typed accessors that throw naming a missing or mistyped key.
public struct GGUFMetadata: Sendable {
    /// Keys in file order.
    public let keys: [String]
    /// Values by key.
    public let values: [String: GGUFValue]
    /// The file the metadata came from (for messages).
    public let path: String

    init(keys: [String], values: [String: GGUFValue], path: String) {
        self.keys = keys
        self.values = values
        self.path = path
    }

    /// The raw value of `key`, or nil.
    public subscript(key: String) -> GGUFValue? { values[key] }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { values[key] != nil }

    private func value(_ key: String) throws -> GGUFValue {
        guard let value = values[key] else { throw CheckpointError.metadataMissing(key: key, path: path) }
        return value
    }

    private func mismatch(_ key: String, _ expected: String, _ value: GGUFValue) -> CheckpointError {
        .metadataTypeMismatch(key: key, expected: expected, actual: value.typeDescription, path: path)
    }

    /// A string value.
    public func string(_ key: String) throws -> String {
        let value = try value(key)
        guard case let .string(text) = value else { throw mismatch(key, "string", value) }
        return text
    }

    /// An integer value of any integer type (a u64 above `Int.max` is an error).
    public func int(_ key: String) throws -> Int {
        let value = try value(key)
        guard let integer = value.intValue else { throw mismatch(key, "an integer", value) }
        return integer
    }

    /// A float value (float32 or float64; integers are accepted too, converted exactly when possible).
    public func float(_ key: String) throws -> Double {
        let value = try value(key)
        if let real = value.doubleValue { return real }
        if let integer = value.intValue { return Double(integer) }
        throw mismatch(key, "a float", value)
    }

    /// A boolean value.
    public func bool(_ key: String) throws -> Bool {
        let value = try value(key)
        guard case let .bool(flag) = value else { throw mismatch(key, "bool", value) }
        return flag
    }

    /// An array of strings.
    public func stringArray(_ key: String) throws -> [String] {
        let value = try value(key)
        guard case let .array(.string, elements) = value else { throw mismatch(key, "array of string", value) }
        return elements.map { if case let .string(text) = $0 { text } else { "" } }  // element type is checked on read
    }

    /// An array of integers (any integer element type).
    public func intArray(_ key: String) throws -> [Int] {
        let value = try value(key)
        guard case let .array(_, elements) = value else { throw mismatch(key, "array of integers", value) }
        var result: [Int] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let integer = element.intValue else { throw mismatch(key, "array of integers", value) }
            result.append(integer)
        }
        return result
    }

    /// An array of floats (float32/float64 elements).
    public func floatArray(_ key: String) throws -> [Double] {
        let value = try value(key)
        guard case let .array(_, elements) = value else { throw mismatch(key, "array of floats", value) }
        return try elements.map { element in
            guard let real = element.doubleValue else { throw mismatch(key, "array of floats", value) }
            return real
        }
    }

    /// `string(key)` if present, nil if absent (still throws if present with another type).
    public func optionalString(_ key: String) throws -> String? { contains(key) ? try string(key) : nil }
    /// `int(key)` if present, nil if absent.
    public func optionalInt(_ key: String) throws -> Int? { contains(key) ? try int(key) : nil }
    /// `float(key)` if present, nil if absent.
    public func optionalFloat(_ key: String) throws -> Double? { contains(key) ? try float(key) : nil }
    /// `bool(key)` if present, nil if absent.
    public func optionalBool(_ key: String) throws -> Bool? { contains(key) ? try bool(key) : nil }
}
