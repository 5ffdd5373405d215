// Building a byte-level BPE tokenizer from in-memory arrays, e.g. a GGUF file's `tokenizer.ggml.*` metadata.

/// Everything needed to build a byte-level BPE tokenizer without files: the arrays a GGUF file stores.
public struct ByteLevelBPEDescription: Sendable {
    /// GGUF token types (`tokenizer.ggml.token_type`).
    public enum TokenType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Vocabulary strings by id, in the byte-level alphabet (`tokenizer.ggml.tokens`).
    public var tokens: [String]
    /// Merges as "left right" strings, by rank (`tokenizer.ggml.merges`).
    public var merges: [String]
    /// Token type per id (`tokenizer.ggml.token_type`, raw values); empty means all normal. Control tokens
    /// become special added tokens, user-defined tokens non-special added tokens (matched in the text).
    public var tokenTypes: [Int32]
    /// The pre-tokenization regex (see `SplitPattern(ggufPre:)`).
    public var pattern: SplitPattern
    /// Apply NFC before splitting (Qwen2/Qwen3).
    public var normalizeNFC: Bool
    /// Beginning-of-sequence id (`tokenizer.ggml.bos_token_id`).
    public var bosTokenId: Int?
    /// End-of-sequence id (`tokenizer.ggml.eos_token_id`).
    public var eosTokenId: Int?
    /// Padding id (`tokenizer.ggml.padding_token_id`).
    public var paddingTokenId: Int?
    /// Unknown-token id (`tokenizer.ggml.unknown_token_id`), used for bytes missing from the vocabulary.
    public var unknownTokenId: Int?
    /// Add the BOS token at the start of each sequence when special tokens are requested.
    public var addBOS: Bool
    /// Add the EOS token at the end of each sequence when special tokens are requested.
    public var addEOS: Bool
    /// The Jinja chat template (`tokenizer.chat_template`).
    public var chatTemplate: String?
    /// Keep a word whole when it is itself a token, before merging (`ignore_merges`, set by Llama-3's
    /// tokenizer.json; Qwen, GPT-2 and SmolLM leave it off).
    public var ignoreMerges: Bool

    /// Describes a byte-level BPE tokenizer; see the properties for the GGUF keys each comes from.
    public init(tokens: [String], merges: [String], tokenTypes: [Int32] = [], pattern: SplitPattern,
                normalizeNFC: Bool = false, bosTokenId: Int? = nil, eosTokenId: Int? = nil, paddingTokenId: Int? = nil,
                unknownTokenId: Int? = nil, addBOS: Bool = false, addEOS: Bool = false, chatTemplate: String? = nil,
                ignoreMerges: Bool = false) {
        self.tokens = tokens
        self.merges = merges
        self.tokenTypes = tokenTypes
        self.pattern = pattern
        self.normalizeNFC = normalizeNFC
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.paddingTokenId = paddingTokenId
        self.unknownTokenId = unknownTokenId
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.chatTemplate = chatTemplate
        self.ignoreMerges = ignoreMerges
    }
}

extension Tokenizer {
    /// Builds a byte-level BPE tokenizer from arrays (as Hugging Face's GGUF conversion does: BPE over the
    /// tokens and merges, the given split regex, control and user-defined tokens as added tokens).
    public convenience init(byteLevelBPE description: ByteLevelBPEDescription) throws {
        let tokens = description.tokens
        guard !tokens.isEmpty else { throw TokenizerError.invalidArrays(detail: "the token list is empty") }
        guard description.tokenTypes.isEmpty || description.tokenTypes.count == tokens.count else {
            throw TokenizerError.invalidArrays(detail: "\(description.tokenTypes.count) token types for \(tokens.count) tokens")
        }
        for (name, id) in [("bos", description.bosTokenId), ("eos", description.eosTokenId),
                           ("padding", description.paddingTokenId), ("unknown", description.unknownTokenId)] {
            if let id, id < 0 || id >= tokens.count {
                throw TokenizerError.invalidArrays(detail: "\(name) token id \(id) is outside the vocabulary of \(tokens.count) tokens")
            }
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(description.merges.count)
        for (rank, merge) in description.merges.enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError.invalidArrays(detail: "merge \(rank) \"\(merge.prefix(80))\" is not two tokens separated by one space")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        var added: [AddedToken] = []
        for (id, type) in description.tokenTypes.enumerated() {
            switch ByteLevelBPEDescription.TokenType(rawValue: type) {
            case .control: added.append(AddedToken(content: tokens[id], id: id, special: true))
            case .userDefined: added.append(AddedToken(content: tokens[id], id: id, special: false))
            default: break
            }
        }
        let unknown = description.unknownTokenId.map { tokens[$0] }
        let model = try BPEModel(tokens: tokens, merges: merges, unknownToken: unknown, ignoreMerges: description.ignoreMerges)
        var single: [PostProcessor.Piece] = [.sequence(first: true, typeId: 0)]
        var pair: [PostProcessor.Piece] = [.sequence(first: true, typeId: 0)]
        if description.addBOS, let bos = description.bosTokenId {
            single.insert(.special(ids: [bos], typeId: 0), at: 0)
            pair.insert(.special(ids: [bos], typeId: 0), at: 0)
        }
        if description.addEOS, let eos = description.eosTokenId {
            single.append(.special(ids: [eos], typeId: 0))
            pair.append(.special(ids: [eos], typeId: 0))
        }
        if description.addBOS, let bos = description.bosTokenId { pair.append(.special(ids: [bos], typeId: 1)) }
        pair.append(.sequence(first: false, typeId: 1))
        if description.addEOS, let eos = description.eosTokenId { pair.append(.special(ids: [eos], typeId: 1)) }
        self.init(
            model: .bytePairEncoding(model), normalizer: description.normalizeNFC ? .unicode(.nfc) : nil,
            preTokenizer: .byteLevel(description.pattern, addPrefixSpace: false),
            vocabulary: tokens, addedTokens: added, postProcessor: PostProcessor(single: single, pair: pair),
            padToken: description.paddingTokenId.map { tokens[$0] }, bosToken: description.bosTokenId.map { tokens[$0] },
            eosToken: description.eosTokenId.map { tokens[$0] }, unknownToken: unknown, modelMaxLength: nil,
            chatTemplate: description.chatTemplate)
    }
}
