// A Hub id as users type it on a command line: `org/name`, `org/name:FILE` (a model's file),
// `org/name:SPLIT` or `org/name:CONFIG:SPLIT` (a dataset's split), or `hf://datasets/org/name…`.
import Foundation

/// A Hub id given on the command line: `org/name`, `org/name:PART[:PART]`, or `hf://[datasets/|models/]org/name…`.
public struct HubReference: Sendable, Equatable {
    /// The repository id (`org/name`).
    public let id: String
    /// What follows the id after ':' (a file for models; split, or config and split, for datasets).
    public let parts: [String]
    /// The repository type an `hf://datasets/` or `hf://models/` prefix named, if any.
    public let explicitType: HubRepoType?

    /// Parses `value`, or returns nil when it should be treated as a local path: it starts like a path
    /// (`/`, `.`, `~`), has other than one '/' in its id, or ends with a data or model file extension.
    public init?(_ value: String) {
        var text = Substring(value)
        var explicit = false
        var type: HubRepoType?
        if text.hasPrefix("hf://") {
            text = text.dropFirst(5)
            explicit = true
            if text.hasPrefix("datasets/") {
                text = text.dropFirst(9)
                type = .dataset
            } else if text.hasPrefix("models/") {
                text = text.dropFirst(7)
                type = .model
            }
        }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let id = pieces.first, pieces.count <= 3, !pieces.contains(where: \.isEmpty), HubRepository.isValidID(id) else { return nil }
        if !explicit {
            guard id.split(separator: "/").count == 2, !id.hasPrefix("."), !id.hasPrefix("~") else { return nil }
            let ext = URL(fileURLWithPath: id).pathExtension.lowercased()
            if DatasetFormat(pathExtension: ext) != nil || ["gguf", "safetensors", "bin", "txt"].contains(ext) { return nil }
        }
        self.id = id
        parts = Array(pieces.dropFirst())
        explicitType = type
    }
}
