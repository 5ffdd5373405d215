// A small, exact JSON reader for JSON Lines input (the `sift tokenize` protocol and reference corpora).
// Foundation's JSONSerialization on Linux drops a U+FEFF at the start of a string value; this reader keeps
// every scalar, and reports the byte offset of any error.

/// A parsed JSON value.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// An object's members in file order. Keys are kept exactly (Swift `String` equality would merge
    /// canonically equivalent keys, which distinct vocabulary tokens can be).
    case object([JSONMember])

    /// An error while parsing JSON text: what was wrong and at which byte offset.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        /// Byte offset of the error in the input.
        public var offset: Int
        /// What was wrong.
        public var message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
    public static func parse(_ text: some StringProtocol) throws -> JSONValue {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses one JSON document from UTF-8 bytes.
    public static func parse(bytes input: [UInt8]) throws -> JSONValue {
        var bytes = input
        bytes.append(0)  // sentinel
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count - 1 else { throw parser.error("unexpected text after the value") }
        return value
    }

    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let value) = self { return value }; return nil }
    /// The array, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { return value }; return nil }
    /// The object as a dictionary (a repeated key keeps its last value), if this is an object.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        var dictionary: [String: JSONValue] = [:]
        dictionary.reserveCapacity(members.count)
        for member in members { dictionary[member.key] = member.value }
        return dictionary
    }
    /// The object's members in order, if this is an object.
    public var members: [JSONMember]? { if case .object(let value) = self { return value }; return nil }
    /// The Boolean, if this is one.
    public var boolValue: Bool? { if case .bool(let value) = self { return value }; return nil }
    /// Whether this is `null`.
    public var isNull: Bool { self == .null }
    /// The number as an exact integer, if it is one.
    public var intValue: Int? {
        if case .number(let value) = self, value.rounded() == value, abs(value) < 9e15 { return Int(value) }
        return nil
    }

    fileprivate struct Parser {
        let bytes: [UInt8]
        var position = 0
        static let maxDepth = 512

        func error(_ message: String) -> ParseError { ParseError(offset: position, message: message) }

        mutating func skipWhitespace() {
            while true {
                let byte = bytes[position]
                guard byte == 32 || byte == 9 || byte == 10 || byte == 13 else { return }
                position += 1
            }
        }

        mutating func parseValue(depth: Int) throws -> JSONValue {
            guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) levels") }
            guard position < bytes.count - 1 else { throw error("unexpected end of input") }
            switch bytes[position] {
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "["):
                position += 1
                var items: [JSONValue] = []
                skipWhitespace()
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                while true {
                    skipWhitespace()
                    items.append(try parseValue(depth: depth + 1))
                    skipWhitespace()
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                    throw error("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "{"):
                position += 1
                var members: [JSONMember] = []
                skipWhitespace()
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    let key = try parseString()
                    skipWhitespace()
                    guard bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                    position += 1
                    skipWhitespace()
                    members.append(JSONMember(key: key, value: try parseValue(depth: depth + 1)))
                    skipWhitespace()
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
                    throw error("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws {
            for byte in word.utf8 {
                guard bytes[position] == byte else { throw error("unexpected text (not a JSON value)") }
                position += 1
            }
        }

        mutating func parseNumber() throws -> Double {
            let start = position
            // Fast path: a plain integer of up to 15 digits.
            var integer = 0
            var fastDigits = 0
            while bytes[position] >= 48 && bytes[position] <= 57 && fastDigits < 16 {
                integer = integer * 10 + Int(bytes[position] - 48)
                position += 1
                fastDigits += 1
            }
            let next = bytes[position]
            if fastDigits > 0 && fastDigits < 16 && next != UInt8(ascii: ".") && next != UInt8(ascii: "e") && next != UInt8(ascii: "E")
                && !(next >= 48 && next <= 57) && !(fastDigits > 1 && bytes[start] == 48) {
                return Double(integer)
            }
            position = start
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            var digits = 0
            while bytes[position] >= 48 && bytes[position] <= 57 { position += 1; digits += 1 }
            guard digits > 0 else { throw error("expected digits") }
            if bytes[position] == UInt8(ascii: ".") {
                position += 1
                var fraction = 0
                while bytes[position] >= 48 && bytes[position] <= 57 { position += 1; fraction += 1 }
                guard fraction > 0 else { throw error("expected digits after '.'") }
            }
            if bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                var exponent = 0
                while bytes[position] >= 48 && bytes[position] <= 57 { position += 1; exponent += 1 }
                guard exponent > 0 else { throw error("expected exponent digits") }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let value = Double(text) else { throw error("bad number \(text)") }
            return value
        }

        mutating func hex4() throws -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt32
                switch byte {
                case 48...57: digit = UInt32(byte - 48)
                case 65...70: digit = UInt32(byte - 55)
                case 97...102: digit = UInt32(byte - 87)
                default: throw error("expected four hex digits after \\u")
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        mutating func parseString() throws -> String {
            position += 1  // opening quote
            var output: [UInt8] = []
            while true {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") { position += 1; break }
                if byte == 0 && position == bytes.count - 1 { throw error("unterminated string") }
                if byte < 0x20 { throw error("unescaped control character in a string") }
                if byte != UInt8(ascii: "\\") {
                    output.append(byte)
                    position += 1
                    continue
                }
                position += 1
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): output.append(0x22)
                case UInt8(ascii: "\\"): output.append(0x5C)
                case UInt8(ascii: "/"): output.append(0x2F)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar), bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        let saved = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = saved
                        }
                    }
                    // A lone surrogate cannot be a Swift string scalar: it becomes U+FFFD (as Python's "replace").
                    if (0xD800...0xDFFF).contains(scalar) { scalar = 0xFFFD }
                    Tokenizer.appendUTF8(scalar, to: &output)
                default:
                    position -= 1
                    throw error("unknown escape \\\(Character(Unicode.Scalar(escape)))")
                }
            }
            // Invalid UTF-8 in the input is replaced by U+FFFD.
            return String(decoding: output, as: UTF8.self)
        }
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    /// The member name, exactly as written.
    public var key: String
    /// The member value.
    public var value: JSONValue

    /// A member from its key and value.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }

    /// Keys compare by exact scalars, not canonical equivalence.
    public static func == (lhs: JSONMember, rhs: JSONMember) -> Bool {
        lhs.key.unicodeScalars.elementsEqual(rhs.key.unicodeScalars) && lhs.value == rhs.value
    }
}
