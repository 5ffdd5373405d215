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

    public init(bundle: ModelBundle, options: TrainingOptions, output: URL, train: [TokenizedExample],
                validation: [TokenizedExample]?, labelNames: [String], padId: Int, paddingSide: PaddingSide = .right) throws {
        guard let model = bundle.model.classifier else {
            throw TrainError.invalidArgument("the model at \(bundle.source.path) was not loaded as a classifier")
        }
        guard labelNames.count == model.classCount else {
            throw TrainError.invalidArgument("the data has \(labelNames.count) labels but the model's head has \(model.classCount) outputs")
        }
        if !options.freezeBase { model.setRequiresGrad(true) }
        self.model = model
        let objective = ClassificationObjective(classifier: model, train: train, validation: validation, labelNames: labelNames,
                                                padId: padId, paddingSide: paddingSide, batchSize: options.batchSize,
                                                evalBatchSize: options.evalBatchSize)
        trainer = try Trainer(bundle: bundle, objective: objective, options: options, output: output)
    }

    /// Runs (or resumes) training to the end.
    @discardableResult
    public func run(resume: Bool = false) throws -> TrainingSummary { try trainer.run(resume: resume) }
}

/// Cross-entropy on class logits; evaluation by accuracy, macro-F1 and loss on labelled examples.
public final class ClassificationObjective: TrainingObjective {
    public let classifier: SequenceClassifier
    public let train: [TokenizedExample]
    public let validation: [TokenizedExample]?
    public let labelNames: [String]
    let batching: BatchingOptions
    let evalBatchSize: Int

    public init(classifier: SequenceClassifier, train: [TokenizedExample], validation: [TokenizedExample]?, labelNames: [String],
                padId: Int, paddingSide: PaddingSide, batchSize: Int, evalBatchSize: Int) {
        self.classifier = classifier
        self.train = train
        self.validation = validation
        self.labelNames = labelNames
        self.batching = BatchingOptions(batchSize: batchSize, padID: padId, paddingSide: paddingSide)
        self.evalBatchSize = evalBatchSize
    }

    public var model: ParameterContainer { classifier }
    public var headParameterNames: Set<String> { classifier.headParameterNames }
    public var trainLengths: [Int] { train.map(\.ids.count) }
    public var hasValidation: Bool { validation?.isEmpty == false }

    public func loss(indices: [Int], context: inout ForwardContext) throws -> Tensor {
        let batch = try TokenBatch(paddedBatch: Batcher.batch(train, indices: indices, options: batching))
        let logits = try classifier.classify(batch, context: &context)
        return try Tensor.crossEntropy(logits: logits, targets: indices.map { train[$0].label })
    }

    public func evaluate() throws -> EvaluationMetrics? {
        guard let validation, !validation.isEmpty else { return nil }
        let result = try Evaluator.evaluate(classifier, examples: validation, labelNames: labelNames, batchSize: evalBatchSize,
                                            padId: batching.padID, paddingSide: batching.paddingSide)
        return EvaluationMetrics(loss: result.loss, accuracy: result.report.accuracy, macroF1: result.report.macroF1)
    }
}
