// Turning labelled texts into model-ready token ids: tokenise without special tokens, shorten the
// text by the chosen strategy (head, tail, head+tail), then add the model's special tokens.
import SiftData
import SiftTokenizers

/// How texts become token ids for a classifier.
public struct TextEncodingOptions: Sendable, Equatable {
    /// Maximum tokens per sequence, special tokens included.
    public var maxLength: Int
    /// Which tokens survive when a text is too long.
    public var truncation: TruncationStrategy
    /// Whether to add the tokenizer's special tokens ([CLS]/[SEP] for BERT; none for Qwen).
    public var addSpecialTokens: Bool

    public init(maxLength: Int = 128, truncation: TruncationStrategy = .head, addSpecialTokens: Bool = true) {
        self.maxLength = maxLength
        self.truncation = truncation
        self.addSpecialTokens = addSpecialTokens
    }
}

extension Tokenizer {
    /// Ids (and type ids) of one example, truncated to `options.maxLength`.
    /// Pairs are truncated longest-first (both texts share the budget), as transformers does.
    public func encodeExample(text: String, pair: String?, options: TextEncodingOptions) throws -> (ids: [Int], typeIds: [Int]) {
        let first = encode(text, addSpecialTokens: false).ids
        let second = pair.map { encode($0, addSpecialTokens: false).ids }
        let reserved = options.addSpecialTokens ? postProcessor.addedCount(isPair: second != nil) : 0
        var a = first, b = second
        if var bIds = b {
            // Longest-first: drop from the longer text one token at a time.
            let budget = max(options.maxLength - reserved, 0)
            while a.count + bIds.count > budget {
                if a.count >= bIds.count { a.removeLast() } else { bIds.removeLast() }
            }
            b = bIds
        } else {
            a = try LongText.truncate(a, maxLength: options.maxLength, reserved: reserved, strategy: options.truncation)
        }
        return assemble(first: a, second: b, addSpecialTokens: options.addSpecialTokens)
    }

    /// Adds the post-processor's special tokens around already-encoded ids.
    public func assemble(first: [Int], second: [Int]?, addSpecialTokens: Bool) -> (ids: [Int], typeIds: [Int]) {
        var ids: [Int] = [], types: [Int] = []
        for piece in second == nil ? postProcessor.single : postProcessor.pair {
            switch piece {
            case let .sequence(isFirst, typeId):
                guard let part = isFirst ? first : second else { continue }
                ids += part
                types += [Int](repeating: typeId, count: part.count)
            case let .special(specialIds, typeId):
                guard addSpecialTokens else { continue }
                ids += specialIds
                types += [Int](repeating: typeId, count: specialIds.count)
            }
        }
        return (ids, types)
    }

    /// Tokenises a dataset in parallel.
    public func encodeDataset(_ dataset: TextDataset, options: TextEncodingOptions) throws -> [TokenizedExample] {
        let examples = dataset.examples
        var results = [Result<TokenizedExample, Error>?](repeating: nil, count: examples.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                let start = examples.count * part / 2, end = examples.count * (part + 1) / 2
                for i in start..<end {
                    shared.value[i] = Result {
                        let (ids, types) = try encodeExample(text: examples[i].text, pair: examples[i].textPair, options: options)
                        return TokenizedExample(ids: ids, label: examples[i].label, tokenTypeIDs: examples[i].textPair == nil ? nil : types)
                    }
                }
            }
        }
        return try results.map { try $0!.get() }
    }
}

/// Hands a buffer to a concurrent loop whose iterations write disjoint elements.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

import Dispatch
import Foundation
