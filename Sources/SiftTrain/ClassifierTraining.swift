// Classifier fine-tuning: cross-entropy on class logits (BERT-family encoders and decoder linear
// heads), evaluated by accuracy, macro-F1 and loss, run by the shared `Trainer`.
import Foundation
import SiftData
import SiftModels
import SiftTensor

/// Fine-tunes a sequence classifier (encoder classifier or decoder linear head).
public final class ClassifierTrainer {
    public let trainer: Trainer
    public let model: SequenceClassifier
    /// Called on the trainer's thread for each event.
    public var onEvent: ((TrainerEvent) -> Void)? {
        get { trainer.onEvent }
        set { trainer.onEvent = newValue }
    }
    /// Total optimizer steps of the run.
    public var totalSteps: Int { trainer.totalSteps }

    public convenience init(bundle: ModelBundle, options: TrainingOptions, output: URL, train: [TokenizedExample],
                            validation: [TokenizedExample]?, labelNames: [String], padId: Int, paddingSide: PaddingSide = .right) throws {
        try self.init(bundle: bundle, options: options, output: output, train: WindowedExamples(plain: train),
                      validation: validation.map { WindowedExamples(plain: $0) }, aggregation: .mean, labelNames: labelNames,
                      padId: padId, paddingSide: paddingSide)
    }

    /// A trainer on documents of one or more windows (sliding-window mode): the loss is the
    /// cross-entropy of each document's aggregated window logits.
    public init(bundle: ModelBundle, options: TrainingOptions, output: URL, train: WindowedExamples,
                validation: WindowedExamples?, aggregation: LogitAggregation, labelNames: [String], padId: Int,
                paddingSide: PaddingSide = .right) throws {
        guard let model = bundle.model.classifier else {
            throw TrainError.invalidArgument("the model at \(bundle.source.path) was not loaded as a classifier")
        }
        guard labelNames.count == model.classCount else {
            throw TrainError.invalidArgument("the data has \(labelNames.count) labels but the model's head has \(model.classCount) outputs")
        }
        if !options.freezeBase { model.setRequiresGrad(true) }
        self.model = model
        let objective = ClassificationObjective(classifier: model, train: train, validation: validation, aggregation: aggregation,
                                                labelNames: labelNames, padId: padId, paddingSide: paddingSide,
                                                batchSize: options.batchSize, evalBatchSize: options.evalBatchSize)
        trainer = try Trainer(bundle: bundle, objective: objective, options: options, output: output)
    }

    /// Runs (or resumes) training to the end.
    @discardableResult
    public func run(resume: Bool = false) throws -> TrainingSummary { try trainer.run(resume: resume) }
}

/// Cross-entropy on class logits; evaluation by accuracy, macro-F1 and loss on labelled examples.
/// Each training example is a document of one or more windows: a micro-batch of documents runs its
/// windows in padded batches of at most `batchSize` windows, and the loss is taken on each
/// document's aggregated (mean or max) window logits, so gradients flow through the aggregation.
public final class ClassificationObjective: TrainingObjective {
    public let classifier: SequenceClassifier
    /// The training documents (one window each on the plain path).
    public let trainDocuments: WindowedExamples
    /// The validation documents.
    public let validationDocuments: WindowedExamples?
    /// How a document's window logits are combined.
    public let aggregation: LogitAggregation
    public let labelNames: [String]
    let batching: BatchingOptions
    let evalBatchSize: Int

    public convenience init(classifier: SequenceClassifier, train: [TokenizedExample], validation: [TokenizedExample]?, labelNames: [String],
                            padId: Int, paddingSide: PaddingSide, batchSize: Int, evalBatchSize: Int) {
        self.init(classifier: classifier, train: WindowedExamples(plain: train), validation: validation.map { WindowedExamples(plain: $0) },
                  aggregation: .mean, labelNames: labelNames, padId: padId, paddingSide: paddingSide, batchSize: batchSize,
                  evalBatchSize: evalBatchSize)
    }

    public init(classifier: SequenceClassifier, train: WindowedExamples, validation: WindowedExamples?, aggregation: LogitAggregation,
                labelNames: [String], padId: Int, paddingSide: PaddingSide, batchSize: Int, evalBatchSize: Int) {
        self.classifier = classifier
        self.trainDocuments = train
        self.validationDocuments = validation
        self.aggregation = aggregation
        self.labelNames = labelNames
        self.batching = BatchingOptions(batchSize: batchSize, padID: padId, paddingSide: paddingSide)
        self.evalBatchSize = evalBatchSize
    }

    public var model: ParameterContainer { classifier }
    public var headParameterNames: Set<String> { classifier.headParameterNames }
    /// Tokens per document (all its windows), for length bucketing.
    public var trainLengths: [Int] {
        trainDocuments.documentRanges.map { range in trainDocuments.chunks[range].reduce(0) { $0 + $1.ids.count } }
    }
    public var hasValidation: Bool { validationDocuments?.isEmpty == false }

    public func loss(indices: [Int], context: inout ForwardContext) throws -> Tensor {
        let logits = try documentLogits(indices: indices, context: &context)
        return try Tensor.crossEntropy(logits: logits, targets: indices.map { trainDocuments.labels[$0] })
    }

    /// Logits `[indices.count, L]` of the training documents at `indices` (with the graph when
    /// grad mode is on): their windows run in padded batches of at most `batchSize` windows, then
    /// multi-window documents are aggregated.
    public func documentLogits(indices: [Int], context: inout ForwardContext) throws -> Tensor {
        var chunkIndices: [Int] = []
        var documentOfChunk: [Int] = []
        for (position, document) in indices.enumerated() {
            guard document >= 0, document < trainDocuments.count else {
                throw TrainError.invalidArgument("training document index \(document) is out of range 0..<\(trainDocuments.count)")
            }
            for chunk in trainDocuments.documentRanges[document] {
                chunkIndices.append(chunk)
                documentOfChunk.append(position)
            }
        }
        let chunks = trainDocuments.chunks
        if chunkIndices.count <= batching.batchSize {
            // One padded batch, rows in document order (exactly the plain path when every document is one window).
            let batch = try TokenBatch(paddedBatch: Batcher.batch(chunks, indices: chunkIndices, options: batching))
            let logits = try classifier.classify(batch, context: &context)
            guard chunkIndices.count != indices.count else { return logits }
            return try logits.aggregatingWindows(documentOfRow: documentOfChunk, documentCount: indices.count, method: aggregation)
        }
        // More windows than a batch holds: longest first, in batches of at most `batchSize` windows.
        let order = chunkIndices.indices.sorted { chunks[chunkIndices[$0]].ids.count > chunks[chunkIndices[$1]].ids.count }
        var parts: [Tensor] = []
        var start = 0
        while start < order.count {
            let rows = order[start..<min(start + batching.batchSize, order.count)]
            let batch = try TokenBatch(paddedBatch: Batcher.batch(chunks, indices: rows.map { chunkIndices[$0] }, options: batching))
            parts.append(try classifier.classify(batch, context: &context))
            start = rows.endIndex
        }
        let logits = try Tensor.concat(parts, axis: 0)
        return try logits.aggregatingWindows(documentOfRow: order.map { documentOfChunk[$0] }, documentCount: indices.count,
                                             method: aggregation)
    }

    public func evaluate() throws -> EvaluationMetrics? {
        guard let validationDocuments, !validationDocuments.isEmpty else { return nil }
        let result = try Evaluator.evaluate(classifier, windows: validationDocuments, aggregation: aggregation, labelNames: labelNames,
                                            batchSize: evalBatchSize, padId: batching.padID, paddingSide: batching.paddingSide)
        return EvaluationMetrics(loss: result.loss, accuracy: result.report.accuracy, macroF1: result.report.macroF1)
    }
}
