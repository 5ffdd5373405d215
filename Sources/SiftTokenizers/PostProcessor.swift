// Hugging Face TemplateProcessing: where special tokens go around one text or a pair, and their type ids.

/// The special-token template applied after the model (`[CLS] $A [SEP] $B:1 [SEP]:1` for BERT).
public struct PostProcessor: Sendable, Equatable {
    /// One element of a template.
    public enum Piece: Sendable, Equatable {
        /// The first (`a`) or second text's tokens, with a type id.
        case sequence(first: Bool, typeId: Int)
        /// Special token ids with a type id.
        case special(ids: [Int], typeId: Int)
    }

    /// The template for one text.
    public var single: [Piece]
    /// The template for a text pair.
    public var pair: [Piece]

    /// A template from its single-text and pair forms.
    public init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// No special tokens: `$A` and `$A $B:1` (Qwen, GPT-2).
    public static let none = PostProcessor(
        single: [.sequence(first: true, typeId: 0)],
        pair: [.sequence(first: true, typeId: 0), .sequence(first: false, typeId: 1)])

    /// BERT: `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`.
    public static func bert(cls: Int, sep: Int) -> PostProcessor {
        PostProcessor(
            single: [.special(ids: [cls], typeId: 0), .sequence(first: true, typeId: 0), .special(ids: [sep], typeId: 0)],
            pair: [.special(ids: [cls], typeId: 0), .sequence(first: true, typeId: 0), .special(ids: [sep], typeId: 0),
                   .sequence(first: false, typeId: 1), .special(ids: [sep], typeId: 1)])
    }

    /// Number of special tokens the template adds.
    public func addedCount(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { total, piece in
            if case .special(let ids, _) = piece { return total + ids.count }
            return total
        }
    }

    /// Assembles the final encoding from the model's encodings of the first and (optional) second text.
    func apply(first: Encoding, second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        let template = second == nil ? single : pair
        // Common case (no special tokens for a single text): the model's encoding is already the result.
        if second == nil {
            if !addSpecialTokens { return first }
            if template.count == 1, case .sequence(true, 0) = template[0] { return first }
        }
        var output = Encoding()
        let capacity = first.count + (second?.count ?? 0) + 4
        output.ids.reserveCapacity(capacity)
        for piece in template {
            switch piece {
            case .sequence(let isFirst, let typeId):
                guard let part = isFirst ? first : second else { continue }
                output.ids += part.ids
                output.typeIds += Array(repeating: typeId, count: part.count)
                output.attentionMask += part.attentionMask
                output.specialTokensMask += part.specialTokensMask
                output.offsets += part.offsets
            case .special(let ids, let typeId):
                guard addSpecialTokens else { continue }
                for id in ids { output.append(id: id, typeId: typeId, special: true, offset: 0..<0) }
            }
        }
        return output
    }
}
