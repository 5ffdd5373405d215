// One padded batch of token ids, as a model consumes it.

/// Which side padding goes on.
public enum PaddingSide: String, Sendable, Hashable, Codable {
    /// Real tokens first, then padding (BERT, the usual choice for training).
    case right
    /// Padding first, then real tokens (decoder generation; the last position is always real).
    case left
}

/// A batch padded to a common length. Matrices are row-major `[batchSize, sequenceLength]`.
public struct PaddedBatch: Sendable, Hashable {
    /// The number of rows.
    public let batchSize: Int
    /// The padded length of every row.
    public let sequenceLength: Int
    /// Token ids, pad id at padded positions.
    public let inputIDs: [Int]
    /// 1 at real tokens, 0 at padding.
    public let attentionMask: [Int]
    /// Token type ids (0 at padding and when the examples have none).
    public let tokenTypeIDs: [Int]
    /// The class id of each row.
    public let labels: [Int]
    /// The index of each row's example in the list that was batched.
    public let exampleIndices: [Int]
    /// The position of each row's last real token (what a decoder's linear head pools).
    public let lastTokenPositions: [Int]
    /// The number of real tokens of each row (after truncation).
    public let lengths: [Int]

    /// The ids of row `row` (padding included).
    public func row(_ row: Int) -> ArraySlice<Int> {
        inputIDs[(row * sequenceLength)..<((row + 1) * sequenceLength)]
    }

    /// Positions for rotary/learned position embeddings derived from the mask: 0, 1, 2… over real
    /// tokens (so left padding does not shift them), 0 at padding (Hugging Face's
    /// `cumsum(mask) − 1` clipped at 0).
    public var maskedPositions: [Int] {
        var positions = [Int](repeating: 0, count: attentionMask.count)
        for row in 0..<batchSize {
            var next = 0
            for column in 0..<sequenceLength {
                let index = row * sequenceLength + column
                if attentionMask[index] != 0 {
                    positions[index] = next
                    next += 1
                }
            }
        }
        return positions
    }
}
