// Model configurations read from Hugging Face `config.json`, with transformers' defaults for
// missing keys: BertConfig, Qwen3Config and LlamaConfig (the decoder configs share one struct).
import Foundation

/// Labels of a classification head (`id2label`, `label2id`, `num_labels`, `problem_type`).
public struct LabelConfig: Sendable, Equatable {
    /// Label names in id order.
    public var names: [String]
    /// `single_label_classification` (softmax cross-entropy) unless the config says otherwise.
    public var problemType: String?

    public init(names: [String], problemType: String? = "single_label_classification") {
        self.names = names
        self.problemType = problemType
    }

    /// Number of labels.
    public var count: Int { names.count }

    /// `id2label` as config.json writes it (string keys).
    public var id2label: [String: String] {
        Dictionary(uniqueKeysWithValues: names.enumerated().map { (String($0.offset), $0.element) })
    }

    /// `label2id` as config.json writes it.
    public var label2id: [String: Int] {
        Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Configuration of a BERT-family encoder (`model_type` "bert").
public struct BertConfig: Sendable, Equatable {
    public var vocabSize = 30522
    public var hiddenSize = 768
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var intermediateSize = 3072
    /// "gelu" (erf), "gelu_new"/"gelu_pytorch_tanh" (tanh approximation).
    public var hiddenAct = "gelu"
    public var hiddenDropoutProb: Float = 0.1
    public var attentionProbsDropoutProb: Float = 0.1
    /// `classifier_dropout`, falling back to `hidden_dropout_prob` as transformers does.
    public var classifierDropout: Float?
    public var maxPositionEmbeddings = 512
    public var typeVocabSize = 2
    public var layerNormEps: Float = 1e-12
    public var padTokenId: Int? = 0
    public var labels: LabelConfig?

    public init() {}

    /// Per-head dimension.
    public var headDim: Int { hiddenSize / numAttentionHeads }
    /// The dropout applied before the classifier.
    public var effectiveClassifierDropout: Float { classifierDropout ?? hiddenDropoutProb }
}

/// Configuration of a decoder-only model: Qwen3 (q/k norms) or Llama-family (SmolLM2, Qwen2).
public struct DecoderConfig: Sendable, Equatable {
    /// "qwen3", "qwen2" or "llama".
    public var modelType: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var headDim: Int
    public var rmsNormEps: Float
    public var ropeTheta: Float
    public var maxPositionEmbeddings: Int
    public var tieWordEmbeddings: Bool
    /// Bias on q/k/v/o projections (`attention_bias`; Qwen2 has q/k/v bias).
    public var attentionBias: Bool
    /// Qwen3 normalises q and k per head (RMSNorm over head_dim) before RoPE.
    public var useQKNorm: Bool
    public var padTokenId: Int?
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]
    public var labels: LabelConfig?

    /// Qwen3's defaults (transformers `Qwen3Config`).
    public static func qwen3() -> DecoderConfig {
        DecoderConfig(
            modelType: "qwen3", vocabSize: 151936, hiddenSize: 4096, intermediateSize: 22016, numHiddenLayers: 32,
            numAttentionHeads: 32, numKeyValueHeads: 32, headDim: 128, rmsNormEps: 1e-6, ropeTheta: 10000,
            maxPositionEmbeddings: 32768, tieWordEmbeddings: false, attentionBias: false, useQKNorm: true,
            padTokenId: nil, bosTokenId: nil, eosTokenIds: [], labels: nil)
    }

    /// Llama's defaults (transformers `LlamaConfig`).
    public static func llama() -> DecoderConfig {
        DecoderConfig(
            modelType: "llama", vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, numHiddenLayers: 32,
            numAttentionHeads: 32, numKeyValueHeads: 32, headDim: 128, rmsNormEps: 1e-6, ropeTheta: 10000,
            maxPositionEmbeddings: 2048, tieWordEmbeddings: false, attentionBias: false, useQKNorm: false,
            padTokenId: nil, bosTokenId: 1, eosTokenIds: [2], labels: nil)
    }
}

/// A parsed `config.json`: which family, and its configuration.
public enum ModelConfig: Sendable, Equatable {
    case bert(BertConfig)
    case decoder(DecoderConfig)

    /// The `architectures[0]` entry, if any (e.g. "BertForSequenceClassification").
    public static func architecture(in json: [String: ConfigJSON]) -> String? {
        json["architectures"]?.arrayValue?.first?.stringValue
    }

    /// Reads and validates `config.json` (a file, or a directory containing one).
    public static func load(from url: URL) throws -> ModelConfig {
        var file = url
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = url.appendingPathComponent("config.json")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ModelError.unreadableConfig(path: file.path, reason: "file not found or unreadable")
        }
        let object: ConfigJSON
        do {
            object = try ConfigJSON.parse(data)
        } catch {
            throw ModelError.unreadableConfig(path: file.path, reason: "malformed JSON (\(error))")
        }
        guard let json = object.objectValue else {
            throw ModelError.unreadableConfig(path: file.path, reason: "the top level is not a JSON object")
        }
        return try parse(json, path: file.path)
    }

    /// Builds a config from an already-decoded JSON object.
    public static func parse(_ json: [String: ConfigJSON], path: String = "config.json") throws -> ModelConfig {
        let reader = ConfigReader(json: json, path: path)
        let type = try reader.string("model_type") ?? ""
        switch type {
        case "bert":
            return .bert(try parseBert(reader))
        case "qwen3", "qwen2", "llama":
            return .decoder(try parseDecoder(reader, modelType: type))
        default:
            let shown = type.isEmpty ? "(missing)" : type
            throw ModelError.unsupportedModelType(shown, path: path)
        }
    }

    static func parseBert(_ r: ConfigReader) throws -> BertConfig {
        var c = BertConfig()
        c.vocabSize = try r.int("vocab_size") ?? c.vocabSize
        c.hiddenSize = try r.int("hidden_size") ?? c.hiddenSize
        c.numHiddenLayers = try r.int("num_hidden_layers") ?? c.numHiddenLayers
        c.numAttentionHeads = try r.int("num_attention_heads") ?? c.numAttentionHeads
        c.intermediateSize = try r.int("intermediate_size") ?? c.intermediateSize
        c.hiddenAct = try r.string("hidden_act") ?? c.hiddenAct
        c.hiddenDropoutProb = try r.float("hidden_dropout_prob") ?? c.hiddenDropoutProb
        c.attentionProbsDropoutProb = try r.float("attention_probs_dropout_prob") ?? c.attentionProbsDropoutProb
        c.classifierDropout = try r.float("classifier_dropout")
        c.maxPositionEmbeddings = try r.int("max_position_embeddings") ?? c.maxPositionEmbeddings
        c.typeVocabSize = try r.int("type_vocab_size") ?? c.typeVocabSize
        c.layerNormEps = try r.float("layer_norm_eps") ?? c.layerNormEps
        c.padTokenId = r.has("pad_token_id") ? try r.int("pad_token_id") : c.padTokenId
        c.labels = try r.labels()
        if let positionType = try r.string("position_embedding_type"), positionType != "absolute" {
            throw ModelError.invalidConfig(path: r.path, key: "position_embedding_type", reason: "only \"absolute\" is supported, got \"\(positionType)\"")
        }
        guard ["gelu", "gelu_new", "gelu_pytorch_tanh"].contains(c.hiddenAct) else {
            throw ModelError.invalidConfig(path: r.path, key: "hidden_act", reason: "unsupported activation \"\(c.hiddenAct)\" (supported: gelu, gelu_new, gelu_pytorch_tanh)")
        }
        try r.requirePositive(["hidden_size": c.hiddenSize, "num_hidden_layers": c.numHiddenLayers, "num_attention_heads": c.numAttentionHeads,
                               "intermediate_size": c.intermediateSize, "vocab_size": c.vocabSize])
        guard c.hiddenSize % c.numAttentionHeads == 0 else {
            throw ModelError.invalidConfig(path: r.path, key: "num_attention_heads", reason: "hidden_size \(c.hiddenSize) is not divisible by \(c.numAttentionHeads) heads")
        }
        return c
    }

    static func parseDecoder(_ r: ConfigReader, modelType: String) throws -> DecoderConfig {
        var c = modelType == "llama" ? DecoderConfig.llama() : DecoderConfig.qwen3()
        c.modelType = modelType
        if modelType == "qwen2" {  // Qwen2: bias on q/k/v, no q/k norm
            c.useQKNorm = false
            c.attentionBias = true
        }
        c.vocabSize = try r.int("vocab_size") ?? c.vocabSize
        c.hiddenSize = try r.int("hidden_size") ?? c.hiddenSize
        c.intermediateSize = try r.int("intermediate_size") ?? c.intermediateSize
        c.numHiddenLayers = try r.int("num_hidden_layers") ?? c.numHiddenLayers
        c.numAttentionHeads = try r.int("num_attention_heads") ?? c.numAttentionHeads
        c.numKeyValueHeads = try r.int("num_key_value_heads") ?? c.numAttentionHeads
        // head_dim: explicit, else hidden / heads (Llama, Qwen2; Qwen3's own default is 128 only when absent in code).
        if let headDim = try r.int("head_dim") {
            c.headDim = headDim
        } else if modelType != "qwen3" {
            c.headDim = c.hiddenSize / max(c.numAttentionHeads, 1)
        }
        c.rmsNormEps = try r.float("rms_norm_eps") ?? c.rmsNormEps
        // transformers 5 writes rope_parameters {rope_theta, rope_type}; older files a top-level rope_theta.
        if let parameters = r.json["rope_parameters"]?.objectValue {
            let nested = ConfigReader(json: parameters, path: r.path + " (rope_parameters)")
            c.ropeTheta = try nested.float("rope_theta") ?? c.ropeTheta
            if let type = try nested.string("rope_type"), type != "default" {
                throw ModelError.invalidConfig(path: r.path, key: "rope_parameters.rope_type", reason: "only the default RoPE is supported, got \"\(type)\"")
            }
        } else {
            c.ropeTheta = try r.float("rope_theta") ?? c.ropeTheta
        }
        if let scaling = r.json["rope_scaling"], !scaling.isNull {
            throw ModelError.invalidConfig(path: r.path, key: "rope_scaling", reason: "RoPE scaling is not supported yet")
        }
        c.maxPositionEmbeddings = try r.int("max_position_embeddings") ?? c.maxPositionEmbeddings
        c.tieWordEmbeddings = try r.bool("tie_word_embeddings") ?? c.tieWordEmbeddings
        c.attentionBias = try r.bool("attention_bias") ?? c.attentionBias
        c.padTokenId = r.has("pad_token_id") ? try r.int("pad_token_id") : c.padTokenId
        c.bosTokenId = r.has("bos_token_id") ? try r.int("bos_token_id") : c.bosTokenId
        if let many = r.json["eos_token_id"]?.arrayValue {
            c.eosTokenIds = many.compactMap { $0.numberValue.map { Int($0) } }
        } else if r.has("eos_token_id") {
            c.eosTokenIds = try r.int("eos_token_id").map { [$0] } ?? []
        }
        if let act = try r.string("hidden_act"), act != "silu" {
            throw ModelError.invalidConfig(path: r.path, key: "hidden_act", reason: "decoders use silu (SwiGLU), got \"\(act)\"")
        }
        c.labels = try r.labels()
        try r.requirePositive(["hidden_size": c.hiddenSize, "num_hidden_layers": c.numHiddenLayers, "num_attention_heads": c.numAttentionHeads,
                               "num_key_value_heads": c.numKeyValueHeads, "head_dim": c.headDim, "intermediate_size": c.intermediateSize,
                               "vocab_size": c.vocabSize])
        guard c.numAttentionHeads % c.numKeyValueHeads == 0 else {
            throw ModelError.invalidConfig(path: r.path, key: "num_key_value_heads", reason: "\(c.numAttentionHeads) attention heads are not a multiple of \(c.numKeyValueHeads) key/value heads")
        }
        guard c.headDim % 2 == 0 else {
            throw ModelError.invalidConfig(path: r.path, key: "head_dim", reason: "RoPE needs an even head_dim, got \(c.headDim)")
        }
        return c
    }
}

/// Typed access to config keys; `null` counts as absent.
struct ConfigReader {
    let json: [String: ConfigJSON]
    let path: String

    func has(_ key: String) -> Bool { json[key] != nil }

    private func value(_ key: String) -> ConfigJSON? {
        guard let v = json[key], !v.isNull else { return nil }
        return v
    }

    func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        if let n = v.numberValue, n == n.rounded(), abs(n) < 1e15 { return Int(n) }
        throw ModelError.invalidConfig(path: path, key: key, reason: "expected an integer, got \(v)")
    }

    func float(_ key: String) throws -> Float? {
        guard let v = value(key) else { return nil }
        if let n = v.numberValue { return Float(n) }
        throw ModelError.invalidConfig(path: path, key: key, reason: "expected a number, got \(v)")
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        if let b = v.boolValue { return b }
        throw ModelError.invalidConfig(path: path, key: key, reason: "expected true or false, got \(v)")
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        if let s = v.stringValue { return s }
        throw ModelError.invalidConfig(path: path, key: key, reason: "expected a string, got \(v)")
    }

    func requirePositive(_ values: [String: Int]) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where value <= 0 {
            throw ModelError.invalidConfig(path: path, key: key, reason: "must be positive, got \(value)")
        }
    }

    /// `id2label` (preferred) or `num_labels`; nil when the config has neither.
    func labels() throws -> LabelConfig? {
        let problemType = try string("problem_type")
        if let id2label = value("id2label") {
            guard let map = id2label.objectValue else {
                throw ModelError.invalidConfig(path: path, key: "id2label", reason: "expected an object of \"id\": \"name\"")
            }
            var names = [String](repeating: "", count: map.count)
            for (key, name) in map {
                guard let id = Int(key), id >= 0, id < map.count else {
                    throw ModelError.invalidConfig(path: path, key: "id2label", reason: "ids must be 0..<\(map.count), got \"\(key)\"")
                }
                names[id] = name.stringValue ?? "\(name)"
            }
            return LabelConfig(names: names, problemType: problemType ?? "single_label_classification")
        }
        if let count = try int("num_labels") {
            return LabelConfig(names: (0..<count).map { "LABEL_\($0)" }, problemType: problemType ?? "single_label_classification")
        }
        return nil
    }
}
