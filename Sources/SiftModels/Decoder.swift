// Decoder-only transformer: Qwen3 (q/k RMSNorm before RoPE) and the Llama family (SmolLM2, Qwen2)
// as configurations of one model. Pre-norm layers: RMSNorm → attention (GQA, RoPE, causal) →
// residual → RMSNorm → SwiGLU MLP → residual; final RMSNorm; tied or untied LM head.
//
// Shapes: ids [B, T] → hidden [B, T, C] → logits [B, T, V] (or at picked positions [N, V])
//         C = hidden_size, H = heads, Hkv = key/value heads, D = head_dim, F = intermediate_size.
import SiftTensor

/// Keys and values of every layer for the tokens seen so far (generation).
public final class KVCache {
    /// Per layer: keys and values `[B, S, Hkv, D]`.
    public internal(set) var keys: [Tensor?]
    public internal(set) var values: [Tensor?]
    /// Tokens cached per row (S).
    public internal(set) var length: Int = 0
    /// Attention mask of the cached tokens, `[B·S]`.
    public internal(set) var mask: [Int] = []
    /// Next position per row (continues each row's own count of real tokens).
    public internal(set) var nextPositions: [Int] = []

    public init(layers: Int) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }
}

/// One pre-norm decoder layer.
public final class DecoderLayer: ParameterContainer {
    public let inputNorm, postAttentionNorm: RMSNormLayer
    public let qProj, kProj, vProj, oProj: Linear
    /// Per-head RMSNorm over D (Qwen3 only).
    public let qNorm, kNorm: RMSNormLayer?
    public let gateProj, upProj, downProj: Linear
    let config: DecoderConfig

    init(config: DecoderConfig, inputNorm: RMSNormLayer, postAttentionNorm: RMSNormLayer, qProj: Linear, kProj: Linear,
         vProj: Linear, oProj: Linear, qNorm: RMSNormLayer?, kNorm: RMSNormLayer?, gateProj: Linear, upProj: Linear, downProj: Linear) {
        self.config = config
        self.inputNorm = inputNorm
        self.postAttentionNorm = postAttentionNorm
        self.qProj = qProj
        self.kProj = kProj
        self.vProj = vProj
        self.oProj = oProj
        self.qNorm = qNorm
        self.kNorm = kNorm
        self.gateProj = gateProj
        self.upProj = upProj
        self.downProj = downProj
    }

    /// x `[B, T, C]` → `[B, T, C]`. With a cache, new keys/values are appended to layer `index`'s entry.
    func callAsFunction(_ x: Tensor, positions: [Int], keyMask: [Int], cache: KVCache?, index: Int) throws -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let (heads, kvHeads, d) = (config.numAttentionHeads, config.numKeyValueHeads, config.headDim)
        // 1. Pre-norm and projections to heads: q [B, T, H, D], k/v [B, T, Hkv, D].
        let normed = try inputNorm(x)
        var q = try qProj(normed).reshaped([b, t, heads, d])
        var k = try kProj(normed).reshaped([b, t, kvHeads, d])
        let v = try vProj(normed).reshaped([b, t, kvHeads, d])
        // 2. Qwen3: RMSNorm each head's q and k over D.
        if let qNorm, let kNorm {
            q = try qNorm(q)
            k = try kNorm(k)
        }
        // 3. Rotary position embedding at each token's position.
        q = try q.rope(positions: positions, theta: config.ropeTheta)
        k = try k.rope(positions: positions, theta: config.ropeTheta)
        // 4. Append to the cache: attend over cached + new keys [B, S, Hkv, D].
        var allKeys = k, allValues = v
        if let cache {
            if let cachedKeys = cache.keys[index], let cachedValues = cache.values[index] {
                allKeys = try Tensor.concat([cachedKeys, k], axis: 1)
                allValues = try Tensor.concat([cachedValues, v], axis: 1)
            }
            cache.keys[index] = allKeys.detached()
            cache.values[index] = allValues.detached()
        }
        // 5. Causal grouped-query attention; keyMask covers cached + new keys.
        let attended = try Tensor.attention(query: q, key: allKeys, value: allValues, keyMask: keyMask, causal: true)
            .reshaped([b, t, heads * d])
        // 6. Output projection and residual.
        let h = try oProj(attended) + x
        // 7. SwiGLU MLP and residual.
        let normed2 = try postAttentionNorm(h)
        let mlp = try downProj(Tensor.swiglu(gate: gateProj(normed2), up: upProj(normed2)))
        return try mlp + h
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var list = prefixed("input_layernorm", inputNorm) + prefixed("self_attn.q_proj", qProj) + prefixed("self_attn.k_proj", kProj)
            + prefixed("self_attn.v_proj", vProj) + prefixed("self_attn.o_proj", oProj)
        if let qNorm, let kNorm { list += prefixed("self_attn.q_norm", qNorm) + prefixed("self_attn.k_norm", kNorm) }
        return list + prefixed("post_attention_layernorm", postAttentionNorm) + prefixed("mlp.gate_proj", gateProj)
            + prefixed("mlp.up_proj", upProj) + prefixed("mlp.down_proj", downProj)
    }
}

/// The decoder trunk (`model.*` in Hugging Face checkpoints) plus the LM head.
public final class DecoderModel: ParameterContainer {
    public let config: DecoderConfig
    /// `[V, C]`
    public let embedTokens: Tensor
    public let layers: [DecoderLayer]
    public let norm: RMSNormLayer
    /// `[V, C]` untied head, or nil when tied to `embedTokens` (or when the model has no LM head).
    public let lmHead: Tensor?

    public init(config: DecoderConfig, embedTokens: Tensor, layers: [DecoderLayer], norm: RMSNormLayer, lmHead: Tensor?) {
        self.config = config
        self.embedTokens = embedTokens
        self.layers = layers
        self.norm = norm
        self.lmHead = lmHead
    }

    /// The LM head's weight `[V, C]` (the embedding when tied).
    public var outputWeight: Tensor { lmHead ?? embedTokens }

    /// Final-normed hidden states `[B, T, C]`. With a cache, `batch` holds only the new tokens.
    /// `observe` sees the embedding output (0) and each layer's raw output (1…L), before the final norm.
    public func hiddenStates(_ batch: TokenBatch, cache: KVCache? = nil, observe: ((Int, Tensor) -> Void)? = nil) throws -> Tensor {
        let (b, t) = (batch.batchSize, batch.length)
        // Positions continue from the cache: each row counts its own real tokens.
        var positions = batch.resolvedPositions()
        var keyMask = batch.attentionMask
        if let cache, cache.length > 0 {
            guard cache.nextPositions.count == b else {
                throw ModelError.invalidInput("the KV cache holds \(cache.nextPositions.count) rows, this batch has \(b)")
            }
            if batch.positionIds == nil {
                for row in 0..<b {
                    var next = cache.nextPositions[row]
                    for i in 0..<t {
                        positions[row * t + i] = next
                        if batch.attentionMask[row * t + i] != 0 { next += 1 }
                    }
                }
            }
            var merged = [Int]()
            merged.reserveCapacity(b * (cache.length + t))
            for row in 0..<b {
                merged += cache.mask[(row * cache.length)..<((row + 1) * cache.length)]
                merged += batch.attentionMask[(row * t)..<((row + 1) * t)]
            }
            keyMask = merged
        }
        for id in batch.ids where id < 0 || id >= config.vocabSize {
            throw ModelError.invalidInput("token id \(id) is outside the vocabulary 0..<\(config.vocabSize)")
        }
        var h = try Tensor.embedding(table: embedTokens, ids: batch.ids, shape: [b, t])
        observe?(0, h)
        for (i, layer) in layers.enumerated() {
            h = try layer(h, positions: positions, keyMask: keyMask, cache: cache, index: i)
            observe?(i + 1, h)
        }
        if let cache {
            let s = cache.length + t
            cache.mask = keyMask
            cache.length = s
            cache.nextPositions = (0..<b).map { row in
                positions[row * t + t - 1] + (batch.attentionMask[row * t + t - 1] != 0 ? 1 : 0)
            }
        }
        return try norm(h)
    }

    /// LM logits `[N, V]` for hidden rows `[N, C]`.
    public func logits(fromHidden hidden: Tensor) throws -> Tensor {
        try hidden.linear(weight: outputWeight, bias: nil)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = [("model.embed_tokens.weight", embedTokens)]
        for (i, layer) in layers.enumerated() { list += prefixed("model.layers.\(i)", layer) }
        list += prefixed("model.norm", norm)
        if let lmHead { list.append(("lm_head.weight", lmHead)) }
        return list
    }

    /// (name, shape) of every trunk parameter (plus `lm_head.weight` when untied and wanted).
    public static func expectedShapes(_ c: DecoderConfig, includeLMHead: Bool) -> [(String, [Int])] {
        let (h, f, d) = (c.hiddenSize, c.intermediateSize, c.headDim)
        let (qOut, kvOut) = (c.numAttentionHeads * d, c.numKeyValueHeads * d)
        var list: [(String, [Int])] = [("model.embed_tokens.weight", [c.vocabSize, h])]
        for i in 0..<c.numHiddenLayers {
            let p = "model.layers.\(i)."
            list += [(p + "input_layernorm.weight", [h]),
                     (p + "self_attn.q_proj.weight", [qOut, h]), (p + "self_attn.k_proj.weight", [kvOut, h]),
                     (p + "self_attn.v_proj.weight", [kvOut, h]), (p + "self_attn.o_proj.weight", [h, qOut])]
            if c.attentionBias {
                list += [(p + "self_attn.q_proj.bias", [qOut]), (p + "self_attn.k_proj.bias", [kvOut]), (p + "self_attn.v_proj.bias", [kvOut])]
                if c.modelType != "qwen2" { list.append((p + "self_attn.o_proj.bias", [h])) }
            }
            if c.useQKNorm { list += [(p + "self_attn.q_norm.weight", [d]), (p + "self_attn.k_norm.weight", [d])] }
            list += [(p + "post_attention_layernorm.weight", [h]), (p + "mlp.gate_proj.weight", [f, h]),
                     (p + "mlp.up_proj.weight", [f, h]), (p + "mlp.down_proj.weight", [h, f])]
        }
        list.append(("model.norm.weight", [h]))
        if includeLMHead && !c.tieWordEmbeddings { list.append(("lm_head.weight", [c.vocabSize, h])) }
        return list
    }

    /// Builds the model from a name → tensor map (Hugging Face names), already checked by the caller.
    public convenience init(config c: DecoderConfig, weights w: [String: Tensor], withLMHead: Bool) throws {
        func get(_ name: String) throws -> Tensor {
            guard let t = w[name] else { throw ModelError.invalidInput("missing weight \(name)") }
            t.name = name
            return t
        }
        func linear(_ name: String, bias: Bool) throws -> Linear {
            Linear(weight: try get(name + ".weight"), bias: bias ? try get(name + ".bias") : nil)
        }
        func rms(_ name: String) throws -> RMSNormLayer { RMSNormLayer(weight: try get(name + ".weight"), eps: c.rmsNormEps) }
        var layers: [DecoderLayer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "model.layers.\(i)."
            let qkvBias = c.attentionBias
            layers.append(DecoderLayer(
                config: c, inputNorm: try rms(p + "input_layernorm"), postAttentionNorm: try rms(p + "post_attention_layernorm"),
                qProj: try linear(p + "self_attn.q_proj", bias: qkvBias), kProj: try linear(p + "self_attn.k_proj", bias: qkvBias),
                vProj: try linear(p + "self_attn.v_proj", bias: qkvBias),
                oProj: try linear(p + "self_attn.o_proj", bias: qkvBias && c.modelType != "qwen2"),
                qNorm: c.useQKNorm ? try rms(p + "self_attn.q_norm") : nil, kNorm: c.useQKNorm ? try rms(p + "self_attn.k_norm") : nil,
                gateProj: try linear(p + "mlp.gate_proj", bias: false), upProj: try linear(p + "mlp.up_proj", bias: false),
                downProj: try linear(p + "mlp.down_proj", bias: false)))
        }
        let head = withLMHead && !c.tieWordEmbeddings ? try get("lm_head.weight") : nil
        self.init(config: c, embedTokens: try get("model.embed_tokens.weight"), layers: layers, norm: try rms("model.norm"), lmHead: head)
    }
}

/// `Qwen3ForSequenceClassification` (and the Llama equivalent): `score` linear, no bias, applied at
/// each row's last non-pad token.
public final class DecoderForSequenceClassification: ParameterContainer {
    public let model: DecoderModel
    /// `[L, C]`
    public let score: Linear

    public init(model: DecoderModel, score: Linear) {
        self.model = model
        self.score = score
    }

    /// The position pooled in each row: the right-most token that is not the pad id (Hugging Face's
    /// rule), so left and right padding pool the same token. Without a pad id only batch 1 is allowed.
    public func pooledPositions(_ batch: TokenBatch) throws -> [Int] {
        guard let pad = model.config.padTokenId else {
            guard batch.batchSize == 1 else {
                throw ModelError.invalidInput("cannot classify a batch of \(batch.batchSize) rows: the config has no pad_token_id, so the last real token of each row is unknown (set pad_token_id, e.g. to the tokenizer's pad token)")
            }
            return [batch.length - 1]
        }
        return (0..<batch.batchSize).map { row in
            var last = -1
            for t in 0..<batch.length where batch.ids[row * batch.length + t] != pad { last = t }
            return last >= 0 ? last : batch.length - 1
        }
    }

    /// Logits `[B, L]`.
    public func logits(_ batch: TokenBatch) throws -> Tensor {
        let hidden = try model.hiddenStates(batch)
        let pooled = try hidden.pickRows(pooledPositions(batch))
        return try score(pooled)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        model.namedParameters().filter { $0.name != "lm_head.weight" } + prefixed("score", score)
    }
}
