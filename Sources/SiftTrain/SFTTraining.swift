// Prompt SFT: full fine-tuning of a decoder on the multiple-choice prompt with the loss on the
// answer tokens only, evaluated by option perplexity (the study's third method), run by `Trainer`.
import Foundation
import SiftData
import SiftModels
import SiftTensor

/// Causal-LM loss on answer tokens; evaluation by option scoring on validation texts.
public final class SFTObjective: TrainingObjective {
    public let decoder: DecoderModel
    public let train: [SFTExample]
    public let validationTexts: [String]
    public let validationLabels: [Int]
    public let scorer: OptionScorer
    /// LoRA adapters on the (frozen) decoder: then only they are trained and checkpointed.
    public let lora: LoRAAdapterSet?
    /// How checkpoints hold the model (set with `lora`: adapter-only checkpoints).
    public var checkpointModel: CheckpointModelStore?
    let padId: Int

    public init(decoder: DecoderModel, formatter: PromptFormatter, train: [SFTExample], validationTexts: [String], validationLabels: [Int],
                padId: Int, cutoffLength: Int?, evalBatchSize: Int, lora: LoRAAdapterSet? = nil) {
        self.decoder = decoder
        self.lora = lora
        self.train = train
        self.validationTexts = validationTexts
        self.validationLabels = validationLabels
        self.padId = padId
        var scoringConfig = decoder.config
        if scoringConfig.padTokenId == nil { scoringConfig.padTokenId = padId }
        let scoringModel = DecoderModel(config: scoringConfig, embedTokens: decoder.embedTokens, layers: decoder.layers,
                                        norm: decoder.norm, lmHead: decoder.lmHead)
        self.scorer = OptionScorer(model: scoringModel, formatter: formatter, cutoffLength: cutoffLength, batchSize: evalBatchSize)
    }

    public var model: ParameterContainer { lora ?? decoder }
    public var headParameterNames: Set<String> { [] }
    public var trainLengths: [Int] { train.map(\.ids.count) }
    public var hasValidation: Bool { !validationTexts.isEmpty }

    /// Right-padded ids and labels (−100 on padding) of a micro-batch.
    public func loss(indices: [Int], context: inout ForwardContext) throws -> Tensor {
        let rows = indices.map { train[$0] }
        let length = rows.map(\.ids.count).max() ?? 0
        var labels: [Int] = []
        labels.reserveCapacity(rows.count * length)
        for row in rows { labels += row.labels + [Int](repeating: -100, count: length - row.ids.count) }
        let batch = try TokenBatch(rows: rows.map(\.ids), padId: padId, padLeft: false)
        // LoRA dropout draws from the trainer's generator (saved in checkpoints: exact resume).
        if let lora {
            lora.randomness.training = context.training
            lora.randomness.generator = context.generator
        }
        defer {
            if let lora {
                context.generator = lora.randomness.generator
                lora.randomness.training = false
            }
        }
        return try decoder.languageModelingLoss(hidden: decoder.hiddenStates(batch), labels: labels).loss
    }

    public func evaluate() throws -> EvaluationMetrics? {
        guard hasValidation else { return nil }
        let result = try scorer.predict(texts: validationTexts)
        let predicted = result.predictions.map(\.predicted)
        let report = try ClassificationReport(labels: validationLabels, predictions: predicted, labelNames: scorer.formatter.template.optionNames)
        // Loss: mean −log p(gold option) under the option distribution.
        let loss = zip(result.predictions, validationLabels).reduce(0.0) { total, pair in
            total - Double(log(max(pair.0.probabilities[pair.1], Float.leastNormalMagnitude)))
        } / Double(max(validationLabels.count, 1))
        return EvaluationMetrics(loss: loss, accuracy: report.accuracy, macroF1: report.macroF1)
    }
}
