// Batched inference over a tokenised dataset: logits, probabilities, metrics and loss.
// Examples (or the windows of long documents) are run sorted by length (little padding) and
// returned in their original order.
import Foundation
import SiftData
import SiftModels
import SiftTensor

/// Per-example class probabilities and the predicted class.
public struct ClassPrediction: Sendable, Codable, Equatable {
    public var predicted: Int
    public var probabilities: [Float]
}

/// The outcome of evaluating a classifier on labelled examples.
public struct EvaluationResult: Sendable {
    public var report: ClassificationReport
    /// Mean cross-entropy over the examples.
    public var loss: Double
    public var predictions: [ClassPrediction]
    public var seconds: Double
    public var examplesPerSecond: Double { seconds > 0 ? Double(predictions.count) / seconds : 0 }
}

/// Runs classifiers over datasets.
public enum Evaluator {
    /// Logits `[N × L]` (row-major) for every example, in input order.
    public static func logits(
        _ model: SequenceClassifier, examples: [TokenizedExample], batchSize: Int, padId: Int,
        paddingSide: PaddingSide = .right, progress: ((Int) -> Void)? = nil
    ) throws -> [Float] {
        let classCount = model.classCount
        var output = [Float](repeating: 0, count: examples.count * classCount)
        let order = examples.indices.sorted { examples[$0].ids.count > examples[$1].ids.count }
        var done = 0
        try withNoGrad {
            var start = 0
            while start < order.count {
                let indices = Array(order[start..<min(start + batchSize, order.count)])
                let batch = try Batcher.batch(examples, indices: indices,
                                              options: BatchingOptions(batchSize: batchSize, padID: padId, paddingSide: paddingSide))
                let tokens = try TokenBatch(paddedBatch: batch)
                var context = ForwardContext.inference
                let logits = try model.classify(tokens, context: &context).scalars
                for (row, index) in indices.enumerated() {
                    for c in 0..<classCount { output[index * classCount + c] = logits[row * classCount + c] }
                }
                start += indices.count
                done += indices.count
                progress?(done)
            }
        }
        return output
    }

    /// Logits `[D × L]` (row-major) for every document, in input order: every window runs through
    /// the model in padded batches of at most `batchSize` windows (windows of several documents
    /// share a batch, longest first), then each document's window logits are aggregated.
    /// Documents of one window get exactly the plain path's logits.
    public static func logits(
        _ model: SequenceClassifier, windows: WindowedExamples, aggregation: LogitAggregation, batchSize: Int, padId: Int,
        paddingSide: PaddingSide = .right, progress: ((Int) -> Void)? = nil
    ) throws -> [Float] {
        let documents = windows.count, chunkCount = windows.chunks.count
        let chunkProgress = progress.map { report in { (done: Int) in report(chunkCount > 0 ? done * documents / chunkCount : 0) } }
        let chunkLogits = try logits(model, examples: windows.chunks, batchSize: batchSize, padId: padId,
                                     paddingSide: paddingSide, progress: chunkProgress)
        if windows.isPlain { return chunkLogits }
        return try SlidingWindow.aggregate(chunkLogits: chunkLogits, classCount: model.classCount,
                                           exampleIndices: windows.documentOfChunk, exampleCount: documents, method: aggregation)
    }

    /// Logits, predictions, metrics and loss on labelled examples.
    public static func evaluate(
        _ model: SequenceClassifier, examples: [TokenizedExample], labelNames: [String], batchSize: Int, padId: Int,
        paddingSide: PaddingSide = .right, progress: ((Int) -> Void)? = nil
    ) throws -> EvaluationResult {
        try evaluate(model, windows: WindowedExamples(plain: examples), aggregation: .mean, labelNames: labelNames,
                     batchSize: batchSize, padId: padId, paddingSide: paddingSide, progress: progress)
    }

    /// Logits (aggregated over each document's windows), predictions, metrics and loss on labelled documents.
    public static func evaluate(
        _ model: SequenceClassifier, windows: WindowedExamples, aggregation: LogitAggregation, labelNames: [String],
        batchSize: Int, padId: Int, paddingSide: PaddingSide = .right, progress: ((Int) -> Void)? = nil
    ) throws -> EvaluationResult {
        let start = Date()
        let logits = try self.logits(model, windows: windows, aggregation: aggregation, batchSize: batchSize, padId: padId,
                                     paddingSide: paddingSide, progress: progress)
        let seconds = Date().timeIntervalSince(start)
        let classCount = model.classCount
        var predictions: [ClassPrediction] = []
        predictions.reserveCapacity(windows.count)
        var loss = 0.0
        for (i, label) in windows.labels.enumerated() {
            let row = Array(logits[(i * classCount)..<((i + 1) * classCount)])
            let probabilities = softmax(row)
            let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            predictions.append(ClassPrediction(predicted: predicted, probabilities: probabilities))
            if label >= 0 && label < classCount {
                loss -= Double(log(max(probabilities[label], Float.leastNormalMagnitude)))
            }
        }
        let report = try ClassificationReport(labels: windows.labels, predictions: predictions.map(\.predicted), labelNames: labelNames)
        return EvaluationResult(report: report, loss: loss / Double(max(windows.count, 1)), predictions: predictions, seconds: seconds)
    }

    /// Numerically stable softmax of one row.
    public static func softmax(_ row: [Float]) -> [Float] {
        let m = row.max() ?? 0
        let e = row.map { Foundation.exp(Double($0 - m)) }
        let total = e.reduce(0, +)
        return e.map { Float($0 / total) }
    }
}

extension TokenBatch {
    /// A model batch from SiftData's padded batch.
    public init(paddedBatch b: PaddedBatch) throws {
        try self.init(ids: b.inputIDs, attentionMask: b.attentionMask,
                      tokenTypeIds: b.tokenTypeIDs.contains { $0 != 0 } ? b.tokenTypeIDs : nil,
                      batchSize: b.batchSize, length: b.sequenceLength)
    }
}
