// config.json as transformers writes it, from Sift's configs, so saved checkpoints load in Python.

extension BertConfig {
    /// The config.json object; `architecture` is e.g. "BertForSequenceClassification".
    public func jsonObject(architecture: String) -> [String: ConfigJSON] {
        var json: [String: ConfigJSON] = [
            "architectures": .array([.string(architecture)]), "model_type": .string("bert"),
            "vocab_size": .number(Double(vocabSize)), "hidden_size": .number(Double(hiddenSize)),
            "num_hidden_layers": .number(Double(numHiddenLayers)), "num_attention_heads": .number(Double(numAttentionHeads)),
            "intermediate_size": .number(Double(intermediateSize)), "hidden_act": .string(hiddenAct),
            "hidden_dropout_prob": .number(Double(hiddenDropoutProb)),
            "attention_probs_dropout_prob": .number(Double(attentionProbsDropoutProb)),
            "max_position_embeddings": .number(Double(maxPositionEmbeddings)), "type_vocab_size": .number(Double(typeVocabSize)),
            "layer_norm_eps": .number(Double(layerNormEps)), "position_embedding_type": .string("absolute"),
            "pad_token_id": padTokenId.map { .number(Double($0)) } ?? .null, "initializer_range": .number(0.02),
        ]
        if let classifierDropout { json["classifier_dropout"] = .number(Double(classifierDropout)) }
        labels?.write(into: &json)
        return json
    }
}

extension DecoderConfig {
    /// The config.json object; `architecture` is e.g. "Qwen3ForSequenceClassification".
    public func jsonObject(architecture: String) -> [String: ConfigJSON] {
        var json: [String: ConfigJSON] = [
            "architectures": .array([.string(architecture)]), "model_type": .string(modelType),
            "vocab_size": .number(Double(vocabSize)), "hidden_size": .number(Double(hiddenSize)),
            "intermediate_size": .number(Double(intermediateSize)), "num_hidden_layers": .number(Double(numHiddenLayers)),
            "num_attention_heads": .number(Double(numAttentionHeads)), "num_key_value_heads": .number(Double(numKeyValueHeads)),
            "head_dim": .number(Double(headDim)), "hidden_act": .string("silu"), "rms_norm_eps": .number(Double(rmsNormEps)),
            "rope_theta": .number(Double(ropeTheta)), "max_position_embeddings": .number(Double(maxPositionEmbeddings)),
            "tie_word_embeddings": .bool(tieWordEmbeddings), "attention_bias": .bool(attentionBias),
            "pad_token_id": padTokenId.map { .number(Double($0)) } ?? .null,
            "bos_token_id": bosTokenId.map { .number(Double($0)) } ?? .null,
            "eos_token_id": eosTokenIds.count == 1 ? .number(Double(eosTokenIds[0])) : .array(eosTokenIds.map { .number(Double($0)) }),
            "initializer_range": .number(0.02), "torch_dtype": .string("float32"),
        ]
        if modelType == "llama" { json["mlp_bias"] = .bool(false) }
        labels?.write(into: &json)
        return json
    }
}

extension LabelConfig {
    func write(into json: inout [String: ConfigJSON]) {
        json["id2label"] = .object(id2label.mapValues { .string($0) })
        json["label2id"] = .object(label2id.mapValues { .number(Double($0)) })
        if let problemType { json["problem_type"] = .string(problemType) }
    }
}
