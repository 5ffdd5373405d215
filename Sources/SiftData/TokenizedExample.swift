// A tokenized example, ready for batching.

/// Token ids of one example (special tokens already added by the caller) and its class id.
public struct TokenizedExample: Sendable, Hashable {
    /// The token ids.
    public var ids: [Int]
    /// The class id.
    public var label: Int
    /// Token type (segment) ids for sentence pairs, same length as `ids`; nil means all 0.
    public var tokenTypeIDs: [Int]?

    /// An example; `tokenTypeIDs`, when given, must have one entry per id.
    public init(ids: [Int], label: Int, tokenTypeIDs: [Int]? = nil) {
        self.ids = ids
        self.label = label
        self.tokenTypeIDs = tokenTypeIDs
    }
}
