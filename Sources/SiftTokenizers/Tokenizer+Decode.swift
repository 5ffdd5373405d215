// Turning ids back into text: byte-level BPE concatenates token bytes (lossless); WordPiece joins pieces.

extension Tokenizer {
    /// Decodes ids to text. Unknown ids are skipped; `skipSpecialTokens` drops special added tokens.
    /// For byte-level BPE, `decode(encode(x, addSpecialTokens: false).ids) == x` for every `x` (invalid UTF-8
    /// only arises from partial id lists and decodes to U+FFFD).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        switch model {
        case .bytePairEncoding:
            var bytes: [UInt8] = []
            for id in ids where id >= 0 && id < bytesById.count {
                if skipSpecialTokens, let added = addedById[id], added.special { continue }
                bytes += bytesById[id]
            }
            return String(decoding: bytes, as: UTF8.self)
        case .wordPiece(let wordPiece):
            var output = ""
            var first = true
            for id in ids {
                guard let token = token(forId: id) else { continue }
                if skipSpecialTokens, let added = addedById[id], added.special { continue }
                if addedById[id] == nil, !wordPiece.continuationPrefix.isEmpty, token.hasPrefix(wordPiece.continuationPrefix) {
                    output += token.dropFirst(wordPiece.continuationPrefix.count)
                } else {
                    if !first { output += " " }
                    output += token
                }
                first = false
            }
            return Self.cleanUpTokenization(output)
        }
    }

    /// Tokens strings of ids (vocabulary strings such as "Ġthe", "##ing").
    public func tokens(forIds ids: [Int]) -> [String] {
        ids.map { token(forId: $0) ?? "" }
    }

    /// Hugging Face's `clean_up_tokenization`: removes spaces before punctuation and contractions.
    static func cleanUpTokenization(_ text: String) -> String {
        text.replacingOccurrences(" .", with: ".")
            .replacingOccurrences(" ?", with: "?")
            .replacingOccurrences(" !", with: "!")
            .replacingOccurrences(" ,", with: ",")
            .replacingOccurrences(" ' ", with: "'")
            .replacingOccurrences(" n't", with: "n't")
            .replacingOccurrences(" 'm", with: "'m")
            .replacingOccurrences(" 's", with: "'s")
            .replacingOccurrences(" 've", with: "'ve")
            .replacingOccurrences(" 're", with: "'re")
    }
}

extension String {
    /// Replaces every occurrence of `target` (compared by Unicode scalars, not grapheme clusters).
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        let source = Array(utf8)
        let pattern = Array(target.utf8)
        guard !pattern.isEmpty, source.count >= pattern.count else { return self }
        var output: [UInt8] = []
        output.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count && source[index] == pattern[0]
                && source[index..<(index + pattern.count)].elementsEqual(pattern) {
                output += replacement.utf8
                index += pattern.count
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
