// A repository on the Hugging Face Hub: its kind (model or dataset) and its id ("org/name").

/// The kind of a Hub repository; it decides the URL prefix and the cache folder prefix.
public enum HubRepoType: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    case model, dataset

    /// The plural used in API paths and cache folder names (`models`, `datasets`).
    public var plural: String { rawValue + "s" }

    public var description: String { rawValue }
}

/// A Hub repository, e.g. `model google-bert/bert-base-uncased` or `dataset fancyzhx/ag_news`.
public struct HubRepository: Sendable, Hashable, CustomStringConvertible {
    /// The id as the Hub spells it: `name` or `org/name`.
    public let id: String
    /// Model or dataset.
    public let type: HubRepoType

    /// Checks `id` with the Hub's rules (at most one `/`; letters, digits, `-`, `_`, `.`; each part starts
    /// and ends with a letter, digit or `_`; no `--` or `..`; at most 96 characters).
    public init(id: String, type: HubRepoType = .model) throws {
        if let problem = HubRepository.problem(with: id) {
            throw HubError.invalidRepoID(id: id, reason: problem)
        }
        self.id = id
        self.type = type
    }

    /// Whether `text` is a well-formed Hub id.
    public static func isValidID(_ text: String) -> Bool { problem(with: text) == nil }

    /// Why `text` is not a valid Hub id, or nil if it is.
    static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "it is empty" }
        guard bytes.count <= 96 else { return "it is longer than 96 characters" }
        if text.contains("--") || text.contains("..") { return "it contains '--' or '..'" }
        if text.hasSuffix(".git") { return "it ends with '.git'" }
        let parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "it has more than one '/' (expected 'name' or 'org/name')" }
        for part in parts {
            guard let first = part.first, let last = part.last else { return "a part around '/' is empty" }
            guard isWordByte(first), isWordByte(last) else {
                return "each part must start and end with a letter, a digit or '_'"
            }
            for byte in part where !(isWordByte(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")) {
                return "it contains '\(Character(Unicode.Scalar(byte)))' (allowed: letters, digits, '-', '_', '.')"
            }
        }
        return nil
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// The cache folder name huggingface_hub uses: `models--org--name`, `datasets--org--name`.
    public var cacheFolderName: String {
        ([type.plural] + id.split(separator: "/").map(String.init)).joined(separator: "--")
    }

    /// The path prefix of file URLs: `org/name` for models, `datasets/org/name` for datasets.
    var resolvePrefix: String { type == .model ? id : "datasets/" + id }

    public var description: String { "\(type) '\(id)'" }
}

/// Whether a revision is a full commit hash (40 lowercase hex digits), which never moves.
func isCommitHash(_ revision: String) -> Bool {
    let bytes = Array(revision.utf8)
    return bytes.count == 40 && bytes.allSatisfy {
        ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
    }
}
