// The result of encoding one text or text pair.

/// Token ids and their companions, all of the same length.
public struct Encoding: Sendable, Equatable {
    /// Token ids.
    public var ids: [Int]
    /// Segment of each token: 0 for the first text (and its special tokens), 1 for the second of a pair.
    public var typeIds: [Int]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int]
    /// 1 for special tokens added by the post-processor and for padding, 0 otherwise.
    public var specialTokensMask: [Int]
    /// For each token, the range of Unicode scalars (code points) of its source text it came from
    /// (the first or second text of a pair, see `typeIds`); empty for added special tokens and padding.
    public var offsets: [Range<Int>]

    /// An encoding from its parallel arrays (all must have the same length).
    public init(ids: [Int] = [], typeIds: [Int] = [], attentionMask: [Int] = [], specialTokensMask: [Int] = [],
                offsets: [Range<Int>] = []) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.specialTokensMask = specialTokensMask
        self.offsets = offsets
    }

    /// Number of tokens.
    public var count: Int { ids.count }

    /// Appends a model token (type 0, attended, not special); `finishModelTokens()` fills the companion arrays.
    @inline(__always)
    mutating func appendModelToken(id: Int, offset: Range<Int>) {
        ids.append(id)
        offsets.append(offset)
    }

    /// Completes the type ids, attention mask and special-tokens mask after `appendModelToken` calls.
    mutating func finishModelTokens() {
        let missing = ids.count - typeIds.count
        guard missing > 0 else { return }
        typeIds += repeatElement(0, count: missing)
        attentionMask += repeatElement(1, count: missing)
        specialTokensMask += repeatElement(0, count: missing)
    }

    mutating func append(id: Int, typeId: Int, special: Bool, offset: Range<Int>) {
        ids.append(id)
        typeIds.append(typeId)
        attentionMask.append(1)
        specialTokensMask.append(special ? 1 : 0)
        offsets.append(offset)
    }

    /// Keeps `count` tokens, dropping from the end (`.right`) or the start (`.left`).
    mutating func truncate(to count: Int, direction: TruncationOptions.Direction) {
        guard count < ids.count else { return }
        let drop = ids.count - count
        switch direction {
        case .right:
            ids.removeLast(drop); typeIds.removeLast(drop); attentionMask.removeLast(drop)
            specialTokensMask.removeLast(drop); offsets.removeLast(drop)
        case .left:
            ids.removeFirst(drop); typeIds.removeFirst(drop); attentionMask.removeFirst(drop)
            specialTokensMask.removeFirst(drop); offsets.removeFirst(drop)
        }
    }

    /// Pads to `length` tokens with `padId` (attention mask 0) on the given side.
    mutating func pad(to length: Int, padId: Int, padTypeId: Int, direction: PaddingOptions.Direction) {
        let missing = length - ids.count
        guard missing > 0 else { return }
        switch direction {
        case .right:
            ids += Array(repeating: padId, count: missing)
            typeIds += Array(repeating: padTypeId, count: missing)
            attentionMask += Array(repeating: 0, count: missing)
            specialTokensMask += Array(repeating: 1, count: missing)
            offsets += Array(repeating: 0..<0, count: missing)
        case .left:
            ids = Array(repeating: padId, count: missing) + ids
            typeIds = Array(repeating: padTypeId, count: missing) + typeIds
            attentionMask = Array(repeating: 0, count: missing) + attentionMask
            specialTokensMask = Array(repeating: 1, count: missing) + specialTokensMask
            offsets = Array(repeating: 0..<0, count: missing) + offsets
        }
    }
}
