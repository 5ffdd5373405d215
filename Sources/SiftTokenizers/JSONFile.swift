// Reading JSON configuration files (tokenizer.json, tokenizer_config.json, vocab.json) with errors that name the
// file and the key. Uses `JSONValue` (not JSONSerialization, whose bridging makes large vocabularies slow on Linux).
import Foundation

/// A parsed JSON document and the path it came from, for error messages.
struct JSONFile {
    let path: String
    let root: [String: JSONValue]
    /// The top-level members in order (exact keys), for files that are themselves a vocabulary.
    let members: [JSONMember]

    init(url: URL) throws {
        path = url.path
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TokenizerError.fileNotFound(path: url.path, hint: "Check the path.")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: "\(error)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes: [UInt8](data))
        } catch {
            throw TokenizerError.malformedJSON(path: url.path, detail: "not valid JSON (\(error))")
        }
        guard let members = value.members else {
            throw TokenizerError.malformedJSON(path: url.path, detail: "the top level is not a JSON object")
        }
        self.members = members
        // A vocabulary file has many thousands of keys: keep those as members only.
        root = members.count > 1000 ? [:] : (value.objectValue ?? [:])
    }

    /// A nested object, or nil when absent or null; throws when present with another type.
    static func object(_ value: JSONValue?, key: String, path: String) throws -> [String: JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard let dictionary = value.objectValue else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be an object")
        }
        return dictionary
    }

    /// A list, or nil when absent or null; throws when present with another type.
    static func array(_ value: JSONValue?, key: String, path: String) throws -> [JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard let list = value.arrayValue else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be a list")
        }
        return list
    }

    static func string(_ value: JSONValue?, key: String, path: String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        guard let string = value.stringValue else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be a string")
        }
        return string
    }

    static func bool(_ value: JSONValue?, key: String, path: String) throws -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard let bool = value.boolValue else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be true or false")
        }
        return bool
    }

    static func int(_ value: JSONValue?, key: String, path: String) throws -> Int? {
        guard let value, !value.isNull else { return nil }
        guard case .number(let double) = value else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be an integer")
        }
        if double > 9e15 { return Int.max }  // e.g. model_max_length 1e30 means "no limit"
        guard double.isFinite, double.rounded() == double, double > -9e15 else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be an integer")
        }
        return Int(double)
    }

    /// A special token given as a string or as `{"content": ...}`.
    static func tokenContent(_ value: JSONValue?, key: String, path: String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        if let string = value.stringValue { return string }
        if let content = value.objectValue?["content"]?.stringValue { return content }
        throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be a token string or an object with \"content\"")
    }

    /// An added token description (`added_tokens` entries and `added_tokens_decoder` values).
    static func addedToken(_ value: JSONValue?, id: Int?, key: String, path: String) throws -> AddedToken {
        guard let dictionary = try object(value, key: key, path: path) else {
            throw TokenizerError.malformedJSON(path: path, detail: "\(key) should be an object")
        }
        guard let content = try string(dictionary["content"], key: "\(key).content", path: path) else {
            throw TokenizerError.malformedJSON(path: path, detail: "\(key) has no \"content\"")
        }
        guard let tokenId = try id ?? int(dictionary["id"], key: "\(key).id", path: path) else {
            throw TokenizerError.malformedJSON(path: path, detail: "\(key) has no \"id\"")
        }
        guard tokenId >= 0 && tokenId < 1 << 30 else {
            throw TokenizerError.malformedJSON(path: path, detail: "\(key) has an out-of-range id \(tokenId)")
        }
        return AddedToken(
            content: content, id: tokenId,
            special: try bool(dictionary["special"], key: "\(key).special", path: path) ?? false,
            leftStrip: try bool(dictionary["lstrip"], key: "\(key).lstrip", path: path) ?? false,
            rightStrip: try bool(dictionary["rstrip"], key: "\(key).rstrip", path: path) ?? false,
            singleWord: try bool(dictionary["single_word"], key: "\(key).single_word", path: path) ?? false,
            normalized: try bool(dictionary["normalized"], key: "\(key).normalized", path: path) ?? false)
    }

    /// A `token → id` vocabulary object as an id-indexed array.
    static func vocabulary(_ value: JSONValue?, key: String, path: String) throws -> [String?] {
        guard let value, let members = value.members else {
            throw TokenizerError.malformedJSON(path: path, detail: "missing \"\(key)\" (the token → id vocabulary object)")
        }
        return try vocabulary(members, key: key, path: path)
    }

    static func vocabulary(_ members: [JSONMember], key: String, path: String) throws -> [String?] {
        var maxId = -1
        var pairs: [(String, Int)] = []
        pairs.reserveCapacity(members.count)
        for member in members {
            let token = member.key
            let rawId = member.value
            guard let id = rawId.intValue, id >= 0, id < 1 << 30 else {
                throw TokenizerError.malformedJSON(path: path, detail: "\(key)[\"\(token)\"] should be a non-negative integer id")
            }
            pairs.append((token, id))
            maxId = max(maxId, id)
        }
        var tokens = [String?](repeating: nil, count: maxId + 1)
        for (token, id) in pairs where tokens[id] == nil {
            // Two tokens with one id: the first in the file keeps it.
            tokens[id] = token
        }
        return tokens
    }
}
