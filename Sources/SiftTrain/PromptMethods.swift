// Prediction with a decoder and the multiple-choice prompt:
//   • option perplexity: score each option's answer after the prompt, predict the lowest mean
//     negative log-likelihood (no-think zero-shot, and models trained by prompt SFT);
//   • thinking zero-shot: generate, then read the first option letter after `</think>`.
import Foundation
import SiftModels
import SiftTensor

/// The outcome of a prompt-method prediction over a dataset.
public struct PromptPredictionResult: Sendable {
    public var predictions: [ClassPrediction]
    /// Examples whose answer could not be read (thinking zero-shot); they count as wrong.
    public var unparseable: Int
    /// Tokens generated per example (thinking zero-shot), else 0.
    public var generatedTokens: [Int]
    /// Raw generated texts (thinking zero-shot).
    public var generations: [String]
    public var seconds: Double
    public var secondsPerExample: Double { predictions.isEmpty ? 0 : seconds / Double(predictions.count) }
}

/// Option scoring: the prompt is computed once per example and every option scored from it.
public struct OptionScorer {
    public let model: DecoderModel
    public let formatter: PromptFormatter
    public var cutoffLength: Int?
    public var batchSize: Int

    public init(model: DecoderModel, formatter: PromptFormatter, cutoffLength: Int? = nil, batchSize: Int = 8) {
        self.model = model
        self.formatter = formatter
        self.cutoffLength = cutoffLength
        self.batchSize = max(1, batchSize)
    }

    /// Per-option mean NLL → probabilities p ∝ exp(−NLL); the prediction is the lowest NLL.
    static func prediction(fromMeanNLL nll: [Double]) -> ClassPrediction {
        let best = nll.indices.min { nll[$0] < nll[$1] } ?? 0
        let m = nll.min() ?? 0
        let weights = nll.map { Foundation.exp(-($0 - m)) }
        let total = weights.reduce(0, +)
        return ClassPrediction(predicted: best, probabilities: weights.map { Float($0 / total) })
    }

    /// Scores every text; `progress` gets the number done.
    public func predict(texts: [String], progress: ((Int) -> Void)? = nil) throws -> PromptPredictionResult {
        let start = Date()
        let options = formatter.optionIds()
        let reserve = options.map(\.count).max() ?? 1
        let prompts = try texts.map { try formatter.promptIds(text: $0, cutoffLength: cutoffLength, reserve: reserve) }
        var predictions: [ClassPrediction] = []
        predictions.reserveCapacity(texts.count)
        if options.allSatisfy({ $0.count == 1 }) {
            // 1. Single-token options: one batched forward of the prompts; the last position's
            //    log-softmax gives every option's log-probability at once.
            let pad = model.config.padTokenId ?? model.config.eosTokenIds.first ?? 0
            let optionTokens = options.map { $0[0] }
            var startIndex = 0
            while startIndex < prompts.count {
                let chunk = Array(prompts[startIndex..<min(startIndex + batchSize, prompts.count)])
                let logProbs = try withNoGrad {
                    let batch = try TokenBatch(rows: chunk, padId: pad, padLeft: true)
                    let hidden = try model.hiddenStates(batch)
                    let last = try hidden.pickRows([Int](repeating: batch.length - 1, count: chunk.count))
                    return try model.logits(fromHidden: last).logSoftmax(axis: -1)
                }
                let vocab = logProbs.shape[1]
                for row in 0..<chunk.count {
                    let nll = optionTokens.map { -Double(logProbs.storage.pointer[row * vocab + $0]) }
                    predictions.append(Self.prediction(fromMeanNLL: nll))
                }
                startIndex += chunk.count
                progress?(startIndex)
            }
        } else {
            // 2. Multi-token options: a batch of prompts once (KV cache), then every example's
            //    options in one padded forward on the cache.
            var startIndex = 0
            while startIndex < prompts.count {
                let chunk = Array(prompts[startIndex..<min(startIndex + batchSize, prompts.count)])
                for scores in try model.scoreContinuations(prompts: chunk, continuations: options) {
                    predictions.append(Self.prediction(fromMeanNLL: scores.map(\.meanNegativeLogLikelihood)))
                }
                startIndex += chunk.count
                progress?(startIndex)
            }
        }
        return PromptPredictionResult(predictions: predictions, unparseable: 0, generatedTokens: [], generations: [],
                                      seconds: Date().timeIntervalSince(start))
    }
}

/// Zero-shot with thinking: generate up to `maxNewTokens`, read the first option letter after `</think>`.
public struct ThinkingPredictor {
    public let model: DecoderModel
    public let formatter: PromptFormatter
    public var maxNewTokens: Int
    public var sampling: SamplingOptions
    public var batchSize: Int
    public var cutoffLength: Int?

    public init(model: DecoderModel, formatter: PromptFormatter, maxNewTokens: Int = 1024, sampling: SamplingOptions = SamplingOptions(),
                batchSize: Int = 8, cutoffLength: Int? = nil) {
        self.model = model
        self.formatter = formatter
        self.maxNewTokens = maxNewTokens
        self.sampling = sampling
        self.batchSize = max(1, batchSize)
        self.cutoffLength = cutoffLength
    }

    public func predict(texts: [String], progress: ((Int) -> Void)? = nil) throws -> PromptPredictionResult {
        let start = Date()
        let parser = AnswerParser(template: formatter.template)
        let tokenizer = formatter.tokenizer
        var stops = Set(model.config.eosTokenIds)
        for token in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>"] { if let id = tokenizer.id(forToken: token) { stops.insert(id) } }
        var result = PromptPredictionResult(predictions: [], unparseable: 0, generatedTokens: [], generations: [], seconds: 0)
        var index = 0
        while index < texts.count {
            let chunk = Array(texts[index..<min(index + batchSize, texts.count)])
            let prompts = try chunk.map { try formatter.promptIds(text: $0, thinking: true, cutoffLength: cutoffLength) }
            let outputs = try model.generate(prompts: prompts, maxNewTokens: maxNewTokens, stopTokens: stops, sampling: sampling)
            for output in outputs {
                let text = tokenizer.decode(output.tokens, skipSpecialTokens: false)
                let choice = parser.parse(text, requireThinkEnd: formatter.thinkingModel)
                let count = formatter.template.optionNames.count
                var probabilities = [Float](repeating: 0, count: count)
                if let choice { probabilities[choice] = 1 } else { result.unparseable += 1 }
                // An unreadable answer counts as wrong: predict an impossible class (-1).
                result.predictions.append(ClassPrediction(predicted: choice ?? -1, probabilities: probabilities))
                result.generatedTokens.append(output.tokens.count)
                result.generations.append(text)
            }
            index += chunk.count
            progress?(index)
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }
}
