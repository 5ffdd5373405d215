// A labelled text dataset in memory: examples plus the label set that names their classes.

/// One labelled example.
public struct TextExample: Sendable, Hashable {
    /// The text to classify.
    public var text: String
    /// The optional second text of a sentence pair.
    public var textPair: String?
    /// The class id (index into the dataset's ``LabelSet``).
    public var label: Int
    /// The 0-based record index in the source file (AG News' `agnews-train:N` is row N).
    public var row: Int

    /// An example; `row` is its 0-based record index in the source.
    public init(text: String, textPair: String? = nil, label: Int, row: Int) {
        self.text = text
        self.textPair = textPair
        self.label = label
        self.row = row
    }
}

/// Labelled examples and their label set.
public struct TextDataset: Sendable {
    /// The examples, in file order unless reordered by a split, subsample or shuffle.
    public var examples: [TextExample]
    /// The class names.
    public var labels: LabelSet
    /// Where the examples came from (a path), for messages and reports.
    public var source: String

    /// A dataset; every example's label must be an id of `labels`.
    public init(examples: [TextExample], labels: LabelSet, source: String) {
        self.examples = examples
        self.labels = labels
        self.source = source
    }

    /// The number of examples.
    public var count: Int { examples.count }

    /// The number of examples of each class, indexed by class id.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: labels.count)
        for example in examples where example.label >= 0 && example.label < counts.count {
            counts[example.label] += 1
        }
        return counts
    }

    /// The class ids of all examples, in order.
    public var labelIDs: [Int] { examples.map(\.label) }

    /// A dataset holding the examples at `indices` (in that order), with the same label set.
    public func selecting(_ indices: [Int]) -> TextDataset {
        TextDataset(examples: indices.map { examples[$0] }, labels: labels, source: source)
    }
}
