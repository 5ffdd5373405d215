// One tensor's description in a GGUF file.

/// A tensor as a GGUF file describes it.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The GGUF (llama.cpp) name, e.g. `blk.0.attn_q.weight`.
    public let name: String
    /// ggml dimensions, fastest-varying first (`ne[0]` = columns).
    public let dimensions: [Int]
    /// The element type.
    public let type: GGMLType
    /// Offset of the data relative to the start of the data section.
    public let relativeOffset: Int
    /// Absolute byte range in the file.
    public let fileOffsets: Range<Int>

    /// Row-major (Hugging Face) shape: `dimensions` reversed, `[ne[n-1], …, ne[0]]`.
    public var shape: [Int] { dimensions.reversed() }
    /// Number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }
}
