// A padded batch of token ids: the input every model takes.

/// A `[batch, length]` batch of token ids with its attention mask.
public struct TokenBatch: Sendable, Equatable {
    /// Row-major `[batch, length]` ids (padding included).
    public var ids: [Int]
    /// Row-major `[batch, length]`, 1 for real tokens, 0 for padding.
    public var attentionMask: [Int]
    /// Row-major `[batch, length]` segment ids (BERT pairs), or nil for all zeros.
    public var tokenTypeIds: [Int]?
    /// Row-major `[batch, length]` positions, or nil to derive them from the mask.
    public var positionIds: [Int]?
    public var batchSize: Int
    public var length: Int

    /// Validates that every array is `batchSize × length`.
    public init(ids: [Int], attentionMask: [Int]? = nil, tokenTypeIds: [Int]? = nil, positionIds: [Int]? = nil,
                batchSize: Int, length: Int) throws {
        guard batchSize > 0, length > 0 else {
            throw ModelError.invalidInput("a batch needs at least one row and one token (got \(batchSize)×\(length))")
        }
        let count = batchSize * length
        guard ids.count == count else {
            throw ModelError.invalidInput("ids hold \(ids.count) values, expected batch \(batchSize) × length \(length) = \(count)")
        }
        let mask = attentionMask ?? [Int](repeating: 1, count: count)
        for (name, array) in [("attention_mask", mask), ("token_type_ids", tokenTypeIds ?? []), ("position_ids", positionIds ?? [])]
        where !array.isEmpty && array.count != count {
            throw ModelError.invalidInput("\(name) holds \(array.count) values, expected \(count)")
        }
        self.ids = ids
        self.attentionMask = mask
        self.tokenTypeIds = tokenTypeIds
        self.positionIds = positionIds
        self.batchSize = batchSize
        self.length = length
    }

    /// Pads ragged rows into a batch (right or left padding).
    public init(rows: [[Int]], padId: Int, padLeft: Bool = false, typeRows: [[Int]]? = nil) throws {
        guard !rows.isEmpty else { throw ModelError.invalidInput("empty batch: no rows") }
        let length = rows.map(\.count).max() ?? 0
        guard length > 0 else { throw ModelError.invalidInput("every row of the batch is empty") }
        var ids = [Int](), mask = [Int](), types = [Int]()
        ids.reserveCapacity(rows.count * length)
        for (r, row) in rows.enumerated() {
            let pad = length - row.count
            let typeRow = typeRows?[r] ?? []
            if padLeft {
                ids += [Int](repeating: padId, count: pad) + row
                mask += [Int](repeating: 0, count: pad) + [Int](repeating: 1, count: row.count)
                types += [Int](repeating: 0, count: pad) + (typeRow.isEmpty ? [Int](repeating: 0, count: row.count) : typeRow)
            } else {
                ids += row + [Int](repeating: padId, count: pad)
                mask += [Int](repeating: 1, count: row.count) + [Int](repeating: 0, count: pad)
                types += (typeRow.isEmpty ? [Int](repeating: 0, count: row.count) : typeRow) + [Int](repeating: 0, count: pad)
            }
        }
        try self.init(ids: ids, attentionMask: mask, tokenTypeIds: typeRows == nil ? nil : types,
                      batchSize: rows.count, length: length)
    }

    /// Positions: the given ones, else `cumsum(mask) − 1` clamped at 0 (so left padding gives
    /// real tokens 0…n−1, as Hugging Face generation does; RoPE only sees relative offsets).
    public func resolvedPositions(offset: Int = 0) -> [Int] {
        if let positionIds { return positionIds }
        var positions = [Int](repeating: 0, count: ids.count)
        for b in 0..<batchSize {
            var seen = 0
            for t in 0..<length {
                let i = b * length + t
                seen += attentionMask[i]
                positions[i] = max(seen - 1, 0) + offset
            }
        }
        return positions
    }

    /// Index of the last real token in each row (by the attention mask).
    public func lastTokenIndices() -> [Int] {
        (0..<batchSize).map { b in
            var last = 0
            for t in 0..<length where attentionMask[b * length + t] != 0 { last = t }
            return last
        }
    }
}
