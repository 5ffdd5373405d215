// Reading JSON configuration files into Foundation values with errors that name the file and the key.
import Foundation

/// A parsed JSON document and the path it came from, for error messages.
struct JSONFile {
    let path: String
    let root: [String: Any]

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
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw TokenizerError.malformedJSON(path: url.path, detail: "not valid JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw TokenizerError.malformedJSON(path: url.path, detail: "the top level is not a JSON object")
        }
        root = dictionary
    }

    /// A nested object, or nil when absent or null; throws when present with another type.
    static func object(_ value: Any?, key: String, path: String) throws -> [String: Any]? {
        guard let value, !(value is NSNull) else { return nil }
        guard let dictionary = value as? [String: Any] else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be an object")
        }
        return dictionary
    }

    static func string(_ value: Any?, key: String, path: String) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let string = value as? String else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be a string")
        }
        return string
    }

    static func bool(_ value: Any?, key: String, path: String) throws -> Bool? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? NSNumber { return number.boolValue }
        if let bool = value as? Bool { return bool }
        throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be true or false")
    }

    static func int(_ value: Any?, key: String, path: String) throws -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? NSNumber {
            let double = number.doubleValue
            guard double.isFinite, double.rounded() == double, abs(double) < 9e15 else {
                if double > 9e15 { return Int.max }  // e.g. model_max_length 1e30 means "no limit"
                throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be an integer")
            }
            return Int(double)
        }
        throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be an integer")
    }

    /// A special token given as a string or as `{"content": ...}`.
    static func tokenContent(_ value: Any?, key: String, path: String) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        if let string = value as? String { return string }
        if let dictionary = value as? [String: Any], let content = dictionary["content"] as? String { return content }
        throw TokenizerError.malformedJSON(path: path, detail: "\"\(key)\" should be a token string or an object with \"content\"")
    }

    /// An added token description (`added_tokens` entries and `added_tokens_decoder` values).
    static func addedToken(_ value: Any?, id: Int?, key: String, path: String) throws -> AddedToken {
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
    static func vocabulary(_ value: Any?, key: String, path: String) throws -> [String?] {
        guard let dictionary = try object(value, key: key, path: path) else {
            throw TokenizerError.malformedJSON(path: path, detail: "missing \"\(key)\" (the token → id vocabulary)")
        }
        var maxId = -1
        var pairs: [(String, Int)] = []
        pairs.reserveCapacity(dictionary.count)
        for (token, rawId) in dictionary {
            guard let number = rawId as? NSNumber, number.doubleValue >= 0, number.doubleValue < Double(1 << 30),
                  number.doubleValue.rounded() == number.doubleValue else {
                throw TokenizerError.malformedJSON(path: path, detail: "\(key)[\"\(token)\"] should be a non-negative integer id")
            }
            let id = number.intValue
            pairs.append((token, id))
            maxId = max(maxId, id)
        }
        var tokens = [String?](repeating: nil, count: maxId + 1)
        for (token, id) in pairs {
            // Two tokens with one id: keep the lexicographically first, deterministic whatever the dictionary order.
            if let existing = tokens[id], existing < token { continue }
            tokens[id] = token
        }
        return tokens
    }
}
