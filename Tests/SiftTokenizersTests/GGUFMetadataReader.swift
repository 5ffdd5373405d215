// A minimal GGUF metadata reader for tests: enough to pull `tokenizer.*` keys out of the SmolLM2 file.
// (The real GGUF reader lives in another module; this one only walks the key/value header.)
import Foundation

enum GGUFTestValue {
    case integer(Int)
    case string(String)
    case strings([String])
    case integers([Int])
    case other
}

struct GGUFTestMetadataError: Error, CustomStringConvertible {
    var description: String
}

enum GGUFMetadataReader {
    /// Reads the metadata key/values of a GGUF file (v2/v3).
    static func read(_ url: URL) throws -> [String: GGUFTestValue] {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        var offset = 0
        func need(_ count: Int) throws {
            guard offset + count <= data.count else { throw GGUFTestMetadataError(description: "GGUF truncated at byte \(offset)") }
        }
        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            try need(MemoryLayout<T>.size)
            let value = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
            offset += MemoryLayout<T>.size
            return T(littleEndian: value)
        }
        func string() throws -> String {
            let length = Int(try integer(UInt64.self))
            try need(length)
            let text = String(decoding: data[data.startIndex + offset ..< data.startIndex + offset + length], as: UTF8.self)
            offset += length
            return text
        }
        func scalar(_ type: UInt32) throws -> GGUFTestValue {
            switch type {
            case 0, 1, 7: return .integer(Int(try integer(UInt8.self)))
            case 2, 3: return .integer(Int(try integer(UInt16.self)))
            case 4: return .integer(Int(try integer(UInt32.self)))
            case 5: return .integer(Int(try integer(Int32.self)))
            case 6: _ = try integer(UInt32.self); return .other
            case 8: return .string(try string())
            case 10, 11, 12: return .integer(Int(truncatingIfNeeded: try integer(UInt64.self)))
            default: throw GGUFTestMetadataError(description: "unknown GGUF value type \(type) at byte \(offset)")
            }
        }
        guard try integer(UInt32.self) == 0x4655_4747 else { throw GGUFTestMetadataError(description: "not a GGUF file") }
        _ = try integer(UInt32.self)  // version
        _ = try integer(UInt64.self)  // tensor count
        let count = try integer(UInt64.self)
        var values: [String: GGUFTestValue] = [:]
        for _ in 0..<count {
            let key = try string()
            let type = try integer(UInt32.self)
            if type == 9 {
                let elementType = try integer(UInt32.self)
                let length = Int(try integer(UInt64.self))
                if elementType == 8 {
                    var items: [String] = []
                    items.reserveCapacity(length)
                    for _ in 0..<length { items.append(try string()) }
                    values[key] = .strings(items)
                } else {
                    var items: [Int] = []
                    items.reserveCapacity(length)
                    for _ in 0..<length {
                        if case .integer(let value) = try scalar(elementType) { items.append(value) }
                    }
                    values[key] = .integers(items)
                }
            } else {
                values[key] = try scalar(type)
            }
        }
        return values
    }
}
