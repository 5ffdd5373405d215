// The tokenizer: added tokens → normalizer → pre-tokenizer → model (WordPiece or byte-level BPE) → post-processor.
import Foundation

/// A Hugging Face-compatible tokenizer (BERT WordPiece or byte-level BPE), immutable and safe to share
/// between threads.
public final class Tokenizer: Sendable {
    /// The tokenization model.
    enum Model: Sendable {
        case wordPiece(WordPieceModel)
        case bytePairEncoding(BPEModel)
    }

    /// How text is split into words before the model.
    enum PreTokenizer: Sendable {
        /// BERT: split on whitespace (dropped) and isolate each punctuation scalar.
        case bert
        /// Byte-level: split with a regex (nil: no split), optionally adding a leading space.
        case byteLevel(SplitPattern?, addPrefixSpace: Bool)
    }

    /// The family of model, for callers that need to know (e.g. how to decode or which prompt format fits).
    public enum Kind: String, Sendable {
        case wordPiece
        case byteLevelBPE
    }

    let model: Model
    let normalizer: TextNormalizer?
    let preTokenizer: PreTokenizer
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    /// Token strings by id (vocabulary strings for the model, content for added tokens); nil for unused ids.
    let tokensById: [String?]
    /// Token strings (exact UTF-8 bytes) → id.
    let idsByToken: ByteStringTable
    /// Added tokens by id.
    let addedById: [Int: AddedToken]
    /// Raw bytes of each model token, for byte-level decoding.
    let bytesById: [[UInt8]]

    /// The special tokens template.
    public let postProcessor: PostProcessor
    /// Padding id (from the configuration's pad token), if any.
    public let padTokenId: Int?
    /// Beginning-of-sequence id, if any.
    public let bosTokenId: Int?
    /// End-of-sequence id, if any.
    public let eosTokenId: Int?
    /// Unknown-token id, if any.
    public let unknownTokenId: Int?
    /// The maximum sequence length the model was trained with, if the configuration says.
    public let modelMaxLength: Int?
    /// The chat template text (Jinja), if the tokenizer has one.
    public let chatTemplateSource: String?
    /// All added tokens, by increasing id.
    public let addedTokens: [AddedToken]

    init(model: Model, normalizer: TextNormalizer?, preTokenizer: PreTokenizer, vocabulary: [String?],
         addedTokens: [AddedToken], postProcessor: PostProcessor, padToken: String?, bosToken: String?,
         eosToken: String?, unknownToken: String?, modelMaxLength: Int?, chatTemplate: String?) {
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        var tokens = vocabulary
        let maxAdded = addedTokens.map(\.id).max() ?? -1
        if maxAdded >= tokens.count { tokens += Array(repeating: nil, count: maxAdded + 1 - tokens.count) }
        var byId: [Int: AddedToken] = [:]
        for token in addedTokens where token.id >= 0 {
            tokens[token.id] = token.content
            byId[token.id] = token
        }
        var table = ByteStringTable(capacity: tokens.count)
        for (id, token) in tokens.enumerated() {
            if let token, byId[id] == nil { table.insert(Array(token.utf8), value: Int32(id)) }
        }
        for token in addedTokens { table.insert(Array(token.content.utf8), value: Int32(token.id), replace: true) }
        let lookup = { (token: String) -> Int? in
            let id = table.lookup(Array(token.utf8))
            return id >= 0 ? Int(id) : nil
        }
        self.tokensById = tokens
        self.idsByToken = table
        self.addedById = byId
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        if case .bytePairEncoding = model {
            bytesById = tokens.enumerated().map { id, token in
                guard let token else { return [] }
                if byId[id] != nil { return Array(token.utf8) }
                return ByteLevelAlphabet.bytes(ofVocabularyString: token)
            }
        } else {
            bytesById = []
        }
        var raw: [(scalars: [UInt32], token: AddedToken)] = []
        var normalized: [(scalars: [UInt32], token: AddedToken)] = []
        for token in addedTokens {
            let scalars = token.content.unicodeScalars.map(\.value)
            if token.normalized && !token.special, let normalizer {
                let text = scalars.withUnsafeBufferPointer { NormalizedText($0, range: 0..<scalars.count) }
                normalized.append((normalizer.apply(text).scalars, token))
            } else if token.normalized && !token.special {
                normalized.append((scalars, token))
            } else {
                raw.append((scalars, token))
            }
        }
        rawMatcher = AddedTokenMatcher(raw)
        normalizedMatcher = AddedTokenMatcher(normalized)
        padTokenId = padToken.flatMap(lookup)
        bosTokenId = bosToken.flatMap(lookup)
        eosTokenId = eosToken.flatMap(lookup)
        unknownTokenId = unknownToken.flatMap(lookup)
        self.modelMaxLength = modelMaxLength
        self.chatTemplateSource = chatTemplate
    }

    /// Which model this tokenizer uses.
    public var kind: Kind {
        switch model {
        case .wordPiece: return .wordPiece
        case .bytePairEncoding: return .byteLevelBPE
        }
    }

    /// Vocabulary size including added tokens (the highest id plus one).
    public var vocabularySize: Int { tokensById.count }

    /// The id of a token string (vocabulary string such as "Ġthe" or "##ing", or added token content).
    public func id(forToken token: String) -> Int? {
        let id = idsByToken.lookup(Array(token.utf8))
        return id >= 0 ? Int(id) : nil
    }

    /// The token string of an id (vocabulary string or added token content).
    public func token(forId id: Int) -> String? {
        guard id >= 0 && id < tokensById.count else { return nil }
        return tokensById[id]
    }

    // MARK: Encoding

    /// Encodes one text; with `addSpecialTokens` the post-processor's special tokens are added.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        var scratch = EncodeScratch()
        let encoding = encodeText(text, scratch: &scratch)
        return postProcessor.apply(first: encoding, second: nil, addSpecialTokens: addSpecialTokens)
    }

    /// Encodes one text or a text pair with truncation and padding options.
    public func encode(_ text: String, pair: String? = nil, options: EncodeOptions) throws -> Encoding {
        var scratch = EncodeScratch()
        var encoding = try encode(text, pair: pair, options: options, scratch: &scratch)
        if let padding = options.padding, case .fixed(let length) = padding.length {
            encoding.pad(to: length, padId: try padId(padding), padTypeId: padding.padTypeId, direction: padding.direction)
        }
        return encoding
    }

    private func padId(_ padding: PaddingOptions) throws -> Int {
        if let id = padding.padId ?? padTokenId { return id }
        throw TokenizerError.unknownToken(token: "<pad>", context: "padding was requested but the tokenizer has no pad token; pass PaddingOptions(padId:)")
    }

    func encode(_ text: String, pair: String?, options: EncodeOptions, scratch: inout EncodeScratch) throws -> Encoding {
        var first = encodeText(text, scratch: &scratch)
        var second = pair.map { encodeText($0, scratch: &scratch) }
        if let truncation = options.truncation {
            let added = options.addSpecialTokens ? postProcessor.addedCount(isPair: second != nil) : 0
            try Self.truncate(&first, &second, options: truncation, reserved: added)
        }
        return postProcessor.apply(first: first, second: second, addSpecialTokens: options.addSpecialTokens)
    }

    /// Hugging Face's truncation of one encoding or a pair to `maxLength - reserved` tokens.
    static func truncate(_ first: inout Encoding, _ second: inout Encoding?, options: TruncationOptions, reserved: Int) throws {
        guard options.maxLength >= reserved else {
            throw TokenizerError.truncation(detail: "max length \(options.maxLength) is smaller than the \(reserved) special tokens to add")
        }
        let maxLength = options.maxLength - reserved
        let total = first.count + (second?.count ?? 0)
        guard total > maxLength else { return }
        let toRemove = total - maxLength
        switch options.strategy {
        case .longestFirst:
            guard var other = second else {
                first.truncate(to: maxLength, direction: options.direction)
                return
            }
            var n1 = first.count
            var n2 = other.count
            let swapped = n1 > n2
            if swapped { swap(&n1, &n2) }
            if n1 > maxLength {
                n2 = n1
            } else {
                n2 = max(n1, maxLength - n1)
            }
            if n1 + n2 > maxLength {
                n1 = maxLength / 2
                n2 = n1 + maxLength % 2
            }
            if swapped { swap(&n1, &n2) }
            first.truncate(to: n1, direction: options.direction)
            other.truncate(to: n2, direction: options.direction)
            second = other
        case .onlyFirst:
            guard first.count > toRemove else {
                throw TokenizerError.truncation(detail: "the first sequence (\(first.count) tokens) is too short to remove \(toRemove) tokens for max length \(options.maxLength); use longestFirst")
            }
            first.truncate(to: first.count - toRemove, direction: options.direction)
        case .onlySecond:
            guard var other = second else {
                throw TokenizerError.truncation(detail: "onlySecond truncation needs a text pair")
            }
            guard other.count > toRemove else {
                throw TokenizerError.truncation(detail: "the second sequence (\(other.count) tokens) is too short to remove \(toRemove) tokens for max length \(options.maxLength); use longestFirst")
            }
            other.truncate(to: other.count - toRemove, direction: options.direction)
            second = other
        }
    }

    /// Encodes texts in parallel on `threads` threads, then pads them together if asked.
    public func encodeBatch(_ texts: [String], options: EncodeOptions = EncodeOptions(), threads: Int = 2) throws -> [Encoding] {
        try encodeBatch(count: texts.count, options: options, threads: threads) { index in (texts[index], nil) }
    }

    /// Encodes text pairs in parallel on `threads` threads, then pads them together if asked.
    public func encodeBatch(pairs: [(String, String)], options: EncodeOptions = EncodeOptions(), threads: Int = 2) throws -> [Encoding] {
        try encodeBatch(count: pairs.count, options: options, threads: threads) { index in (pairs[index].0, pairs[index].1) }
    }

    private func encodeBatch(count: Int, options: EncodeOptions, threads: Int,
                             input: @escaping @Sendable (Int) -> (String, String?)) throws -> [Encoding] {
        let results = BatchResults(count: count)
        let workers = max(1, min(threads, count))
        let chunk = 16
        let nextIndex = ChunkCounter()
        let work: @Sendable () -> Void = {
            var scratch = EncodeScratch()
            while true {
                let start = nextIndex.take(chunk)
                if start >= count { break }
                for index in start..<min(count, start + chunk) {
                    let (text, pair) = input(index)
                    do {
                        results.set(index, .success(try self.encode(text, pair: pair, options: options, scratch: &scratch)))
                    } catch {
                        results.set(index, .failure(error))
                    }
                }
            }
        }
        // Dedicated threads, not DispatchQueue.concurrentPerform: called from a Swift-concurrency or GCD worker
        // (as in an async command), concurrentPerform may run every iteration on the calling thread.
        let finished = DispatchGroup()
        for _ in 1..<workers {
            finished.enter()
            let thread = Thread {
                work()
                finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        work()
        finished.wait()
        var encodings = try results.values.map { try $0!.get() }
        if let padding = options.padding {
            let target: Int
            switch padding.length {
            case .longest: target = encodings.map(\.count).max() ?? 0
            case .fixed(let length): target = length
            }
            let id = try padId(padding)
            for index in encodings.indices {
                encodings[index].pad(to: target, padId: id, padTypeId: padding.padTypeId, direction: padding.direction)
            }
        }
        return encodings
    }

    /// The model-level encoding of one text (added tokens, normalizer, pre-tokenizer, model; no template).
    func encodeText(_ text: String, scratch: inout EncodeScratch) -> Encoding {
        scratch.scalars.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars { scratch.scalars.append(scalar.value) }
        var encoding = Encoding()
        let scalars = scratch.scalars
        scalars.withUnsafeBufferPointer { buffer in
            let matches = rawMatcher.matches(in: buffer, range: 0..<buffer.count)
            var position = 0
            for match in matches {
                if match.range.lowerBound > position {
                    encodeSegment(buffer, range: position..<match.range.lowerBound, into: &encoding, scratch: &scratch)
                }
                encoding.appendModelToken(id: match.token.id, offset: match.range)
                position = match.range.upperBound
            }
            if position < buffer.count {
                encodeSegment(buffer, range: position..<buffer.count, into: &encoding, scratch: &scratch)
            }
        }
        encoding.finishModelTokens()
        return encoding
    }

    /// Normalizes and tokenizes text between added tokens.
    private func encodeSegment(_ source: UnsafeBufferPointer<UInt32>, range: Range<Int>, into encoding: inout Encoding,
                               scratch: inout EncodeScratch) {
        var text = NormalizedText(source, range: range)
        if let normalizer { text = normalizer.apply(text) }
        if normalizedMatcher.isEmpty {
            tokenizeNormalized(text, range: 0..<text.count, into: &encoding, scratch: &scratch)
            return
        }
        let matches = text.scalars.withUnsafeBufferPointer { normalizedMatcher.matches(in: $0, range: 0..<text.count) }
        var position = 0
        for match in matches {
            if match.range.lowerBound > position {
                tokenizeNormalized(text, range: position..<match.range.lowerBound, into: &encoding, scratch: &scratch)
            }
            encoding.appendModelToken(id: match.token.id, offset: text.originalRange(match.range))
            position = match.range.upperBound
        }
        if position < text.count {
            tokenizeNormalized(text, range: position..<text.count, into: &encoding, scratch: &scratch)
        }
    }

    /// Pre-tokenizes `text[range]` and runs the model on every word. The range is converted to UTF-8 once;
    /// words are byte ranges of that buffer.
    private func tokenizeNormalized(_ input: NormalizedText, range: Range<Int>, into encoding: inout Encoding,
                                    scratch: inout EncodeScratch) {
        switch (model, preTokenizer) {
        case (.wordPiece(let wordPiece), _):
            scratch.prepareUTF8(input.scalars, range: range, byteToScalar: false)
            scratch.output.removeAll()
            input.scalars.withUnsafeBufferPointer { scalars in
                var wordStart = -1
                var index = range.lowerBound
                while index < range.upperBound {
                    let value = scalars[index]
                    if UnicodeClasses.isWhitespace(value) {
                        if wordStart >= 0 { encodeWordPiece(wordPiece, input, wordStart..<index, range.lowerBound, &encoding, &scratch) }
                        wordStart = -1
                    } else if UnicodeClasses.isBertPunctuation(value) {
                        if wordStart >= 0 { encodeWordPiece(wordPiece, input, wordStart..<index, range.lowerBound, &encoding, &scratch) }
                        encodeWordPiece(wordPiece, input, index..<(index + 1), range.lowerBound, &encoding, &scratch)
                        wordStart = -1
                    } else if wordStart < 0 {
                        wordStart = index
                    }
                    index += 1
                }
                if wordStart >= 0 { encodeWordPiece(wordPiece, input, wordStart..<range.upperBound, range.lowerBound, &encoding, &scratch) }
            }
        case (.bytePairEncoding(let bpe), .byteLevel(let pattern, let addPrefixSpace)):
            var text = input
            var range = range
            if addPrefixSpace && !range.isEmpty && input.scalars[range.lowerBound] != 32 {
                var prefixed = NormalizedText(reservingCapacity: range.count + 1)
                let anchor = Int(input.starts[range.lowerBound])
                prefixed.append(32, start: anchor, end: anchor)
                for index in range {
                    prefixed.append(input.scalars[index], start: Int(input.starts[index]), end: Int(input.ends[index]))
                }
                text = prefixed
                range = 0..<prefixed.count
            }
            scratch.prepareUTF8(text.scalars, range: range, byteToScalar: true)
            scratch.output.removeAll()
            text.scalars.withUnsafeBufferPointer { scalars in
                scratch.pieces.removeAll(keepingCapacity: true)
                if let pattern {
                    pattern.split(UnsafeBufferPointer(rebasing: scalars[range]), classes: &scratch.classes, into: &scratch.pieces)
                } else {
                    scratch.pieces.append(0)
                    scratch.pieces.append(Int32(range.count))
                }
            }
            var pieceIndex = 0
            while pieceIndex < scratch.pieces.count {
                let start = Int(scratch.pieces[pieceIndex])
                let end = Int(scratch.pieces[pieceIndex + 1])
                encodeBytePairWord(bpe, text, start..<end, range.lowerBound, &encoding, &scratch)
                pieceIndex += 2
            }
        case (.bytePairEncoding(let bpe), .bert):
            // A BPE model behind a BERT pre-tokenizer is not something Hugging Face ships; the text is one word.
            scratch.prepareUTF8(input.scalars, range: range, byteToScalar: true)
            scratch.output.removeAll()
            encodeBytePairWord(bpe, input, 0..<range.count, range.lowerBound, &encoding, &scratch)
        }
    }

    /// Encodes the word `word` (absolute scalar indices); `base` is the first scalar of the UTF-8 buffer.
    @inline(__always)
    private func encodeWordPiece(_ model: WordPieceModel, _ text: NormalizedText, _ word: Range<Int>, _ base: Int,
                                 _ encoding: inout Encoding, _ scratch: inout EncodeScratch) {
        let first = scratch.output.ids.count
        scratch.utf8.withUnsafeBytes { bytes in
            scratch.scalarByteStart.withUnsafeBufferPointer { starts in
                let boundaries = UnsafeBufferPointer(rebasing: starts[(word.lowerBound - base)...(word.upperBound - base)])
                model.encodeWord(bytes: bytes, boundaries: boundaries, into: &scratch.output)
            }
        }
        for piece in first..<scratch.output.ids.count {
            let lower = word.lowerBound + Int(scratch.output.starts[piece])
            let upper = word.lowerBound + Int(scratch.output.ends[piece])
            encoding.appendModelToken(id: Int(scratch.output.ids[piece]), offset: text.originalRange(lower..<upper))
        }
    }

    /// Encodes the word at scalars `word` relative to `base` (the first scalar of the UTF-8 buffer).
    @inline(__always)
    private func encodeBytePairWord(_ model: BPEModel, _ text: NormalizedText, _ word: Range<Int>, _ base: Int,
                                    _ encoding: inout Encoding, _ scratch: inout EncodeScratch) {
        let first = scratch.output.ids.count
        let startByte = Int(scratch.scalarByteStart[word.lowerBound])
        let endByte = Int(scratch.scalarByteStart[word.upperBound])
        scratch.utf8.withUnsafeBytes { bytes in
            model.encodeWord(UnsafeRawBufferPointer(rebasing: bytes[startByte..<endByte]), byteBase: startByte,
                             scratch: &scratch.bpe, into: &scratch.output)
        }
        for piece in first..<scratch.output.ids.count {
            let firstScalar = base + Int(scratch.byteScalar[Int(scratch.output.starts[piece])])
            let lastScalar = base + Int(scratch.byteScalar[Int(scratch.output.ends[piece]) - 1])
            encoding.appendModelToken(id: Int(scratch.output.ids[piece]), offset: text.originalRange(firstScalar..<(lastScalar + 1)))
        }
    }

    @inline(__always)
    static func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
        if value < 0x80 {
            bytes.append(UInt8(value))
        } else if value < 0x800 {
            bytes.append(UInt8(0xC0 | (value >> 6)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        } else if value < 0x10000 {
            bytes.append(UInt8(0xE0 | (value >> 12)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        } else {
            bytes.append(UInt8(0xF0 | (value >> 18)))
            bytes.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        }
    }
}

/// Per-thread reusable buffers for encoding.
struct EncodeScratch {
    var scalars: [UInt32] = []
    /// UTF-8 of the range being tokenized.
    var utf8: [UInt8] = []
    /// Byte offset of each scalar of the range in `utf8`, plus the total.
    var scalarByteStart: [Int32] = []
    /// Index (relative to the range) of the scalar each byte belongs to.
    var byteScalar: [Int32] = []
    var classes: [UInt8] = []
    var pieces: [Int32] = []
    var output = PieceBuffer()
    var bpe = BPEScratch()

    /// Fills `utf8`, `scalarByteStart` and (if asked) `byteScalar` for `scalars[range]`.
    mutating func prepareUTF8(_ scalars: [UInt32], range: Range<Int>, byteToScalar: Bool) {
        utf8.removeAll(keepingCapacity: true)
        scalarByteStart.removeAll(keepingCapacity: true)
        byteScalar.removeAll(keepingCapacity: true)
        utf8.reserveCapacity(range.count * 2)
        scalarByteStart.reserveCapacity(range.count + 1)
        for index in range {
            scalarByteStart.append(Int32(truncatingIfNeeded: utf8.count))
            let before = utf8.count
            Tokenizer.appendUTF8(scalars[index], to: &utf8)
            if byteToScalar {
                let relative = Int32(truncatingIfNeeded: index - range.lowerBound)
                for _ in before..<utf8.count { byteScalar.append(relative) }
            }
        }
        scalarByteStart.append(Int32(truncatingIfNeeded: utf8.count))
    }
}

/// Results of a parallel batch, written by index from several threads (each index written once).
final class BatchResults: @unchecked Sendable {
    private(set) var values: [Result<Encoding, Error>?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<Encoding, Error>) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}

/// Hands out chunk starts to worker threads.
final class ChunkCounter: @unchecked Sendable {
    private var next = 0
    private let lock = NSLock()

    func take(_ size: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let start = next
        next += size
        return start
    }
}
