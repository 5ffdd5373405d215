// One tensor's description in a safetensors header.

/// A tensor as a safetensors header describes it: name, element type, shape and where its bytes are.
public struct SafetensorsEntry: Sendable, Equatable {
    /// The tensor's name (Hugging Face parameter name for model weights).
    public let name: String
    /// The stored element type.
    public let dtype: SafetensorsDType
    /// Row-major dimensions.
    public let shape: [Int]
    /// The bytes of this tensor relative to the start of the data section (`data_offsets`).
    public let dataOffsets: Range<Int>
    /// The same bytes as absolute offsets in the file (8 + header length + `dataOffsets`).
    public let fileOffsets: Range<Int>

    /// Number of elements (product of `shape`; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
