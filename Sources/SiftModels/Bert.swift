// BERT: embeddings (word + position + token type → LayerNorm → dropout), post-norm encoder layers,
// pooler (dense + tanh on [CLS]), and the sequence-classification head (dropout → linear).
// Parameter names are Hugging Face's (`bert.embeddings.word_embeddings.weight`, …).
//
// Shapes: ids [B, T] → hidden [B, T, C] → pooled [B, C] → logits [B, L]
//         C = hidden_size, H = heads, D = C / H, F = intermediate_size.
import SiftTensor

/// One post-norm BERT encoder layer.
public final class BertLayer: ParameterContainer {
    public let query, key, value, attentionOutput: Linear
    public let attentionNorm: LayerNormLayer
    public let intermediate, output: Linear
    public let outputNorm: LayerNormLayer
    let config: BertConfig
    /// Query, key and value as one GEMM in inference (see `FusedProjection`).
    let fusedQKV: FusedProjection

    init(config: BertConfig, query: Linear, key: Linear, value: Linear, attentionOutput: Linear, attentionNorm: LayerNormLayer,
         intermediate: Linear, output: Linear, outputNorm: LayerNormLayer) {
        self.config = config
        self.query = query
        self.key = key
        self.value = value
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
        self.fusedQKV = FusedProjection([query, key, value])
    }

    /// x `[B, T, C]` → `[B, T, C]`.
    func callAsFunction(_ x: Tensor, keyMask: [Int], context: inout ForwardContext) throws -> Tensor {
        let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        let heads = config.numAttentionHeads, d = config.headDim
        // 1.–2. Project to per-head queries, keys and values [B, T, H, D], then scaled dot-product
        //    attention over real keys only, with dropout on its probabilities when training
        //    (`attention_probs_dropout_prob`, as transformers). In inference the three projections
        //    are one GEMM writing [B, T, 3C], which attention reads in place.
        let attended: Tensor
        let probabilityDropout = context.attentionDropout(probability: config.attentionProbsDropoutProb)
        if probabilityDropout == nil, let qkv = try fusedQKV(x) {
            attended = try Tensor.attention(fusedQKV: qkv, heads: heads, keyMask: keyMask).reshaped([b, t, c])
        } else {
            let q = try query(x).reshaped([b, t, heads, d])
            let k = try key(x).reshaped([b, t, heads, d])
            let v = try value(x).reshaped([b, t, heads, d])
            attended = try Tensor.attention(
                query: q, key: k, value: v, keyMask: keyMask, causal: false, dropout: probabilityDropout).reshaped([b, t, c])
        }
        // 3. Output projection, dropout, residual, LayerNorm (add & norm in one pass in inference).
        let projected = try context.dropout(attentionOutput(attended), probability: config.hiddenDropoutProb)
        let h = try attentionNorm(projected, adding: x)
        // 4. Feed-forward: dense → GELU → dense, dropout, residual, LayerNorm.
        let activated = try intermediate(h, activation: config.hiddenAct == "gelu" ? .geluErf : .geluTanh)
        let ffn = try context.dropout(output(activated), probability: config.hiddenDropoutProb)
        return try outputNorm(ffn, adding: h)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        prefixed("attention.self.query", query) + prefixed("attention.self.key", key) + prefixed("attention.self.value", value)
            + prefixed("attention.output.dense", attentionOutput) + prefixed("attention.output.LayerNorm", attentionNorm)
            + prefixed("intermediate.dense", intermediate) + prefixed("output.dense", output) + prefixed("output.LayerNorm", outputNorm)
    }
}

/// `BertModel`: embeddings, encoder and (optionally) the pooler.
public final class BertModel: ParameterContainer {
    public let config: BertConfig
    /// `[V, C]`, `[P, C]`, `[types, C]`
    public let wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings: Tensor
    public let embeddingsNorm: LayerNormLayer
    public let layers: [BertLayer]
    /// Dense + tanh on the first token; nil for checkpoints saved without it.
    public let pooler: Linear?

    public init(config: BertConfig, wordEmbeddings: Tensor, positionEmbeddings: Tensor, tokenTypeEmbeddings: Tensor,
                embeddingsNorm: LayerNormLayer, layers: [BertLayer], pooler: Linear?) {
        self.config = config
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingsNorm = embeddingsNorm
        self.layers = layers
        self.pooler = pooler
    }

    /// Last hidden states `[B, T, C]`. `observe` sees the embedding output (index 0) and each
    /// layer's output (1…L), as transformers' `output_hidden_states`.
    public func hiddenStates(_ batch: TokenBatch, context: inout ForwardContext, observe: ((Int, Tensor) -> Void)? = nil) throws -> Tensor {
        let (b, t) = (batch.batchSize, batch.length)
        guard t <= config.maxPositionEmbeddings else {
            throw ModelError.invalidInput("sequence length \(t) exceeds max_position_embeddings \(config.maxPositionEmbeddings): truncate the input")
        }
        // 1. Embeddings: word + absolute position (0…T−1) + token type, then LayerNorm and dropout.
        let words = try Tensor.embedding(table: wordEmbeddings, ids: batch.ids, shape: [b, t])
        let positions = try Tensor.embedding(table: positionEmbeddings, ids: Array(0..<t), shape: [1, t])
        let types = try Tensor.embedding(table: tokenTypeEmbeddings, ids: batch.tokenTypeIds ?? [Int](repeating: 0, count: b * t), shape: [b, t])
        var h = try context.dropout(embeddingsNorm(words + positions + types), probability: config.hiddenDropoutProb)
        observe?(0, h)
        // 2. Encoder layers.
        for (index, layer) in layers.enumerated() {
            h = try layer(h, keyMask: batch.attentionMask, context: &context)
            observe?(index + 1, h)
        }
        return h
    }

    /// `tanh(dense(h[:, 0]))` `[B, C]`.
    public func pooled(_ hidden: Tensor) throws -> Tensor {
        guard let pooler else {
            throw ModelError.invalidInput("this checkpoint has no pooler (bert.pooler.dense.*): use mean pooling or add a pooler")
        }
        let first = try hidden.pickRows([Int](repeating: 0, count: hidden.shape[0]))
        return try pooler(first).tanh()
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = [
            ("embeddings.word_embeddings.weight", wordEmbeddings),
            ("embeddings.position_embeddings.weight", positionEmbeddings),
            ("embeddings.token_type_embeddings.weight", tokenTypeEmbeddings),
        ]
        list += prefixed("embeddings.LayerNorm", embeddingsNorm)
        for (i, layer) in layers.enumerated() { list += prefixed("encoder.layer.\(i)", layer) }
        if let pooler { list += prefixed("pooler.dense", pooler) }
        return list
    }

    /// The (name, shape) of every parameter a checkpoint must provide for `config`.
    public static func expectedShapes(_ c: BertConfig, pooler: Bool) -> [(String, [Int])] {
        let (h, f) = (c.hiddenSize, c.intermediateSize)
        var list: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [c.vocabSize, h]),
            ("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h]),
            ("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h]),
            ("embeddings.LayerNorm.weight", [h]), ("embeddings.LayerNorm.bias", [h]),
        ]
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                list += [(p + name + ".weight", [h, h]), (p + name + ".bias", [h])]
            }
            list += [(p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
                     (p + "intermediate.dense.weight", [f, h]), (p + "intermediate.dense.bias", [f]),
                     (p + "output.dense.weight", [h, f]), (p + "output.dense.bias", [h]),
                     (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h])]
        }
        if pooler { list += [("pooler.dense.weight", [h, h]), ("pooler.dense.bias", [h])] }
        return list
    }

    /// Builds the model from a name → tensor map (names without the `bert.` prefix), checked
    /// against `expectedShapes` by the caller.
    public convenience init(config c: BertConfig, weights w: [String: Tensor]) throws {
        func get(_ name: String) throws -> Tensor {
            guard let t = w[name] else { throw ModelError.invalidInput("missing weight \(name)") }
            t.name = name
            return t
        }
        func linear(_ name: String) throws -> Linear { Linear(weight: try get(name + ".weight"), bias: try get(name + ".bias")) }
        func norm(_ name: String) throws -> LayerNormLayer {
            LayerNormLayer(weight: try get(name + ".weight"), bias: try get(name + ".bias"), eps: c.layerNormEps)
        }
        var layers: [BertLayer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(i)."
            layers.append(BertLayer(
                config: c, query: try linear(p + "attention.self.query"), key: try linear(p + "attention.self.key"),
                value: try linear(p + "attention.self.value"), attentionOutput: try linear(p + "attention.output.dense"),
                attentionNorm: try norm(p + "attention.output.LayerNorm"), intermediate: try linear(p + "intermediate.dense"),
                output: try linear(p + "output.dense"), outputNorm: try norm(p + "output.LayerNorm")))
        }
        let pooler = w["pooler.dense.weight"] != nil ? try linear("pooler.dense") : nil
        self.init(config: c, wordEmbeddings: try get("embeddings.word_embeddings.weight"),
                  positionEmbeddings: try get("embeddings.position_embeddings.weight"),
                  tokenTypeEmbeddings: try get("embeddings.token_type_embeddings.weight"),
                  embeddingsNorm: try norm("embeddings.LayerNorm"), layers: layers, pooler: pooler)
    }
}

/// `BertForSequenceClassification`: pooler → dropout → linear(num_labels).
public final class BertForSequenceClassification: ParameterContainer {
    public let bert: BertModel
    /// `[L, C]` weight and `[L]` bias.
    public let classifier: Linear

    public init(bert: BertModel, classifier: Linear) {
        self.bert = bert
        self.classifier = classifier
    }

    /// Logits `[B, L]`.
    public func logits(_ batch: TokenBatch, context: inout ForwardContext) throws -> Tensor {
        let hidden = try bert.hiddenStates(batch, context: &context)
        let pooled = try context.dropout(bert.pooled(hidden), probability: bert.config.effectiveClassifierDropout)
        return try classifier(pooled)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        prefixed("bert", bert) + prefixed("classifier", classifier)
    }
}

extension Tensor {
    /// Mean over real tokens: hidden `[B, T, C]`, mask `[B·T]` → `[B, C]` (sentence-transformers' pooling).
    public func maskedMean(mask: [Int]) throws -> Tensor {
        let (b, t, c) = (shape[0], shape[1], shape[2])
        guard mask.count == b * t else {
            throw TensorError.shapeMismatch(op: "maskedMean", expected: "mask of \(b * t) values", got: [mask.count])
        }
        // Weights [B, 1, T] = mask / count, then one batched matmul: [B, 1, T]·[B, T, C].
        var weights = [Float](repeating: 0, count: b * t)
        for row in 0..<b {
            let n = max(1, (0..<t).reduce(0) { $0 + (mask[row * t + $1] != 0 ? 1 : 0) })
            for i in 0..<t where mask[row * t + i] != 0 { weights[row * t + i] = 1 / Float(n) }
        }
        let w = try Tensor(shape: [b, 1, t], values: weights)
        return try w.matmul(self).reshaped([b, c])
    }

    /// Rows divided by their L2 norm (`[B, C]`), inference only.
    public func l2Normalized() throws -> Tensor {
        guard rank == 2 else { throw TensorError.invalidArgument(op: "l2Normalized", reason: "expects [B, C], got \(shape)") }
        let (b, c) = (shape[0], shape[1])
        var values = scalars
        for row in 0..<b {
            var sum: Float = 0
            for i in 0..<c { sum += values[row * c + i] * values[row * c + i] }
            let scale = 1 / max(sum.squareRoot(), 1e-12)
            for i in 0..<c { values[row * c + i] *= scale }
        }
        return try Tensor(shape: shape, values: values)
    }
}
