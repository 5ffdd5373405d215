// SiftTokenizers: Hugging Face-compatible WordPiece and byte-level BPE tokenizers.

/// Version of the tokenizer module's on-disk expectations (tokenizer.json schema handled).
public enum SiftTokenizersInfo {
    /// The `tokenizer.json` format version this module reads.
    public static let tokenizerJSONVersion = "1.0"
}
