// Splitting long token sequences into overlapping windows, and combining the per-window logits
// back into one prediction per example.

/// One window of one example.
public struct TextChunk: Sendable, Hashable {
    /// The example this window belongs to.
    public var exampleIndex: Int
    /// The index of the window's first id in the example's ids.
    public var start: Int
    /// The window's ids (without special tokens).
    public var ids: [Int]
}

/// How window logits become one example's logits.
public enum LogitAggregation: String, Sendable, Hashable, Codable, CaseIterable {
    /// The mean over the example's windows, class by class.
    case mean
    /// The maximum over the example's windows, class by class.
    case max
}

/// A sliding-window chunker: windows of `window − reserved` ids whose starts are `stride` ids apart
/// (consecutive windows overlap by `window − reserved − stride` ids; Hugging Face's tokenizer
/// `stride` argument is that overlap, not this step).
public struct SlidingWindow: Sendable, Hashable {
    /// The full window length, special tokens included.
    public let window: Int
    /// The distance between the starts of consecutive windows.
    public let stride: Int
    /// Positions kept free for special tokens in every window.
    public let reserved: Int

    /// A chunker; `stride` must be in 1...(window − reserved) so that no id is skipped.
    public init(window: Int, stride: Int, reserved: Int = 0) throws {
        let content = try LongText.contentBudget(maxLength: window, reserved: reserved)
        guard stride >= 1, stride <= content else {
            throw DatasetError.invalidParameter(
                name: "stride", value: String(stride),
                reason: "must be in 1...\(content) (window − reserved) so windows cover every token")
        }
        self.window = window
        self.stride = stride
        self.reserved = reserved
    }

    /// The ids each window may hold.
    public var contentLength: Int { window - reserved }

    /// The ranges of `count` ids that the windows cover: starts 0, stride, 2·stride… until a window
    /// reaches the end (the last one may be shorter). An empty sequence gives one empty window.
    public func ranges(count: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while true {
            let end = Swift.min(start + contentLength, count)
            ranges.append(start..<end)
            if end >= count { break }
            start += stride
        }
        return ranges
    }

    /// The windows of every example, in example order; `exampleIndex` maps each back.
    public func chunks(_ examples: [[Int]]) -> [TextChunk] {
        var chunks: [TextChunk] = []
        for (exampleIndex, ids) in examples.enumerated() {
            for range in ranges(count: ids.count) {
                chunks.append(TextChunk(exampleIndex: exampleIndex, start: range.lowerBound, ids: Array(ids[range])))
            }
        }
        return chunks
    }

    /// Combines window logits into example logits.
    /// - Parameters:
    ///   - chunkLogits: row-major `[chunkCount, classCount]`.
    ///   - exampleIndices: the example of each window.
    ///   - exampleCount: the number of examples; each must have at least one window.
    /// - Returns: row-major `[exampleCount, classCount]`.
    public static func aggregate(chunkLogits: [Float], classCount: Int, exampleIndices: [Int], exampleCount: Int,
                                 method: LogitAggregation) throws -> [Float] {
        guard classCount >= 1, chunkLogits.count == exampleIndices.count * classCount else {
            throw DatasetError.invalidParameter(
                name: "chunkLogits", value: "\(chunkLogits.count) values",
                reason: "expected \(exampleIndices.count) windows × \(classCount) classes")
        }
        var result = [Float](repeating: method == .max ? -Float.infinity : 0, count: exampleCount * classCount)
        var windows = [Int](repeating: 0, count: exampleCount)
        for (chunk, example) in exampleIndices.enumerated() {
            guard example >= 0, example < exampleCount else {
                throw DatasetError.invalidParameter(
                    name: "exampleIndices[\(chunk)]", value: String(example), reason: "out of range 0..<\(exampleCount)")
            }
            windows[example] += 1
            for label in 0..<classCount {
                let value = chunkLogits[chunk * classCount + label]
                let target = example * classCount + label
                switch method {
                case .mean: result[target] += value
                case .max: result[target] = Swift.max(result[target], value)
                }
            }
        }
        for example in 0..<exampleCount {
            guard windows[example] > 0 else {
                throw DatasetError.invalidParameter(
                    name: "exampleIndices", value: "no window for example \(example)",
                    reason: "every example needs at least one window")
            }
            if method == .mean {
                let windowCount = Float(windows[example])
                for label in 0..<classCount { result[example * classCount + label] /= windowCount }
            }
        }
        return result
    }
}
