// The train / validation / test splits of a task: one file per split, or a validation set
// split off the training file.

import Foundation

/// The splits of a labelled dataset; all share the training set's label set.
public struct DatasetSplits: Sendable {
    /// The training examples.
    public var train: TextDataset
    /// Examples for model selection, if any.
    public var validation: TextDataset?
    /// Held-out examples for the final numbers, if any.
    public var test: TextDataset?

    /// Splits from already loaded datasets (they should share one label set).
    public init(train: TextDataset, validation: TextDataset? = nil, test: TextDataset? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Loads one file per split. The training file fixes the label set (unless `options.labels`
    /// does); a validation or test label the training set lacks is an error naming file and line.
    public static func load(train: URL, validation: URL? = nil, test: URL? = nil,
                            options: DatasetLoadOptions = DatasetLoadOptions()) throws -> DatasetSplits {
        let trainSet = try DatasetLoader.load(train, options: options)
        var evaluationOptions = options
        evaluationOptions.labels = trainSet.labels
        return DatasetSplits(
            train: trainSet,
            validation: try validation.map { try DatasetLoader.load($0, options: evaluationOptions) },
            test: try test.map { try DatasetLoader.load($0, options: evaluationOptions) })
    }

    /// Loads one file and splits off a stratified validation set (see
    /// ``TextDataset/stratifiedSplit(validationFraction:seed:)``); `test` is an optional separate file.
    public static func load(file: URL, validationFraction: Double, seed: UInt64, test: URL? = nil,
                            options: DatasetLoadOptions = DatasetLoadOptions()) throws -> DatasetSplits {
        let all = try DatasetLoader.load(file, options: options)
        let split = try all.stratifiedSplit(validationFraction: validationFraction, seed: seed)
        var evaluationOptions = options
        evaluationOptions.labels = all.labels
        return DatasetSplits(train: split.train, validation: split.validation,
                             test: try test.map { try DatasetLoader.load($0, options: evaluationOptions) })
    }
}

extension TextDataset {
    /// Tokenizes every example with `encode` (which adds special tokens and pairs as the model
    /// needs), keeping each example's label.
    public func tokenized(_ encode: (TextExample) throws -> [Int]) rethrows -> [TokenizedExample] {
        try examples.map { TokenizedExample(ids: try encode($0), label: $0.label) }
    }
}
