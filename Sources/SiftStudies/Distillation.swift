// Reasoning distillation (the study's last open question): a teacher decoder answers the training
// set with thinking (`<think>…</think>` then the option letter); the traces whose answer is right
// become the SFT targets of a student, whose loss covers the whole assistant turn (trace + answer).
// The trained student is then scored in no-think (option perplexity) and think modes.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTokenizers
import SiftTrain

/// One teacher answer kept for distillation.
public struct DistillationTrace: Sendable, Codable, Equatable {
    /// Row of the example in the training file.
    public var row: Int
    public var label: Int
    public var text: String
    /// The assistant turn the student learns (the teacher's generation up to its end-of-turn token).
    public var answer: String
}

/// A tokenised distillation sequence: prompt + assistant turn, labels on the assistant turn only.
public struct DistillationSequence: Sendable, Equatable {
    public var ids: [Int]
    /// −100 where the position is not trained.
    public var labels: [Int]
}

/// Trace generation and sequence building.
public enum Distiller {
    /// End-of-turn markers a generation is cut at.
    static let endMarkers = ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>"]

    /// The teacher's generation up to (not including) its first end-of-turn marker, trailing space trimmed.
    public static func assistantTurn(_ generation: String) -> String {
        var cut = generation[...]
        for marker in endMarkers {
            if let range = cut.range(of: marker) { cut = cut[..<range.lowerBound] }
        }
        var text = String(cut)
        while let last = text.unicodeScalars.last, last == " " || last == "\n" || last == "\t" { text.unicodeScalars.removeLast() }
        return text
    }

    /// Lets the teacher answer every training example with thinking; keeps the traces whose answer is right.
    /// - Returns: the kept traces and how many were generated.
    public static func generateTraces(teacher: DecoderModel, formatter: PromptFormatter, dataset: TextDataset, maxNewTokens: Int,
                                      batchSize: Int, cutoffLength: Int?, progress: ((Int) -> Void)? = nil) throws -> (kept: [DistillationTrace], generated: Int) {
        let predictor = ThinkingPredictor(model: teacher, formatter: formatter, maxNewTokens: maxNewTokens, batchSize: batchSize,
                                          cutoffLength: cutoffLength)
        let result = try predictor.predict(texts: dataset.examples.map(\.text), progress: progress)
        var kept: [DistillationTrace] = []
        for (index, example) in dataset.examples.enumerated() where result.predictions[index].predicted == example.label {
            let answer = assistantTurn(result.generations[index])
            guard !answer.isEmpty else { continue }
            kept.append(DistillationTrace(row: example.row, label: example.label, text: example.text, answer: answer))
        }
        return (kept, dataset.count)
    }

    /// The student's training sequence for a trace: the thinking prompt (no `/no_think`) and the
    /// teacher's assistant turn, labels from the first assistant token through the end-of-turn token.
    /// Returns nil when the sequence is longer than `cutoffLength`.
    public static func sequence(_ trace: DistillationTrace, formatter: PromptFormatter, cutoffLength: Int?) throws -> DistillationSequence? {
        let tokenizer = formatter.tokenizer
        let user = ChatMessage(role: "user", content: formatter.template.render(text: trace.text, thinking: true))
        let assistant = ChatMessage(role: "assistant", content: trace.answer)
        let prefixText = try tokenizer.applyChatTemplate([user], addGenerationPrompt: true, enableThinking: true)
        let fullText = try tokenizer.applyChatTemplate([user, assistant], addGenerationPrompt: false, enableThinking: true)
        guard fullText.hasPrefix(prefixText) else {
            throw StudyError.invalidStudy("the student's chat template does not render the assistant turn after the generation prompt (it may drop <think> blocks from assistant turns); distillation needs one that keeps them")
        }
        let prefix = tokenizer.encode(prefixText, addSpecialTokens: false).ids
        let ids = tokenizer.encode(fullText, addSpecialTokens: false).ids
        guard ids.count > prefix.count, Array(ids[..<prefix.count]) == prefix else {
            throw StudyError.invalidStudy("the student's prompt tokens are not a prefix of the conversation's tokens")
        }
        if let cutoffLength, ids.count > cutoffLength { return nil }
        let ends = Set(endMarkers.compactMap { tokenizer.id(forToken: $0) })
        let end = ids[prefix.count...].firstIndex { ends.contains($0) } ?? ids.count - 1
        var labels = [Int](repeating: -100, count: ids.count)
        for i in prefix.count...end { labels[i] = ids[i] }
        return DistillationSequence(ids: ids, labels: labels)
    }
}

/// Causal-LM loss on the assistant turn of distillation sequences; validation by option scoring.
public final class DistillationObjective: TrainingObjective {
    public let decoder: DecoderModel
    public let sequences: [DistillationSequence]
    let scorer: OptionScorer
    let validationTexts: [String]
    let validationLabels: [Int]
    let padId: Int

    public init(decoder: DecoderModel, formatter: PromptFormatter, sequences: [DistillationSequence], validationTexts: [String],
                validationLabels: [Int], padId: Int, cutoffLength: Int?, evalBatchSize: Int) {
        self.decoder = decoder
        self.sequences = sequences
        self.validationTexts = validationTexts
        self.validationLabels = validationLabels
        self.padId = padId
        var config = decoder.config
        if config.padTokenId == nil { config.padTokenId = padId }
        let scoring = DecoderModel(config: config, embedTokens: decoder.embedTokens, layers: decoder.layers, norm: decoder.norm, lmHead: decoder.lmHead)
        self.scorer = OptionScorer(model: scoring, formatter: formatter, cutoffLength: cutoffLength, batchSize: evalBatchSize)
    }

    public var model: ParameterContainer { decoder }
    public var headParameterNames: Set<String> { [] }
    public var trainLengths: [Int] { sequences.map(\.ids.count) }
    public var hasValidation: Bool { !validationTexts.isEmpty }

    public func loss(indices: [Int], context: inout ForwardContext) throws -> Tensor {
        let rows = indices.map { sequences[$0] }
        let length = rows.map(\.ids.count).max() ?? 0
        var labels: [Int] = []
        labels.reserveCapacity(rows.count * length)
        for row in rows { labels += row.labels + [Int](repeating: -100, count: length - row.ids.count) }
        let batch = try TokenBatch(rows: rows.map(\.ids), padId: padId, padLeft: false)
        return try decoder.languageModelingLoss(hidden: decoder.hiddenStates(batch), labels: labels).loss
    }

    public func evaluate() throws -> EvaluationMetrics? {
        guard hasValidation else { return nil }
        let result = try scorer.predict(texts: validationTexts)
        let report = try ClassificationReport(labels: validationLabels, predictions: result.predictions.map(\.predicted),
                                              labelNames: scorer.formatter.template.optionNames)
        let loss = zip(result.predictions, validationLabels).reduce(0.0) { total, pair in
            total - Double(Foundation.log(max(pair.0.probabilities[pair.1], Float.leastNormalMagnitude)))
        } / Double(max(validationLabels.count, 1))
        return EvaluationMetrics(loss: loss, accuracy: report.accuracy, macroF1: report.macroF1)
    }
}
