// The model hyper-parameters and tokenizer data a GGUF file carries in its metadata.

/// Transformer hyper-parameters read from `{architecture}.*` GGUF keys (llama, qwen2, qwen3, …).
public struct GGUFModelConfig: Sendable, Equatable {
    /// `general.architecture`, e.g. `llama`.
    public let architecture: String
    /// `{arch}.block_count`: number of decoder layers.
    public let blockCount: Int
    /// `{arch}.embedding_length`: hidden size.
    public let embeddingLength: Int
    /// `{arch}.feed_forward_length`: MLP intermediate size.
    public let feedForwardLength: Int
    /// `{arch}.attention.head_count`.
    public let headCount: Int
    /// `{arch}.attention.head_count_kv` (defaults to `headCount`, as llama.cpp does).
    public let headCountKV: Int
    /// `{arch}.attention.key_length` if present, else `embeddingLength / headCount`.
    public let headDimension: Int
    /// `{arch}.rope.freq_base` (defaults to 10000, as llama.cpp does).
    public let ropeFreqBase: Double
    /// `{arch}.attention.layer_norm_rms_epsilon`.
    public let rmsNormEpsilon: Double
    /// `{arch}.context_length`.
    public let contextLength: Int
    /// `{arch}.vocab_size` if present, else the number of `tokenizer.ggml.tokens`.
    public let vocabSize: Int

    /// Reads the configuration; throws naming the first missing or mistyped key.
    public init(metadata: GGUFMetadata) throws {
        architecture = try metadata.string("general.architecture")
        let prefix = architecture + "."
        blockCount = try metadata.int(prefix + "block_count")
        embeddingLength = try metadata.int(prefix + "embedding_length")
        feedForwardLength = try metadata.int(prefix + "feed_forward_length")
        headCount = try metadata.int(prefix + "attention.head_count")
        headCountKV = try metadata.optionalInt(prefix + "attention.head_count_kv") ?? headCount
        guard headCount > 0, headCountKV > 0, embeddingLength > 0 else {
            throw CheckpointError.malformedGGUF(path: metadata.path, offset: 0,
                                                reason: "head counts (\(headCount), \(headCountKV)) and embedding length (\(embeddingLength)) must be positive")
        }
        headDimension = try metadata.optionalInt(prefix + "attention.key_length") ?? embeddingLength / headCount
        ropeFreqBase = try metadata.optionalFloat(prefix + "rope.freq_base") ?? 10_000
        rmsNormEpsilon = try metadata.float(prefix + "attention.layer_norm_rms_epsilon")
        contextLength = try metadata.int(prefix + "context_length")
        if let declared = try metadata.optionalInt(prefix + "vocab_size") {
            vocabSize = declared
        } else {
            vocabSize = try metadata.stringArray("tokenizer.ggml.tokens").count
        }
    }
}

/// The tokenizer a GGUF file embeds (`tokenizer.ggml.*`, `tokenizer.chat_template`).
public struct GGUFTokenizerData: Sendable, Equatable {
    /// `tokenizer.ggml.model`: `gpt2` (byte-level BPE), `llama` (SentencePiece), …
    public let model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer name (e.g. `smollm`, `qwen2`), if present.
    public let preTokenizer: String?
    /// `tokenizer.ggml.tokens`: the vocabulary, by id.
    public let tokens: [String]
    /// `tokenizer.ggml.merges`: BPE merges (`"a b"`), empty if absent.
    public let merges: [String]
    /// `tokenizer.ggml.token_type`: per-token type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), if present.
    public let tokenTypes: [Int]?
    /// `tokenizer.ggml.bos_token_id`, if present.
    public let bosTokenID: Int?
    /// `tokenizer.ggml.eos_token_id`, if present.
    public let eosTokenID: Int?
    /// `tokenizer.ggml.padding_token_id`, if present.
    public let paddingTokenID: Int?
    /// `tokenizer.ggml.unknown_token_id`, if present.
    public let unknownTokenID: Int?
    /// `tokenizer.ggml.add_bos_token`, if present.
    public let addBOSToken: Bool?
    /// `tokenizer.ggml.add_eos_token`, if present.
    public let addEOSToken: Bool?
    /// `tokenizer.chat_template` (Jinja), if present.
    public let chatTemplate: String?

    /// Reads the tokenizer keys; `tokenizer.ggml.model` and `tokenizer.ggml.tokens` are required.
    public init(metadata: GGUFMetadata) throws {
        model = try metadata.string("tokenizer.ggml.model")
        preTokenizer = try metadata.optionalString("tokenizer.ggml.pre")
        tokens = try metadata.stringArray("tokenizer.ggml.tokens")
        merges = metadata.contains("tokenizer.ggml.merges") ? try metadata.stringArray("tokenizer.ggml.merges") : []
        tokenTypes = metadata.contains("tokenizer.ggml.token_type") ? try metadata.intArray("tokenizer.ggml.token_type") : nil
        bosTokenID = try metadata.optionalInt("tokenizer.ggml.bos_token_id")
        eosTokenID = try metadata.optionalInt("tokenizer.ggml.eos_token_id")
        paddingTokenID = try metadata.optionalInt("tokenizer.ggml.padding_token_id")
        unknownTokenID = try metadata.optionalInt("tokenizer.ggml.unknown_token_id")
        addBOSToken = try metadata.optionalBool("tokenizer.ggml.add_bos_token")
        addEOSToken = try metadata.optionalBool("tokenizer.ggml.add_eos_token")
        chatTemplate = try metadata.optionalString("tokenizer.chat_template")
        if let tokenTypes, tokenTypes.count != tokens.count {
            throw CheckpointError.malformedGGUF(path: metadata.path, offset: 0,
                                                reason: "tokenizer.ggml.token_type has \(tokenTypes.count) entries for \(tokens.count) tokens")
        }
        for (key, id) in [("bos", bosTokenID), ("eos", eosTokenID), ("padding", paddingTokenID), ("unknown", unknownTokenID)] {
            if let id, !(0..<tokens.count).contains(id) {
                throw CheckpointError.malformedGGUF(path: metadata.path, offset: 0,
                                                    reason: "tokenizer.ggml.\(key)_token_id \(id) is outside the vocabulary of \(tokens.count) tokens")
            }
        }
    }
}

extension GGUFFile {
    /// The model hyper-parameters (see ``GGUFModelConfig``).
    public func modelConfig() throws -> GGUFModelConfig { try GGUFModelConfig(metadata: metadata) }
    /// The embedded tokenizer (see ``GGUFTokenizerData``).
    public func tokenizerData() throws -> GGUFTokenizerData { try GGUFTokenizerData(metadata: metadata) }
}
