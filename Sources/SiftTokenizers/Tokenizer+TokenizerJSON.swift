// Loading a Hugging Face `tokenizer.json` (with the `tokenizer_config.json` beside it, if any).
import Foundation

extension Tokenizer {
    /// Loads a tokenizer from a directory (`tokenizer.json`, else `vocab.txt` or `vocab.json` + `merges.txt`,
    /// with `tokenizer_config.json`) or from a `tokenizer.json` file.
    public static func load(from url: URL) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerError.fileNotFound(path: url.path, hint: "Pass a tokenizer directory or a tokenizer.json file.")
        }
        if !isDirectory.boolValue {
            return try Tokenizer(tokenizerJSON: url)
        }
        let json = url.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) { return try Tokenizer(tokenizerJSON: json) }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("vocab.txt").path) {
            return try Tokenizer(bertDirectory: url)
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("vocab.json").path) {
            return try Tokenizer(bytePairDirectory: url)
        }
        throw TokenizerError.fileNotFound(
            path: url.path,
            hint: "The directory has no tokenizer.json, vocab.txt or vocab.json + merges.txt.")
    }

    /// Loads a `tokenizer.json`. Settings from a `tokenizer_config.json` in the same directory (pad token,
    /// chat template, model max length) are used when present. As in `transformers`, the file's own
    /// `truncation` and `padding` sections are ignored: pass `EncodeOptions` instead.
    public convenience init(tokenizerJSON url: URL) throws {
        let file = try JSONFile(url: url)
        let config = try TokenizerConfig.load(directory: url.deletingLastPathComponent())
        let path = file.path
        let root = file.root

        var added: [AddedToken] = []
        if let entries = try JSONFile.array(root["added_tokens"], key: "added_tokens", path: path) {
            for (index, entry) in entries.enumerated() {
                added.append(try JSONFile.addedToken(entry, id: nil, key: "added_tokens[\(index)]", path: path))
            }
        }

        guard let modelObject = try JSONFile.object(root["model"], key: "model", path: path) else {
            throw TokenizerError.malformedJSON(path: path, detail: "missing \"model\"")
        }
        let modelType = try JSONFile.string(modelObject["type"], key: "model.type", path: path)
            ?? (modelObject["merges"] != nil ? "BPE" : "WordPiece")
        let vocabulary = try JSONFile.vocabulary(modelObject["vocab"], key: "model.vocab", path: path)

        let model: Model
        let unknown = try JSONFile.string(modelObject["unk_token"], key: "model.unk_token", path: path)
        switch modelType {
        case "WordPiece":
            let tokens = vocabulary.map { $0 ?? "" }
            model = .wordPiece(try WordPieceModel(
                tokens: tokens, unknownToken: unknown ?? "[UNK]",
                continuationPrefix: try JSONFile.string(modelObject["continuing_subword_prefix"], key: "model.continuing_subword_prefix", path: path) ?? "##",
                maxInputCharsPerWord: try JSONFile.int(modelObject["max_input_chars_per_word"], key: "model.max_input_chars_per_word", path: path) ?? 100))
        case "BPE":
            for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
                if let value = try JSONFile.string(modelObject[key], key: "model.\(key)", path: path), !value.isEmpty {
                    throw TokenizerError.unsupported(path: path, component: "BPE \(key)", detail: "\"\(value)\" (only byte-level BPE without prefixes/suffixes is implemented)")
                }
            }
            if try JSONFile.bool(modelObject["byte_fallback"], key: "model.byte_fallback", path: path) == true {
                throw TokenizerError.unsupported(path: path, component: "BPE byte_fallback", detail: "SentencePiece-style BPE (Llama-2, Mistral) is not implemented")
            }
            let merges = try Self.parseMerges(modelObject["merges"], path: path)
            model = .bytePairEncoding(try BPEModel(
                tokens: vocabulary, merges: merges, unknownToken: unknown,
                ignoreMerges: try JSONFile.bool(modelObject["ignore_merges"], key: "model.ignore_merges", path: path) ?? false))
        default:
            throw TokenizerError.unsupported(path: path, component: "model type", detail: "\"\(modelType)\"")
        }

        let normalizer = try Self.parseNormalizer(root["normalizer"], path: path)
        let preTokenizer = try Self.parsePreTokenizer(root["pre_tokenizer"], path: path)
        if case .wordPiece = model, case .byteLevel = preTokenizer {
            throw TokenizerError.unsupported(path: path, component: "pre_tokenizer", detail: "a byte-level pre-tokenizer with a WordPiece model")
        }
        if case .bytePairEncoding = model, case .bert = preTokenizer {
            throw TokenizerError.unsupported(path: path, component: "pre_tokenizer", detail: "a BERT pre-tokenizer with a BPE model")
        }
        // Only the post-processor's few special tokens are looked up here.
        let lookup = { (name: String) -> Int? in
            if let token = added.last(where: { $0.content.utf8.elementsEqual(name.utf8) }) { return token.id }
            return vocabulary.firstIndex(where: { $0?.utf8.elementsEqual(name.utf8) ?? false })
        }
        let postProcessor = try Self.parsePostProcessor(root["post_processor"], lookup: lookup, path: path)

        var padToken = config.padToken
        var unknownToken = config.unknownToken ?? unknown
        if case .wordPiece = model {
            if padToken == nil, lookup("[PAD]") != nil { padToken = "[PAD]" }
            if unknownToken == nil { unknownToken = "[UNK]" }
        }
        self.init(
            model: model, normalizer: normalizer, preTokenizer: preTokenizer, vocabulary: vocabulary,
            addedTokens: added, postProcessor: postProcessor, padToken: padToken, bosToken: config.bosToken,
            eosToken: config.eosToken, unknownToken: unknownToken, modelMaxLength: config.modelMaxLength,
            chatTemplate: config.chatTemplate)
    }

    /// Merges as `["a b", …]` (older files) or `[["a", "b"], …]`.
    static func parseMerges(_ value: JSONValue?, path: String) throws -> [(String, String)] {
        guard let list = value?.arrayValue else {
            throw TokenizerError.malformedJSON(path: path, detail: "\"model.merges\" should be a list")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            if let text = item.stringValue {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw TokenizerError.malformedJSON(path: path, detail: "model.merges[\(index)] \"\(text)\" should be two tokens separated by one space")
                }
                merges.append((String(parts[0]), String(parts[1])))
            } else if let pair = item.arrayValue, pair.count == 2, let left = pair[0].stringValue, let right = pair[1].stringValue {
                merges.append((left, right))
            } else {
                throw TokenizerError.malformedJSON(path: path, detail: "model.merges[\(index)] should be \"a b\" or [\"a\", \"b\"]")
            }
        }
        return merges
    }

    static func parseNormalizer(_ value: JSONValue?, path: String) throws -> TextNormalizer? {
        guard let object = try JSONFile.object(value, key: "normalizer", path: path) else { return nil }
        let type = try JSONFile.string(object["type"], key: "normalizer.type", path: path) ?? ""
        switch type {
        case "BertNormalizer":
            let lowercase = try JSONFile.bool(object["lowercase"], key: "normalizer.lowercase", path: path) ?? true
            return .bert(
                cleanText: try JSONFile.bool(object["clean_text"], key: "normalizer.clean_text", path: path) ?? true,
                handleChineseChars: try JSONFile.bool(object["handle_chinese_chars"], key: "normalizer.handle_chinese_chars", path: path) ?? true,
                stripAccents: try JSONFile.bool(object["strip_accents"], key: "normalizer.strip_accents", path: path) ?? lowercase,
                lowercase: lowercase)
        case "NFC": return .unicode(.nfc)
        case "NFD": return .unicode(.nfd)
        case "NFKC": return .unicode(.nfkc)
        case "NFKD": return .unicode(.nfkd)
        case "Lowercase": return .lowercase
        case "Sequence":
            guard let steps = object["normalizers"]?.arrayValue else {
                throw TokenizerError.malformedJSON(path: path, detail: "normalizer Sequence without \"normalizers\" list")
            }
            return .sequence(try steps.compactMap { try parseNormalizer($0, path: path) })
        default:
            throw TokenizerError.unsupported(path: path, component: "normalizer", detail: "\"\(type)\"")
        }
    }

    static func parsePreTokenizer(_ value: JSONValue?, path: String) throws -> PreTokenizer {
        guard let object = try JSONFile.object(value, key: "pre_tokenizer", path: path) else {
            return .byteLevel(nil, addPrefixSpace: false)
        }
        let type = try JSONFile.string(object["type"], key: "pre_tokenizer.type", path: path) ?? ""
        switch type {
        case "BertPreTokenizer":
            return .bert
        case "ByteLevel":
            let useRegex = try JSONFile.bool(object["use_regex"], key: "pre_tokenizer.use_regex", path: path) ?? true
            let prefix = try JSONFile.bool(object["add_prefix_space"], key: "pre_tokenizer.add_prefix_space", path: path) ?? false
            return .byteLevel(useRegex ? .gpt2 : nil, addPrefixSpace: prefix)
        case "Split":
            return .byteLevel(try parseSplit(object, path: path), addPrefixSpace: false)
        case "Sequence":
            guard let steps = object["pretokenizers"]?.arrayValue?.compactMap(\.objectValue) else {
                throw TokenizerError.malformedJSON(path: path, detail: "pre_tokenizer Sequence without \"pretokenizers\" list")
            }
            var pattern: SplitPattern?
            var addPrefixSpace = false
            for step in steps {
                switch step["type"]?.stringValue {
                case "Split":
                    guard pattern == nil else {
                        throw TokenizerError.unsupported(path: path, component: "pre_tokenizer", detail: "more than one Split")
                    }
                    pattern = try parseSplit(step, path: path)
                case "ByteLevel":
                    if try JSONFile.bool(step["use_regex"], key: "pre_tokenizer.ByteLevel.use_regex", path: path) ?? true {
                        guard pattern == nil else {
                            throw TokenizerError.unsupported(path: path, component: "pre_tokenizer", detail: "a Split followed by a ByteLevel with use_regex")
                        }
                        pattern = .gpt2
                    }
                    addPrefixSpace = try JSONFile.bool(step["add_prefix_space"], key: "pre_tokenizer.ByteLevel.add_prefix_space", path: path) ?? false
                default:
                    throw TokenizerError.unsupported(path: path, component: "pre_tokenizer", detail: "\"\(step["type"]?.stringValue ?? "?")\" inside a Sequence")
                }
            }
            return .byteLevel(pattern, addPrefixSpace: addPrefixSpace)
        default:
            throw TokenizerError.unsupported(path: path, component: "pre_tokenizer", detail: "\"\(type)\"")
        }
    }

    private static func parseSplit(_ object: [String: JSONValue], path: String) throws -> SplitPattern {
        guard let regex = object["pattern"]?.objectValue?["Regex"]?.stringValue else {
            throw TokenizerError.unsupported(path: path, component: "Split pre-tokenizer", detail: "only Regex patterns are implemented")
        }
        let behavior = object["behavior"]?.stringValue ?? "Isolated"
        let invert = object["invert"]?.boolValue ?? false
        guard behavior == "Isolated", !invert else {
            throw TokenizerError.unsupported(path: path, component: "Split pre-tokenizer", detail: "behavior \(behavior), invert \(invert)")
        }
        guard let pattern = SplitPattern(regex: regex) else {
            throw TokenizerError.unsupported(path: path, component: "Split regex", detail: "\(regex) (known: GPT-2, Qwen2, Llama-3)")
        }
        return pattern
    }

    static func parsePostProcessor(_ value: JSONValue?, lookup: (String) -> Int?, path: String) throws -> PostProcessor {
        guard let object = try JSONFile.object(value, key: "post_processor", path: path) else { return .none }
        let type = try JSONFile.string(object["type"], key: "post_processor.type", path: path) ?? ""
        func tokenPair(_ key: String) throws -> Int {
            guard let pair = object[key]?.arrayValue, pair.count == 2, let id = pair[1].intValue else {
                throw TokenizerError.malformedJSON(path: path, detail: "post_processor.\(key) should be [token, id]")
            }
            return id
        }
        switch type {
        case "TemplateProcessing":
            var specials: [String: [Int]] = [:]
            if let table = object["special_tokens"]?.objectValue {
                for (name, entry) in table {
                    guard let ids = entry.objectValue?["ids"]?.arrayValue?.compactMap(\.intValue) else {
                        throw TokenizerError.malformedJSON(path: path, detail: "post_processor.special_tokens[\"\(name)\"] has no ids")
                    }
                    specials[name] = ids
                }
            }
            func template(_ key: String) throws -> [PostProcessor.Piece] {
                guard let pieces = object[key]?.arrayValue?.compactMap(\.objectValue) else {
                    throw TokenizerError.malformedJSON(path: path, detail: "post_processor.\(key) should be a list")
                }
                return try pieces.map { piece in
                    if let sequence = piece["Sequence"]?.objectValue {
                        let typeId = sequence["type_id"]?.intValue ?? 0
                        return .sequence(first: (sequence["id"]?.stringValue ?? "A") == "A", typeId: typeId)
                    }
                    if let special = piece["SpecialToken"]?.objectValue, let name = special["id"]?.stringValue {
                        let typeId = special["type_id"]?.intValue ?? 0
                        guard let ids = specials[name] ?? lookup(name).map({ [$0] }) else {
                            throw TokenizerError.unknownToken(token: name, context: "post_processor special token in \(path)")
                        }
                        return .special(ids: ids, typeId: typeId)
                    }
                    throw TokenizerError.malformedJSON(path: path, detail: "post_processor.\(key) has an entry that is neither Sequence nor SpecialToken")
                }
            }
            return PostProcessor(single: try template("single"), pair: try template("pair"))
        case "BertProcessing":
            return .bert(cls: try tokenPair("cls"), sep: try tokenPair("sep"))
        case "RobertaProcessing":
            let cls = try tokenPair("cls")
            let sep = try tokenPair("sep")
            return PostProcessor(
                single: [.special(ids: [cls], typeId: 0), .sequence(first: true, typeId: 0), .special(ids: [sep], typeId: 0)],
                pair: [.special(ids: [cls], typeId: 0), .sequence(first: true, typeId: 0), .special(ids: [sep, sep], typeId: 0),
                       .sequence(first: false, typeId: 0), .special(ids: [sep], typeId: 0)])
        case "ByteLevel":
            return .none
        case "Sequence":
            guard let steps = object["processors"]?.arrayValue else { return .none }
            var result = PostProcessor.none
            for step in steps {
                let parsed = try parsePostProcessor(step, lookup: lookup, path: path)
                if parsed != .none { result = parsed }
            }
            return result
        default:
            throw TokenizerError.unsupported(path: path, component: "post_processor", detail: "\"\(type)\"")
        }
    }
}
