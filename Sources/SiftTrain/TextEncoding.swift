// Turning labelled texts into model-ready token ids: tokenise without special tokens, shorten the
// text by the chosen strategy (head, tail, head+tail) or cut it into overlapping windows, then add
// the model's special tokens (to every window).
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
    /// Sliding-window mode: a text longer than `maxLength` becomes overlapping windows (each with
    /// the special tokens) instead of being truncated. Nil: truncate with `truncation`.
    public var window: WindowOptions?

    public init(maxLength: Int = 128, truncation: TruncationStrategy = .head, addSpecialTokens: Bool = true,
                window: WindowOptions? = nil) {
        self.maxLength = maxLength
        self.truncation = truncation
        self.addSpecialTokens = addSpecialTokens
        self.window = window
    }
}

/// How long texts are cut into windows and how the windows' logits are combined.
public struct WindowOptions: Sendable, Equatable {
    /// Tokens between the starts of consecutive windows (content tokens, special tokens excluded);
    /// nil: half a window's content, so consecutive windows overlap by half.
    public var stride: Int?
    /// How window logits become one document's logits.
    public var aggregation: LogitAggregation

    public init(stride: Int? = nil, aggregation: LogitAggregation = .mean) {
        self.stride = stride
        self.aggregation = aggregation
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

    /// The windows of one example: one window (the plain path, identical to `encodeExample`) unless
    /// `options.window` is set and the text is longer than `options.maxLength`; then overlapping
    /// windows of at most `maxLength` tokens, special tokens included, `stride` content tokens apart.
    /// Sentence pairs are not windowed: they are truncated longest-first as in `encodeExample`.
    public func encodeWindows(text: String, pair: String?, label: Int, options: TextEncodingOptions) throws -> [TokenizedExample] {
        guard let window = options.window, pair == nil else {
            let (ids, types) = try encodeExample(text: text, pair: pair, options: options)
            return [TokenizedExample(ids: ids, label: label, tokenTypeIDs: pair == nil ? nil : types)]
        }
        let ids = encode(text, addSpecialTokens: false).ids
        let reserved = options.addSpecialTokens ? postProcessor.addedCount(isPair: false) : 0
        let content = options.maxLength - reserved
        guard content >= 1 else {
            throw TrainError.invalidArgument("max length \(options.maxLength) leaves no room for text after \(reserved) special tokens")
        }
        let stride = window.stride ?? max(1, content / 2)
        guard stride >= 1, stride <= content else {
            throw TrainError.invalidArgument("the window stride \(stride) must be in 1...\(content) (max length \(options.maxLength) "
                                             + "minus \(reserved) special tokens), or windows would skip tokens")
        }
        let chunker = try SlidingWindow(window: options.maxLength, stride: stride, reserved: reserved)
        return chunker.ranges(count: ids.count).map { range in
            TokenizedExample(ids: assemble(first: Array(ids[range]), second: nil, addSpecialTokens: options.addSpecialTokens).ids, label: label)
        }
    }

    /// Tokenises a dataset into documents of one or more windows (see `encodeWindows`), in parallel.
    public func encodeDocuments(_ dataset: TextDataset, options: TextEncodingOptions) throws -> WindowedExamples {
        try encodeDocuments(dataset.examples.map { ($0.text, $0.textPair, $0.label) }, options: options)
    }

    /// Tokenises texts (with optional pairs and labels) into documents of one or more windows, in parallel.
    public func encodeDocuments(_ items: [(text: String, pair: String?, label: Int)], options: TextEncodingOptions) throws -> WindowedExamples {
        var results = [Result<[TokenizedExample], Error>?](repeating: nil, count: items.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                let start = items.count * part / 2, end = items.count * (part + 1) / 2
                for i in start..<end {
                    shared.value[i] = Result { try encodeWindows(text: items[i].text, pair: items[i].pair, label: items[i].label, options: options) }
                }
            }
        }
        return try WindowedExamples(documents: results.map { try $0!.get() }, labels: items.map(\.label))
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
