// A Hugging Face tokenizer.json (+ tokenizer_config.json) for the byte-level BPE tokenizer stored
// in a GGUF file, laid out as transformers' GGUF conversion builds it, so a checkpoint saved from
// a GGUF model carries a tokenizer that Sift and Python both load.
import Foundation
import SiftCheckpoints
import SiftTokenizers

enum GGUFTokenizerExport {
    /// `tokenizer.json` and `tokenizer_config.json` contents.
    static func files(_ t: GGUFTokenizerData, pattern: SplitPattern, normalizeNFC: Bool, contextLength: Int) throws -> [String: Data] {
        let types = t.tokenTypes ?? []
        var added: [ConfigJSON] = []
        for (id, token) in t.tokens.enumerated() where id < types.count && (types[id] == 3 || types[id] == 4) {
            added.append(.object([
                "id": .number(Double(id)), "content": .string(token), "single_word": .bool(false), "lstrip": .bool(false),
                "rstrip": .bool(false), "normalized": .bool(types[id] == 4), "special": .bool(types[id] == 3),
            ]))
        }
        var vocab: [String: ConfigJSON] = [:]
        for (id, token) in t.tokens.enumerated() { vocab[token] = .number(Double(id)) }
        let merges: [ConfigJSON] = t.merges.map { merge in
            let parts = merge.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return .array(parts.map { .string($0) })
        }
        let byteLevel: (Bool, Bool, Bool) -> ConfigJSON = { prefix, trim, regex in
            .object(["type": .string("ByteLevel"), "add_prefix_space": .bool(prefix), "trim_offsets": .bool(trim), "use_regex": .bool(regex)])
        }
        let tokenizer: [String: ConfigJSON] = [
            "version": .string("1.0"), "truncation": .null, "padding": .null, "added_tokens": .array(added),
            "normalizer": normalizeNFC ? .object(["type": .string("NFC")]) : .null,
            "pre_tokenizer": .object(["type": .string("Sequence"), "pretokenizers": .array([
                .object(["type": .string("Split"), "pattern": .object(["Regex": .string(pattern.regex)]),
                         "behavior": .string("Isolated"), "invert": .bool(false)]),
                byteLevel(false, true, false),
            ])]),
            "post_processor": byteLevel(true, false, true),
            "decoder": byteLevel(true, true, true),
            "model": .object([
                "type": .string("BPE"), "dropout": .null, "unk_token": .null, "continuing_subword_prefix": .string(""),
                "end_of_word_suffix": .string(""), "fuse_unk": .bool(false), "byte_fallback": .bool(false),
                "ignore_merges": .bool(false), "vocab": .object(vocab), "merges": .array(merges),
            ]),
        ]
        func token(_ id: Int?) -> ConfigJSON {
            guard let id, id >= 0, id < t.tokens.count else { return .null }
            return .string(t.tokens[id])
        }
        var config: [String: ConfigJSON] = [
            "tokenizer_class": .string("PreTrainedTokenizerFast"), "model_max_length": .number(Double(contextLength)),
            "bos_token": token(t.bosTokenID), "eos_token": token(t.eosTokenID), "pad_token": token(t.paddingTokenID),
            "unk_token": token(t.unknownTokenID), "add_bos_token": .bool(t.addBOSToken ?? false),
            "add_eos_token": .bool(t.addEOSToken ?? false), "clean_up_tokenization_spaces": .bool(false),
        ]
        if let template = t.chatTemplate { config["chat_template"] = .string(template) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ["tokenizer.json": try encoder.encode(ConfigJSON.object(tokenizer)),
                "tokenizer_config.json": try encoder.encode(ConfigJSON.object(config))]
    }
}
