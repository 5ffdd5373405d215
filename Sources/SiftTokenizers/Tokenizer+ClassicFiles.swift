// Loading the classic (pre-`tokenizer.json`) files: `vocab.txt` for BERT, `vocab.json` + `merges.txt` for
// GPT-2/Qwen, with `tokenizer_config.json` for settings, added tokens and the chat template.
import Foundation

extension Tokenizer {
    /// Loads a BERT tokenizer from `vocab.txt` (+ `tokenizer_config.json`) in `directory`, as
    /// `BertTokenizerFast` does: `do_lower_case` (default true), `strip_accents` (default: as `do_lower_case`),
    /// `tokenize_chinese_chars` (default true), special tokens `[UNK] [SEP] [PAD] [CLS] [MASK]` unless configured.
    public convenience init(bertDirectory directory: URL) throws {
        let vocabURL = directory.appendingPathComponent("vocab.txt")
        let text = try Self.readText(vocabURL)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let config = try TokenizerConfig.load(directory: directory)
        let lowercase = config.doLowerCase ?? true
        let unknown = config.unknownToken ?? "[UNK]"
        let cls = config.clsToken ?? "[CLS]"
        let sep = config.sepToken ?? "[SEP]"
        let pad = config.padToken ?? "[PAD]"
        let mask = config.maskToken ?? "[MASK]"
        // A few special tokens are looked up; as in Python's vocab dict, a repeated line keeps its last index.
        let lookup = { (token: String) -> Int? in lines.lastIndex(where: { $0.utf8.elementsEqual(token.utf8) }) }
        let model = try WordPieceModel(tokens: lines, unknownToken: unknown, continuationPrefix: "##", maxInputCharsPerWord: 100)
        var added = config.addedTokens
        let addedContents = Set(added.map(\.content))
        for token in [pad, unknown, cls, sep, mask] + config.extraSpecialTokens where !addedContents.contains(token) {
            if let id = lookup(token), !added.contains(where: { $0.content == token }) {
                added.append(AddedToken(content: token, id: id, special: true))
            }
        }
        for token in added where token.id >= lines.count || lines[token.id] != token.content {
            if token.id < lines.count {
                throw TokenizerError.malformedJSON(
                    path: directory.appendingPathComponent("tokenizer_config.json").path,
                    detail: "added token \"\(token.content)\" has id \(token.id), which is \"\(lines[token.id])\" in vocab.txt")
            }
        }
        guard let clsId = lookup(cls), let sepId = lookup(sep) else {
            throw TokenizerError.unknownToken(token: lookup(cls) == nil ? cls : sep, context: "BERT cls/sep token in \(vocabURL.path)")
        }
        self.init(
            model: .wordPiece(model),
            normalizer: .bert(cleanText: true, handleChineseChars: config.tokenizeChineseChars ?? true,
                              stripAccents: config.stripAccents ?? lowercase, lowercase: lowercase),
            preTokenizer: .bert, vocabulary: lines, addedTokens: added.sorted { $0.id < $1.id },
            postProcessor: .bert(cls: clsId, sep: sepId), padToken: pad, bosToken: nil, eosToken: nil,
            unknownToken: unknown, modelMaxLength: config.modelMaxLength, chatTemplate: config.chatTemplate)
    }

    /// Loads a byte-level BPE tokenizer from `vocab.json` + `merges.txt` (+ `tokenizer_config.json`) in
    /// `directory`. `tokenizer_class` Qwen2Tokenizer selects NFC and the Qwen2 split regex (as
    /// `Qwen2TokenizerFast`); anything else the GPT-2 regex, with `add_prefix_space` from the config.
    public convenience init(bytePairDirectory directory: URL) throws {
        let vocabFile = try JSONFile(url: directory.appendingPathComponent("vocab.json"))
        let vocabulary = try JSONFile.vocabulary(vocabFile.members, key: "vocab.json", path: vocabFile.path)
        let merges = try Self.readMerges(directory.appendingPathComponent("merges.txt"))
        let config = try TokenizerConfig.load(directory: directory)
        let isQwen = config.tokenizerClass?.hasPrefix("Qwen2") ?? false
        let model = try BPEModel(tokens: vocabulary, merges: merges, unknownToken: nil, ignoreMerges: false)
        var added = config.addedTokens
        let lookup = { (name: String) -> Int? in
            if let token = added.last(where: { $0.content.utf8.elementsEqual(name.utf8) }) { return token.id }
            return vocabulary.firstIndex(where: { $0?.utf8.elementsEqual(name.utf8) ?? false })
        }
        for token in config.extraSpecialTokens where !added.contains(where: { $0.content == token }) {
            guard let id = lookup(token) else {
                throw TokenizerError.unknownToken(token: token, context: "extra special token in \(directory.path)/tokenizer_config.json without an id")
            }
            added.append(AddedToken(content: token, id: id, special: true))
        }
        var postProcessor = PostProcessor.none
        if config.addBOSToken == true, let bos = config.bosToken, let bosId = lookup(bos) {
            postProcessor = PostProcessor(
                single: [.special(ids: [bosId], typeId: 0), .sequence(first: true, typeId: 0)],
                pair: [.special(ids: [bosId], typeId: 0), .sequence(first: true, typeId: 0),
                       .special(ids: [bosId], typeId: 1), .sequence(first: false, typeId: 1)])
        }
        self.init(
            model: .bytePairEncoding(model), normalizer: isQwen ? .unicode(.nfc) : nil,
            preTokenizer: .byteLevel(isQwen ? .qwen2 : .gpt2, addPrefixSpace: isQwen ? false : (config.addPrefixSpace ?? false)),
            vocabulary: vocabulary, addedTokens: added.sorted { $0.id < $1.id }, postProcessor: postProcessor,
            padToken: config.padToken, bosToken: config.bosToken, eosToken: config.eosToken,
            unknownToken: config.unknownToken, modelMaxLength: config.modelMaxLength, chatTemplate: config.chatTemplate)
    }

    static func readText(_ url: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TokenizerError.fileNotFound(path: url.path, hint: "Check the tokenizer directory.")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: "\(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.unreadableFile(path: url.path, reason: "not valid UTF-8")
        }
        return text
    }

    /// `merges.txt`: an optional `#version` line, then one `left right` pair per line.
    static func readMerges(_ url: URL) throws -> [(String, String)] {
        let text = try readText(url)
        var merges: [(String, String)] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var content = Substring(line)
            if content.hasSuffix("\r") { content = content.dropLast() }
            if content.isEmpty || (lineNumber == 1 && content.hasPrefix("#version")) { continue }
            let parts = content.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError.malformedLine(path: url.path, line: lineNumber, detail: "expected two tokens separated by one space, got \"\(content.prefix(80))\"")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }
}
