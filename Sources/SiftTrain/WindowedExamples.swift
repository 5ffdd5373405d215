// Documents as lists of model-ready token windows. A document that fits in the context is one
// window (exactly what plain truncation would give); a longer one, in sliding-window mode, is
// several overlapping windows whose logits are aggregated back into one prediction.
import SiftData

/// Tokenised documents, each made of one or more windows (chunks) with the model's special tokens.
public struct WindowedExamples: Sendable, Equatable {
    /// Every window of every document, in document order; each chunk carries its document's label.
    public private(set) var chunks: [TokenizedExample]
    /// The chunks of each document: `chunks[documentRanges[d]]`.
    public private(set) var documentRanges: [Range<Int>]
    /// The class id of each document.
    public private(set) var labels: [Int]

    /// Documents of one window each (the plain, truncating path).
    public init(plain examples: [TokenizedExample]) {
        chunks = examples
        documentRanges = examples.indices.map { $0..<($0 + 1) }
        labels = examples.map(\.label)
    }

    /// Documents from their windows; every document needs at least one window.
    public init(documents: [[TokenizedExample]], labels: [Int]) throws {
        guard documents.count == labels.count else {
            throw TrainError.invalidArgument("\(documents.count) documents were given with \(labels.count) labels")
        }
        var chunks: [TokenizedExample] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(documents.count)
        for (index, windows) in documents.enumerated() {
            guard !windows.isEmpty else {
                throw TrainError.invalidArgument("document \(index) has no window; every document needs at least one")
            }
            ranges.append(chunks.count..<(chunks.count + windows.count))
            chunks.append(contentsOf: windows)
        }
        self.chunks = chunks
        self.documentRanges = ranges
        self.labels = labels
    }

    /// The number of documents.
    public var count: Int { documentRanges.count }
    /// Whether there are no documents.
    public var isEmpty: Bool { documentRanges.isEmpty }
    /// Whether every document is a single window (then aggregation changes nothing).
    public var isPlain: Bool { chunks.count == documentRanges.count }

    /// The document of each chunk.
    public var documentOfChunk: [Int] {
        var owners = [Int](repeating: 0, count: chunks.count)
        for (document, range) in documentRanges.enumerated() {
            for chunk in range { owners[chunk] = document }
        }
        return owners
    }

    /// The documents at `indices`, in that order (a subset, e.g. for a capped validation set).
    public func subset(_ indices: [Int]) throws -> WindowedExamples {
        try WindowedExamples(documents: indices.map { Array(chunks[documentRanges[$0]]) }, labels: indices.map { labels[$0] })
    }
}
