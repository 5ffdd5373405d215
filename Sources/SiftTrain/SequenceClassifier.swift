// The classifier interface the trainer, evaluator and server use: encoder classifiers
// (BERT-family) and decoder linear heads (Qwen3/Llama `score`) look the same from here.
import SiftModels
import SiftTensor

/// A model that maps a token batch to class logits.
public protocol SequenceClassifier: ParameterContainer {
    /// Logits `[B, L]`; dropout follows `context.training`.
    func classify(_ batch: TokenBatch, context: inout ForwardContext) throws -> Tensor
    /// Names of the head's parameters (trained even with `--freeze-base`).
    var headParameterNames: Set<String> { get }
    /// Number of classes.
    var classCount: Int { get }
}

extension BertForSequenceClassification: SequenceClassifier {
    public func classify(_ batch: TokenBatch, context: inout ForwardContext) throws -> Tensor {
        try logits(batch, context: &context)
    }
    public var headParameterNames: Set<String> {
        ["classifier.weight", "classifier.bias", "bert.pooler.dense.weight", "bert.pooler.dense.bias"]
    }
    public var classCount: Int { classifier.weight.shape[0] }
}

extension DecoderForSequenceClassification: SequenceClassifier {
    public func classify(_ batch: TokenBatch, context: inout ForwardContext) throws -> Tensor {
        try logits(batch)
    }
    public var headParameterNames: Set<String> { ["score.weight"] }
    public var classCount: Int { score.weight.shape[0] }
}

extension LoadedModel {
    /// The model as a classifier, or nil for base and LM models.
    public var classifier: SequenceClassifier? {
        switch self {
        case let .bertClassifier(m): m
        case let .decoderClassifier(m): m
        default: nil
        }
    }
}
