// One face for every kind of model Sift serves: an encoder classifier, a decoder linear head, and a
// decoder answering the multiple-choice prompt by option scoring. All answer with raw scores per
// label (logits, or mean log-likelihoods of the options) that become probabilities by softmax.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTokenizers
import SiftTrain

/// How a served model predicts.
public enum ServingMethod: String, Sendable, CaseIterable, Codable {
    /// A classifier checkpoint (encoder or decoder linear head).
    case classifier
    /// A decoder with the multiple-choice prompt: the option whose answer is most likely wins.
    case choice
}

/// A text made model-ready (token ids, type ids for pairs), produced off the inference thread.
public struct EncodedInput: Sendable {
    public var ids: [Int]
    public var typeIds: [Int]?
}

/// A model ready to serve: tokenization (thread-safe) and batched forward passes (to be called from
/// one thread at a time: the server's inference thread).
public final class ServingModel: @unchecked Sendable {
    // @unchecked: the model's weights are only read, and forwards run on one thread at a time
    // (the InferenceScheduler's); the tokenizer and formatter are Sendable.

    /// Kinds of served models (what `/info` reports as `model_type`).
    public enum Kind: String, Sendable, Codable {
        case encoderClassifier = "encoder-classifier"
        case decoderClassifier = "decoder-classifier"
        case optionScoring = "option-scoring"
    }

    enum Backend {
        case classifier(SequenceClassifier)
        case choice(DecoderModel, optionIds: [[Int]])
    }

    public let kind: Kind
    /// Class names, in the model's label order.
    public let labels: [String]
    public let tokenizer: Tokenizer
    /// A name for `/info` (the model path unless given).
    public let modelId: String
    /// The longest sequence the model accepts (its position table).
    public let maxPositions: Int
    /// The id sequences are padded with.
    public let padId: Int
    let backend: Backend
    let formatter: PromptFormatter?
    /// The encoder trunk, for `/embed`.
    let encoder: BertModel?

    /// A classifier (encoder or decoder linear head) around an in-memory model.
    public init(classifier: SequenceClassifier, tokenizer: Tokenizer, labels: [String], padId: Int, modelId: String, maxPositions: Int) throws {
        guard labels.count == classifier.classCount else {
            throw ServeSetupError("the classifier has \(classifier.classCount) classes but \(labels.count) label names were given")
        }
        switch classifier {
        case let bert as BertForSequenceClassification:
            kind = .encoderClassifier
            encoder = bert.bert
        default:
            kind = .decoderClassifier
            encoder = nil
        }
        backend = .classifier(classifier)
        formatter = nil
        self.tokenizer = tokenizer
        self.labels = labels
        self.padId = padId
        self.modelId = modelId
        self.maxPositions = maxPositions
    }

    /// A decoder answering `formatter`'s multiple-choice prompt by option scoring.
    /// - Parameter labels: the class names answered (default: the template's option names, which
    ///   may be longer, e.g. "Science/Technology" for the class "Sci/Tech").
    public init(optionScoring decoder: DecoderModel, formatter: PromptFormatter, labels: [String]? = nil, modelId: String) throws {
        let options = formatter.optionIds()
        if let empty = options.firstIndex(where: \.isEmpty) {
            throw ServeSetupError("option \(empty) of the prompt template encodes to no tokens")
        }
        guard decoder.lmHead != nil || decoder.config.tieWordEmbeddings else {
            throw ServeSetupError("\(modelId) has no language-model head: option scoring needs a causal LM")
        }
        kind = .optionScoring
        backend = .choice(decoder, optionIds: options)
        self.formatter = formatter
        tokenizer = formatter.tokenizer
        let names = labels ?? formatter.template.optionNames
        guard names.count == formatter.template.optionNames.count else {
            throw ServeSetupError("\(names.count) labels for a prompt with \(formatter.template.optionNames.count) options")
        }
        self.labels = names
        padId = decoder.config.padTokenId ?? decoder.config.eosTokenIds.first ?? 0
        self.modelId = modelId
        maxPositions = decoder.config.maxPositionEmbeddings
        encoder = nil
    }

    /// Loads a model directory or `.gguf` file.
    /// - Parameters:
    ///   - method: `.classifier` needs a classifier checkpoint; `.choice` a decoder LM and `labels`.
    ///   - labels: class names for `.choice` (the prompt's options); for `.classifier`, they replace the
    ///     checkpoint's, and a checkpoint without a head of that size gets a seeded random one (see `newlyInitialized`).
    ///   - promptTemplate: a template file for `.choice` (default: the study's prompt).
    public static func load(path: String, method: ServingMethod, labels: [String]? = nil, promptTemplate: String? = nil,
                            modelId: String? = nil) throws -> ServingModel {
        let url = URL(fileURLWithPath: path)
        let id = modelId ?? path
        switch method {
        case .classifier:
            let bundle = try ModelLoader.load(url, task: .classification(labels: labels))
            guard let classifier = bundle.model.classifier else {
                throw ServeSetupError("\(path) is not a classifier checkpoint (its config has no id2label/num_labels); use --method choice for a language model")
            }
            let positions: Int = switch bundle.config {
            case let .bert(c): c.maxPositionEmbeddings
            case let .decoder(c): c.maxPositionEmbeddings
            }
            let served = try ServingModel(classifier: classifier, tokenizer: bundle.tokenizer, labels: bundle.labelNames,
                                          padId: bundle.padTokenId, modelId: id, maxPositions: positions)
            served.newlyInitialized = bundle.newlyInitialized
            return served
        case .choice:
            guard let labels, !labels.isEmpty else {
                throw ServeSetupError("--method choice needs the class names (--labels A,B,…): they are the prompt's options")
            }
            let bundle = try ModelLoader.load(url, task: .causalLM)
            guard case let .decoder(decoder) = bundle.model else {
                throw ServeSetupError("\(path) is not a decoder: --method choice needs a Qwen3/Llama language model")
            }
            let template = try promptTemplate.map { try PromptTemplate.load(from: URL(fileURLWithPath: $0), labelNames: labels) }
                ?? .study(labelNames: labels)
            return try ServingModel(optionScoring: decoder, formatter: PromptFormatter(tokenizer: bundle.tokenizer, template: template),
                                    labels: labels, modelId: id)
        }
    }

    /// Parameters the checkpoint lacked and that were initialised at random (a new head when
    /// `labels` were given for a checkpoint without one): predictions are then meaningless except for timing.
    public private(set) var newlyInitialized: [String] = []

    /// Whether `/embed` is available (encoders).
    public var canEmbed: Bool { encoder != nil }

    /// Tokens the option answers need after the prompt (option scoring), else 0.
    var answerReserve: Int {
        if case let .choice(_, options) = backend { return options.map(\.count).max() ?? 1 }
        return 0
    }

    // MARK: Tokenization (any thread)

    /// Token ids of `input`, cut to `maxLength` tokens when `truncate`, else refused when longer.
    /// `index` names the input in error messages.
    public func encode(_ input: TextInput, truncate: Bool, direction: TruncationDirection, maxLength: Int,
                       index: Int = 0) throws(ServeError) -> EncodedInput {
        if let formatter { return try encodePrompt(input, formatter: formatter, truncate: truncate, maxLength: maxLength, index: index) }
        var first = tokenizer.encode(input.text, addSpecialTokens: false).ids
        var second = input.pair.map { tokenizer.encode($0, addSpecialTokens: false).ids }
        let reserved = tokenizer.postProcessor.addedCount(isPair: second != nil)
        let total = first.count + (second?.count ?? 0) + reserved
        if total > maxLength {
            guard truncate else { throw .inputTooLong(index: index, tokens: total, limit: maxLength) }
            let budget = max(maxLength - reserved, 0)
            if var b = second {
                // Longest-first, as transformers (and `sift predict`) truncate pairs.
                while first.count + b.count > budget {
                    if first.count >= b.count {
                        if direction == .right { first.removeLast() } else { first.removeFirst() }
                    } else {
                        if direction == .right { b.removeLast() } else { b.removeFirst() }
                    }
                }
                second = b
            } else {
                first = direction == .right ? Array(first.prefix(budget)) : Array(first.suffix(budget))
            }
        }
        let (ids, types) = tokenizer.assemble(first: first, second: second, addSpecialTokens: true)
        guard !ids.isEmpty else { throw .invalidJSON("inputs[\(index)] encodes to no tokens: send a non-empty text") }
        return EncodedInput(ids: ids, typeIds: second == nil ? nil : types)
    }

    /// The chat-rendered multiple-choice prompt; with `truncate`, the article is shortened to fit.
    func encodePrompt(_ input: TextInput, formatter: PromptFormatter, truncate: Bool, maxLength: Int,
                      index: Int) throws(ServeError) -> EncodedInput {
        let reserve = answerReserve
        do {
            let full = try formatter.promptIds(text: input.text)
            if full.count + reserve <= maxLength { return EncodedInput(ids: full, typeIds: nil) }
            guard truncate else { throw ServeError.inputTooLong(index: index, tokens: full.count + reserve, limit: maxLength) }
            return EncodedInput(ids: try formatter.promptIds(text: input.text, cutoffLength: maxLength, reserve: reserve), typeIds: nil)
        } catch let error as ServeError {
            throw error
        } catch {
            throw .inputTooLong(index: index, tokens: maxLength + 1, limit: maxLength)
        }
    }

    // MARK: Inference (the inference thread only)

    /// Raw scores `[inputs][labels]`: logits (classifiers) or mean log-likelihoods of the options.
    public func rawScores(_ batch: [EncodedInput]) throws -> [[Float]] {
        guard !batch.isEmpty else { return [] }
        switch backend {
        case let .classifier(classifier):
            let examples = batch.map { TokenizedExample(ids: $0.ids, label: 0, tokenTypeIDs: $0.typeIds) }
            let logits = try Evaluator.logits(classifier, examples: examples, batchSize: batch.count, padId: padId)
            let classes = classifier.classCount
            return (0..<batch.count).map { Array(logits[($0 * classes)..<(($0 + 1) * classes)]) }
        case let .choice(decoder, options):
            if options.allSatisfy({ $0.count == 1 }) {
                // One batched forward of the prompts; the last position's log-softmax scores every option.
                let logProbs = try withNoGrad {
                    let tokens = try TokenBatch(rows: batch.map(\.ids), padId: padId, padLeft: true)
                    let hidden = try decoder.hiddenStates(tokens)
                    let last = try hidden.pickRows([Int](repeating: tokens.length - 1, count: batch.count))
                    return try decoder.logits(fromHidden: last).logSoftmax(axis: -1)
                }
                let vocab = logProbs.shape[1]
                return (0..<batch.count).map { row in options.map { logProbs.storage.pointer[row * vocab + $0[0]] } }
            }
            // Multi-token answers: each prompt once, its options together on the KV cache.
            return try batch.map { input in
                try decoder.scoreContinuations(prompt: input.ids, continuations: options).map { Float(-$0.meanNegativeLogLikelihood) }
            }
        }
    }

    /// Mean-pooled sentence embeddings of an encoder, optionally L2-normalised.
    public func embeddings(_ batch: [EncodedInput], normalize: Bool) throws -> [[Float]] {
        guard let encoder else { throw ServeError.unsupported("/embed needs an encoder model; \(modelId) is a \(kind.rawValue)") }
        guard !batch.isEmpty else { return [] }
        return try withNoGrad {
            let types = batch.contains { $0.typeIds != nil } ? batch.map { $0.typeIds ?? [Int](repeating: 0, count: $0.ids.count) } : nil
            let tokens = try TokenBatch(rows: batch.map(\.ids), padId: padId, typeRows: types)
            var context = ForwardContext.inference
            let hidden = try encoder.hiddenStates(tokens, context: &context)
            var pooled = try hidden.maskedMean(mask: tokens.attentionMask)
            if normalize { pooled = try pooled.l2Normalized() }
            let width = pooled.shape[1]
            let values = pooled.scalars
            return (0..<batch.count).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        }
    }

    /// Probabilities from raw scores (softmax), as `sift predict` reports them.
    public static func probabilities(_ raw: [Float]) -> [Float] {
        Evaluator.softmax(raw)
    }
}

/// A served model that cannot be set up (wrong kind of checkpoint, missing labels, bad limits).
public struct ServeSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
