// Hand-written matchers for the pre-tokenization regexes of byte-level BPE tokenizers (GPT-2, Qwen2, Llama-3).
// Each reproduces the regex's leftmost, first-alternative-wins semantics exactly; every scalar is covered by
// some alternative, so the matches tile the text.

/// The pre-tokenization regex of a byte-level BPE tokenizer.
public enum SplitPattern: String, Sendable, CaseIterable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (also SmolLM, GPT-NeoX).
    case gpt2
    /// Qwen2/Qwen3: case-insensitive contractions, one digit per piece, newline-aware whitespace.
    case qwen2
    /// Llama-3: like Qwen2 but digits in groups of up to three.
    case llama3

    /// The regex text as it appears in `tokenizer.json`.
    public var regex: String {
        switch self {
        case .gpt2:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .qwen2:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The pattern whose regex text is `regex`, or nil if none matches.
    public init?(regex: String) {
        guard let found = Self.allCases.first(where: { $0.regex == regex }) else { return nil }
        self = found
    }

    /// The pattern for a GGUF `tokenizer.ggml.pre` value (what Hugging Face's GGUF conversion uses).
    public init(ggufPre: String) {
        switch ggufPre {
        case "qwen2": self = .qwen2
        case "llama-bpe", "llama3", "llama-v3", "smaug-bpe": self = .llama3
        default: self = .gpt2
        }
    }

    static let classLetter: UInt8 = 1
    static let classNumber: UInt8 = 2
    static let classSpace: UInt8 = 4
    static let classNewline: UInt8 = 8

    /// Appends `[start, end)` pairs (indices into `scalars`) of the pieces to `pieces`.
    func split(_ scalars: UnsafeBufferPointer<UInt32>, classes: inout [UInt8], into pieces: inout [Int32]) {
        let count = scalars.count
        classes.removeAll(keepingCapacity: true)
        for value in scalars {
            var bits: UInt8 = 0
            if UnicodeClasses.isLetter(value) { bits = Self.classLetter }
            else if UnicodeClasses.isNumber(value) { bits = Self.classNumber }
            else if UnicodeClasses.isWhitespace(value) {
                bits = Self.classSpace
                if value == 10 || value == 13 { bits |= Self.classNewline }
            }
            classes.append(bits)
        }
        classes.withUnsafeBufferPointer { cls in
            var position = 0
            while position < count {
                let end: Int
                switch self {
                case .gpt2: end = matchGPT2(scalars, cls, at: position)
                case .qwen2: end = matchQwen(scalars, cls, at: position, maxDigits: 1)
                case .llama3: end = matchQwen(scalars, cls, at: position, maxDigits: 3)
                }
                pieces.append(Int32(truncatingIfNeeded: position))
                pieces.append(Int32(truncatingIfNeeded: end))
                position = end
            }
        }
    }

    /// Length of a contraction (`'s 't 're 've 'm 'll 'd`) at `position` (which holds an apostrophe), or 0.
    @inline(__always)
    private func contractionLength(_ s: UnsafeBufferPointer<UInt32>, at position: Int, caseInsensitive: Bool) -> Int {
        let count = s.count
        guard position + 1 < count else { return 0 }
        @inline(__always) func fold(_ value: UInt32) -> UInt32 {
            guard caseInsensitive else { return value }
            if value >= 65 && value <= 90 { return value + 32 }
            if value == 0x17F { return 115 }  // LATIN SMALL LETTER LONG S case-folds to "s"
            return value
        }
        let first = fold(s[position + 1])
        switch first {
        case 115, 116, 109, 100:  // s t m d
            return 2
        case 114, 118:  // r v  → 're 've
            if position + 2 < count && fold(s[position + 2]) == 101 { return 3 }
            return 0
        case 108:  // l → 'll
            if position + 2 < count && fold(s[position + 2]) == 108 { return 3 }
            return 0
        default:
            return 0
        }
    }

    /// End of the run of scalars at or after `position` whose class satisfies `predicate`.
    @inline(__always)
    private func runEnd(_ cls: UnsafeBufferPointer<UInt8>, from position: Int, _ predicate: (UInt8) -> Bool) -> Int {
        var index = position
        while index < cls.count && predicate(cls[index]) { index += 1 }
        return index
    }

    @inline(__always)
    private func isOther(_ bits: UInt8) -> Bool { bits & (Self.classLetter | Self.classNumber | Self.classSpace) == 0 }

    /// `\s*[\r\n]+ | \s+(?!\S) | \s+` at a whitespace scalar (Qwen2/Llama-3 include the first alternative).
    @inline(__always)
    private func matchWhitespace(_ cls: UnsafeBufferPointer<UInt8>, at position: Int, newlineAware: Bool) -> Int {
        let runStop = runEnd(cls, from: position) { $0 & Self.classSpace != 0 }
        if newlineAware {
            var index = runStop - 1
            while index >= position {
                if cls[index] & Self.classNewline != 0 { return index + 1 }
                index -= 1
            }
        }
        if runStop == cls.count { return runStop }
        if runStop - 1 > position { return runStop - 1 }
        return runStop
    }

    private func matchQwen(_ s: UnsafeBufferPointer<UInt32>, _ cls: UnsafeBufferPointer<UInt8>, at position: Int, maxDigits: Int) -> Int {
        let value = s[position]
        let bits = cls[position]
        let count = s.count
        if value == 39 {  // apostrophe
            let length = contractionLength(s, at: position, caseInsensitive: true)
            if length > 0 { return position + length }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if bits & Self.classLetter != 0 {
            return runEnd(cls, from: position + 1) { $0 & Self.classLetter != 0 }
        }
        if bits & (Self.classNumber | Self.classNewline) == 0 && position + 1 < count && cls[position + 1] & Self.classLetter != 0 {
            return runEnd(cls, from: position + 2) { $0 & Self.classLetter != 0 }
        }
        // \p{N}{1,maxDigits}
        if bits & Self.classNumber != 0 {
            var end = position + 1
            while end < count && end - position < maxDigits && cls[end] & Self.classNumber != 0 { end += 1 }
            return end
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        var otherStart = -1
        if value == 32 && position + 1 < count && isOther(cls[position + 1]) {
            otherStart = position + 1
        } else if isOther(bits) {
            otherStart = position
        }
        if otherStart >= 0 {
            let othersEnd = runEnd(cls, from: otherStart) { isOther($0) }
            return runEnd(cls, from: othersEnd) { $0 & Self.classNewline != 0 }
        }
        return matchWhitespace(cls, at: position, newlineAware: true)
    }

    private func matchGPT2(_ s: UnsafeBufferPointer<UInt32>, _ cls: UnsafeBufferPointer<UInt8>, at position: Int) -> Int {
        let value = s[position]
        let bits = cls[position]
        let count = s.count
        if value == 39 {
            let length = contractionLength(s, at: position, caseInsensitive: false)
            if length > 0 { return position + length }
        }
        // Optional leading space before letters, numbers or others.
        var body = position
        if value == 32 && position + 1 < count && cls[position + 1] & Self.classSpace == 0 { body = position + 1 }
        let bodyBits = cls[body]
        if bodyBits & Self.classLetter != 0 {
            return runEnd(cls, from: body + 1) { $0 & Self.classLetter != 0 }
        }
        if bodyBits & Self.classNumber != 0 {
            return runEnd(cls, from: body + 1) { $0 & Self.classNumber != 0 }
        }
        if isOther(bodyBits) {
            return runEnd(cls, from: body + 1) { isOther($0) }
        }
        _ = bits
        return matchWhitespace(cls, at: position, newlineAware: false)
    }
}
