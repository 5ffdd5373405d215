// The ordered class names of a classification task, with the id ↔ name maps Hugging Face's
// config.json stores (`id2label` keys are strings of integers).

import Foundation

/// Ordered class names: class id `i` is `names[i]`.
public struct LabelSet: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The class names in id order.
    public let names: [String]
    private let idsByName: [String: Int]

    /// A label set from names in id order; names must be unique and non-empty.
    public init(names: [String]) throws {
        guard !names.isEmpty else { throw DatasetError.invalidLabelSet(reason: "no class names") }
        var ids: [String: Int] = [:]
        for (id, name) in names.enumerated() {
            guard !name.isEmpty else {
                throw DatasetError.invalidLabelSet(reason: "class \(id) has an empty name")
            }
            if let previous = ids[name] {
                throw DatasetError.invalidLabelSet(reason: "\"\(name)\" is both class \(previous) and class \(id)")
            }
            ids[name] = id
        }
        self.names = names
        self.idsByName = ids
    }

    /// Hugging Face's default names for `count` classes: `LABEL_0`, `LABEL_1`, …
    public static func generic(count: Int) throws -> LabelSet {
        guard count > 0 else {
            throw DatasetError.invalidParameter(name: "class count", value: String(count), reason: "must be at least 1")
        }
        return try LabelSet(names: (0..<count).map { "LABEL_\($0)" })
    }

    /// A label set from a config.json `id2label` map (keys are decimal strings "0"…"n−1", no gaps).
    public init(id2label: [String: String]) throws {
        var names = [String?](repeating: nil, count: id2label.count)
        for (key, name) in id2label {
            guard let id = parseDecimalInteger(key), id >= 0, id < id2label.count else {
                throw DatasetError.invalidLabelSet(
                    reason: "id2label key \"\(key)\" is not an integer in 0..<\(id2label.count)")
            }
            names[id] = name
        }
        try self.init(names: names.map { $0 ?? "" })
    }

    /// Reads a classes file: one name per line (AG News' `classes.txt`); blank lines are ignored.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DatasetError.unreadableFile(path: url.path, reason: "\(error)")
        }
        let names = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !names.isEmpty else { throw DatasetError.emptyDataset(path: url.path) }
        try self.init(names: names)
    }

    /// Reads `id2label` from a Hugging Face model's `config.json` (keys "0"…"n−1").
    public init(configJSON url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DatasetError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        struct Config: Decodable { let id2label: [String: String]? }
        let config: Config
        do {
            config = try JSONDecoder().decode(Config.self, from: data)
        } catch {
            throw DatasetError.malformedJSON(path: url.path, location: .wholeFile,
                                             reason: "expected a config.json object with an id2label map (\(error))")
        }
        guard let id2label = config.id2label else {
            throw DatasetError.invalidLabelSet(reason: "\(url.path) has no id2label map")
        }
        try self.init(id2label: id2label)
    }

    /// The number of classes.
    public var count: Int { names.count }

    /// The id of a class name, or nil.
    public func id(of name: String) -> Int? { idsByName[name] }

    /// The name of a class id, or nil if out of range.
    public func name(of id: Int) -> String? {
        id >= 0 && id < names.count ? names[id] : nil
    }

    /// `id2label` as config.json writes it: `{"0": "World", …}`.
    public var id2label: [String: String] {
        Dictionary(uniqueKeysWithValues: names.enumerated().map { (String($0.offset), $0.element) })
    }

    /// `label2id` as config.json writes it: `{"World": 0, …}`.
    public var label2id: [String: Int] { idsByName }

    public var description: String { names.joined(separator: ", ") }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(names: try container.decode([String].self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(names)
    }

    public static func == (lhs: LabelSet, rhs: LabelSet) -> Bool { lhs.names == rhs.names }
    public func hash(into hasher: inout Hasher) { hasher.combine(names) }
}
