// Models with random weights from a config (benchmarks, tests): matrices and embeddings
// N(0, 0.02²) as transformers initialises them, norm weights 1, biases 0.
import SiftTensor

enum RandomWeights {
    static func make(_ shapes: [(String, [Int])], seed: UInt64) throws -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        var weights: [String: Tensor] = [:]
        for (name, shape) in shapes {
            if name.hasSuffix(".bias") {
                weights[name] = try Tensor.zeros(shape)
            } else if shape.count == 1 {
                weights[name] = try Tensor.full(shape, value: 1)  // LayerNorm / RMSNorm weights
            } else {
                weights[name] = try generator.normal(shape, std: 0.02)
            }
        }
        return weights
    }
}

extension BertForSequenceClassification {
    /// A randomly initialised BERT classifier for `config` with `labels` classes.
    public static func random(config: BertConfig, labels: Int, seed: UInt64 = 0) throws -> BertForSequenceClassification {
        let trunk = try RandomWeights.make(BertModel.expectedShapes(config, pooler: true), seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        return BertForSequenceClassification(
            bert: try BertModel(config: config, weights: trunk),
            classifier: try Linear(inFeatures: config.hiddenSize, outFeatures: labels, bias: true, std: 0.02, generator: &generator))
    }
}

extension DecoderForSequenceClassification {
    /// A randomly initialised decoder with a `score` head for `labels` classes (pad id required for batches).
    public static func random(config: DecoderConfig, labels: Int, seed: UInt64 = 0) throws -> DecoderForSequenceClassification {
        var c = config
        if c.padTokenId == nil { c.padTokenId = 0 }
        let trunk = try RandomWeights.make(DecoderModel.expectedShapes(c, includeLMHead: false), seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        return DecoderForSequenceClassification(
            model: try DecoderModel(config: c, weights: trunk, withLMHead: false),
            score: try Linear(inFeatures: c.hiddenSize, outFeatures: labels, bias: false, std: 0.02, generator: &generator))
    }
}

extension BertConfig {
    /// bert-base-uncased's shape.
    public static var bertBase: BertConfig { BertConfig() }
}

extension DecoderConfig {
    /// Qwen3-0.6B's shape (28 layers, hidden 1024, 16 heads / 8 KV heads, head_dim 128, tied embeddings).
    public static var qwen3_0_6B: DecoderConfig {
        var c = DecoderConfig.qwen3()
        c.hiddenSize = 1024
        c.intermediateSize = 3072
        c.numHiddenLayers = 28
        c.numAttentionHeads = 16
        c.numKeyValueHeads = 8
        c.headDim = 128
        c.ropeTheta = 1_000_000
        c.maxPositionEmbeddings = 40960
        c.tieWordEmbeddings = true
        c.padTokenId = 151643
        return c
    }
}
