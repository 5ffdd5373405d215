// Which files of a model repository Sift needs: a Hugging Face checkpoint (config, safetensors,
// tokenizer files) at the repository root, or one GGUF file.

/// The files to fetch for a model, and whether the model is a single GGUF file.
public struct HubModelFiles: Sendable, Equatable {
    /// Repository paths to download.
    public let files: [String]
    /// The GGUF file to load, when the model is one; nil for a checkpoint directory.
    public let ggufFile: String?

    /// Root files a checkpoint directory may need besides `*.safetensors`.
    static let checkpointFiles: Set<String> = [
        "config.json", "model.safetensors.index.json", "generation_config.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.txt", "vocab.json", "merges.txt", "chat_template.jinja", "chat_template.json",
    ]

    /// Chooses from a repository's `files`; `requested` names one file (`ID:FILE`), e.g. a GGUF quantization.
    public init(repositoryFiles files: [String], requested: String?, repo: HubRepository) throws {
        if let requested {
            guard files.contains(requested) else { throw HubError.fileNotFound(repo: repo, revision: "the chosen revision", path: requested) }
            self.files = [requested]
            ggufFile = requested.lowercased().hasSuffix(".gguf") ? requested : nil
            return
        }
        let root = files.filter { !$0.contains("/") }
        let safetensors = root.filter { $0.hasSuffix(".safetensors") }
        if root.contains("config.json"), !safetensors.isEmpty {
            self.files = root.filter { HubModelFiles.checkpointFiles.contains($0) || $0.hasSuffix(".safetensors") }.sorted()
            ggufFile = nil
            return
        }
        let gguf = files.filter { $0.lowercased().hasSuffix(".gguf") }.sorted()
        if gguf.count == 1 {
            self.files = gguf
            ggufFile = gguf[0]
            return
        }
        if gguf.count > 1 { throw HubError.ambiguousGGUF(repo: repo, files: gguf) }
        throw HubError.noModelFiles(repo: repo, files: files)
    }
}
