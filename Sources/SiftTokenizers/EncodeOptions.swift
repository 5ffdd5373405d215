// Options for encoding: special tokens, truncation and padding, as in Hugging Face `tokenizers`.

/// How to shorten encodings that exceed a maximum length (special tokens count towards it).
public struct TruncationOptions: Sendable, Equatable {
    /// Which sequence of a pair loses tokens.
    public enum Strategy: Sendable, Equatable {
        /// Remove from the longer sequence first (balanced, as Hugging Face's `longest_first`).
        case longestFirst
        /// Remove only from the first sequence.
        case onlyFirst
        /// Remove only from the second sequence.
        case onlySecond
    }
    /// Which end loses tokens.
    public enum Direction: Sendable, Equatable { case left, right }

    /// Maximum number of tokens, special tokens included.
    public var maxLength: Int
    /// Which sequence of a pair is shortened.
    public var strategy: Strategy
    /// Which end is cut.
    public var direction: Direction

    /// Truncation to `maxLength` tokens (Hugging Face defaults: longest first, cut on the right).
    public init(maxLength: Int, strategy: Strategy = .longestFirst, direction: Direction = .right) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.direction = direction
    }
}

/// How to pad a batch of encodings to a common length.
public struct PaddingOptions: Sendable, Equatable {
    /// The target length.
    public enum Length: Sendable, Equatable {
        /// The longest encoding of the batch.
        case longest
        /// A fixed length (encodings already longer are left as they are).
        case fixed(Int)
    }
    /// Which side gets the padding.
    public enum Direction: Sendable, Equatable { case left, right }

    /// The length to pad to.
    public var length: Length
    /// Which side is padded.
    public var direction: Direction
    /// The padding id; nil uses the tokenizer's pad token.
    public var padId: Int?
    /// Type id of padding tokens.
    public var padTypeId: Int

    /// Padding (defaults: to the longest of the batch, on the right, with the tokenizer's pad id).
    public init(length: Length = .longest, direction: Direction = .right, padId: Int? = nil, padTypeId: Int = 0) {
        self.length = length
        self.direction = direction
        self.padId = padId
        self.padTypeId = padTypeId
    }
}

/// Options for `Tokenizer.encode`.
public struct EncodeOptions: Sendable, Equatable {
    /// Add the post-processor's special tokens (`[CLS] … [SEP]` for BERT; none for Qwen).
    public var addSpecialTokens: Bool
    /// Truncation, or nil for none (as `transformers` without `truncation=True`).
    public var truncation: TruncationOptions?
    /// Padding, or nil for none.
    public var padding: PaddingOptions?

    /// Options; the defaults add special tokens and neither truncate nor pad.
    public init(addSpecialTokens: Bool = true, truncation: TruncationOptions? = nil, padding: PaddingOptions? = nil) {
        self.addSpecialTokens = addSpecialTokens
        self.truncation = truncation
        self.padding = padding
    }
}
