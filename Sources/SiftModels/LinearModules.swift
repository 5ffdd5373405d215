// The linear projections of each model, by their module names in Hugging Face checkpoints (the
// weight's name without `.weight`). LoRA attaches to these by name, as PEFT does.

/// A model whose linear projections can be listed by module name.
public protocol LinearModuleContainer {
    /// Every linear projection with its module name, in model order.
    func linearModules() -> [(name: String, linear: Linear)]
}

extension DecoderLayer {
    /// The seven projections of a layer, named relative to the layer.
    var namedLinears: [(name: String, linear: Linear)] {
        [("self_attn.q_proj", qProj), ("self_attn.k_proj", kProj), ("self_attn.v_proj", vProj), ("self_attn.o_proj", oProj),
         ("mlp.gate_proj", gateProj), ("mlp.up_proj", upProj), ("mlp.down_proj", downProj)]
    }
}

extension DecoderModel: LinearModuleContainer {
    /// `model.layers.N.self_attn.{q,k,v,o}_proj` and `model.layers.N.mlp.{gate,up,down}_proj`.
    public func linearModules() -> [(name: String, linear: Linear)] {
        layers.enumerated().flatMap { index, layer in
            layer.namedLinears.map { ("model.layers.\(index).\($0.name)", $0.linear) }
        }
    }
}

extension DecoderForSequenceClassification: LinearModuleContainer {
    /// The trunk's projections plus `score` (which PEFT users usually train in full instead).
    public func linearModules() -> [(name: String, linear: Linear)] {
        model.linearModules() + [("score", score)]
    }
}

extension BertModel: LinearModuleContainer {
    /// `encoder.layer.N.attention.self.{query,key,value}`, `….attention.output.dense`,
    /// `….intermediate.dense`, `….output.dense`, and `pooler.dense` when present.
    public func linearModules() -> [(name: String, linear: Linear)] {
        var list: [(name: String, linear: Linear)] = []
        for (index, layer) in layers.enumerated() {
            let p = "encoder.layer.\(index)."
            list += [(p + "attention.self.query", layer.query), (p + "attention.self.key", layer.key),
                     (p + "attention.self.value", layer.value), (p + "attention.output.dense", layer.attentionOutput),
                     (p + "intermediate.dense", layer.intermediate), (p + "output.dense", layer.output)]
        }
        if let pooler { list.append(("pooler.dense", pooler)) }
        return list
    }
}

extension BertForSequenceClassification: LinearModuleContainer {
    /// `bert.…` projections plus `classifier`.
    public func linearModules() -> [(name: String, linear: Linear)] {
        bert.linearModules().map { ("bert." + $0.name, $0.linear) } + [("classifier", classifier)]
    }
}

extension LoadedModel {
    /// The loaded model's projections (see `LinearModuleContainer`).
    public var linearModules: [(name: String, linear: Linear)] {
        switch self {
        case let .bert(m): m.linearModules()
        case let .bertClassifier(m): m.linearModules()
        case let .decoder(m): m.linearModules()
        case let .decoderClassifier(m): m.linearModules()
        }
    }
}
