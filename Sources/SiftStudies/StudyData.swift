// The data of a study: the training subset, the test subset every run is scored on, and the
// evaluation subset the training curves (and the best-checkpoint choice) use.
import Foundation
import SiftData

/// Loaded and subsampled study data.
public struct StudyData: Sendable {
    public var train: TextDataset
    public var test: TextDataset
    /// The first `evalPerClass` examples of each class of `test` (all of `test` when unset).
    public var evaluation: TextDataset
    public var labelNames: [String] { train.labels.names }

    /// The three subsets, from already loaded datasets.
    public init(train: TextDataset, test: TextDataset, evaluation: TextDataset) {
        self.train = train
        self.test = test
        self.evaluation = evaluation
    }

    /// Loads the study's files and applies its per-class budgets (the first examples of each class in file order).
    public static func load(_ spec: StudySpec) throws -> StudyData {
        var train = try loadFile(spec.data.train, spec: spec.data, labels: nil)
        var test = try loadFile(spec.data.test, spec: spec.data, labels: train.labels)
        guard train.labels == test.labels else {
            throw StudyError.invalidStudy("the test file's labels (\(test.labels)) differ from the training file's (\(train.labels))")
        }
        if let n = spec.trainPerClass { train = try train.limitedPerClass(n) }
        if let n = spec.testPerClass { test = try test.limitedPerClass(n) }
        let evaluation = try spec.evalPerClass.map { try test.limitedPerClass($0) } ?? test
        guard !train.examples.isEmpty else { throw StudyError.invalidStudy("the training file \(spec.data.train) has no examples") }
        guard !test.examples.isEmpty else { throw StudyError.invalidStudy("the test file \(spec.data.test) has no examples") }
        return StudyData(train: train, test: test, evaluation: evaluation)
    }

    /// Reads one labelled file with the study's column layout.
    public static func loadFile(_ path: String, spec: StudyDataSpec, labels: LabelSet?) throws -> TextDataset {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StudyError.invalidStudy("dataset file not found: \(path)")
        }
        if spec.preset == "agnews" { return try DatasetLoader.loadAGNews(url) }
        func reference(_ text: String) -> ColumnReference { Int(text).map { .index($0) } ?? .name(text) }
        let mapping = ColumnMapping(text: .column(reference(spec.textColumn)), label: reference(spec.labelColumn))
        return try DatasetLoader.load(url, options: DatasetLoadOptions(columns: mapping, labels: labels))
    }
}
