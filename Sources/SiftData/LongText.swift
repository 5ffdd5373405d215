// Long texts: truncation from the head, the tail or both ends, over token ids without special
// tokens (the caller adds those afterwards and says how many with `reserved`).

/// Which tokens survive truncation.
public enum TruncationStrategy: Sendable, Hashable {
    /// Keep the first tokens (Hugging Face's default, `truncation_side="right"`).
    case head
    /// Keep the last tokens (`truncation_side="left"`).
    case tail
    /// Keep the first `head` tokens and the last `maxLength − reserved − head` (Sun et al. 2019:
    /// head 128 + tail 382 of 512 worked best for long documents).
    case headAndTail(head: Int)
}

/// Pure functions over token ids for texts longer than a model's context.
public enum LongText {
    /// The ids that fit in `maxLength − reserved` positions (`reserved` = the special tokens the
    /// caller will add, e.g. 2 for BERT's `[CLS]`/`[SEP]`). Ids that fit are returned unchanged.
    public static func truncate(_ ids: [Int], maxLength: Int, reserved: Int = 0,
                                strategy: TruncationStrategy = .head) throws -> [Int] {
        let budget = try contentBudget(maxLength: maxLength, reserved: reserved)
        guard ids.count > budget else { return ids }
        switch strategy {
        case .head:
            return Array(ids[0..<budget])
        case .tail:
            return Array(ids[(ids.count - budget)...])
        case .headAndTail(let head):
            guard head >= 0, head <= budget else {
                throw DatasetError.invalidParameter(
                    name: "head", value: String(head), reason: "must be in 0...\(budget) (maxLength − reserved)")
            }
            let tail = budget - head
            return Array(ids[0..<head]) + Array(ids[(ids.count - tail)...])
        }
    }

    static func contentBudget(maxLength: Int, reserved: Int) throws -> Int {
        guard reserved >= 0 else {
            throw DatasetError.invalidParameter(name: "reserved", value: String(reserved), reason: "must be ≥ 0")
        }
        guard maxLength > reserved else {
            throw DatasetError.invalidParameter(
                name: "maxLength", value: String(maxLength),
                reason: "must exceed the \(reserved) reserved special-token positions")
        }
        return maxLength - reserved
    }
}
