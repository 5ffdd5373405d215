// WordPiece as in Hugging Face `tokenizers`: greedy longest match from the left, continuation pieces
// prefixed ("##"), a word longer than `maxInputCharsPerWord` scalars or with an unmatched rest → the unknown token.

/// The WordPiece model of a BERT-style tokenizer.
struct WordPieceModel: Sendable {
    /// Tokens as written (a word's first piece is looked up here).
    let vocabulary: ByteStringTable
    /// Tokens that start with the continuation prefix, with the prefix removed.
    let continuations: ByteStringTable
    let unknownId: Int32
    let maxInputCharsPerWord: Int
    let continuationPrefix: String

    init(tokens: [String], unknownToken: String, continuationPrefix: String, maxInputCharsPerWord: Int) throws {
        var vocabulary = ByteStringTable(capacity: tokens.count)
        var continuations = ByteStringTable(capacity: tokens.count / 4)
        let prefixBytes = Array(continuationPrefix.utf8)
        for (index, token) in tokens.enumerated() {
            let bytes = Array(token.utf8)
            vocabulary.insert(bytes, value: Int32(index))
            if !prefixBytes.isEmpty && bytes.count >= prefixBytes.count && bytes.starts(with: prefixBytes) {
                continuations.insert(Array(bytes[prefixBytes.count...]), value: Int32(index))
            }
        }
        let unknown = vocabulary.lookup(Array(unknownToken.utf8))
        guard unknown >= 0 else {
            throw TokenizerError.unknownToken(token: unknownToken, context: "WordPiece unk_token")
        }
        self.vocabulary = vocabulary
        self.continuations = continuations
        self.unknownId = unknown
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.continuationPrefix = continuationPrefix
    }

    /// Encodes one word given as UTF-8 `bytes` whose scalar starts are `boundaries` (with `bytes.count` appended),
    /// appending pieces whose scalar ranges are relative to the word.
    @inline(__always)
    func encodeWord(bytes: UnsafeRawBufferPointer, boundaries: UnsafeBufferPointer<Int32>, into output: inout PieceBuffer) {
        let scalarCount = boundaries.count - 1
        if scalarCount > maxInputCharsPerWord {
            output.append(unknownId, start: 0, end: scalarCount)
            return
        }
        let rollback = output.ids.count
        var startScalar = 0
        let maxFirst = vocabulary.maxKeyLength
        let maxNext = continuations.maxKeyLength
        while startScalar < scalarCount {
            var endScalar = scalarCount
            let startByte = Int(boundaries[startScalar])
            let limit = startScalar == 0 ? maxFirst : maxNext
            while endScalar > startScalar && Int(boundaries[endScalar]) - startByte > limit { endScalar -= 1 }
            var found: Int32 = -1
            while endScalar > startScalar {
                let piece = UnsafeRawBufferPointer(rebasing: bytes[startByte..<Int(boundaries[endScalar])])
                found = startScalar == 0 ? vocabulary.lookup(piece) : continuations.lookup(piece)
                if found >= 0 { break }
                endScalar -= 1
            }
            if found < 0 {
                output.truncate(to: rollback)
                output.append(unknownId, start: 0, end: scalarCount)
                return
            }
            output.append(found, start: startScalar, end: endScalar)
            startScalar = endScalar
        }
    }
}
