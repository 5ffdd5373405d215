// Loading a model and its tokenizer from a Hugging Face directory (config.json + safetensors,
// sharded or not) or a GGUF file, strictly: every expected tensor must be present with its shape,
// nothing unexpected may be left over; a head the checkpoint lacks is initialised and reported.
import Foundation
import SiftCheckpoints
import SiftTensor
import SiftTokenizers

/// What the caller wants the checkpoint to become.
public enum ModelTask: Sendable, Equatable {
    /// The bare trunk (`BertModel` / decoder without LM head use): embeddings, hidden states.
    case base
    /// A sequence classifier. `labels` overrides the config's labels (a new head is created when
    /// the checkpoint has none or its label count differs).
    case classification(labels: [String]?)
    /// A causal language model (decoders only).
    case causalLM
}

/// A loaded model of one of the supported kinds.
public enum LoadedModel {
    case bert(BertModel)
    case bertClassifier(BertForSequenceClassification)
    case decoder(DecoderModel)
    case decoderClassifier(DecoderForSequenceClassification)

    /// The model's parameters with their Hugging Face names.
    public var parameterContainer: ParameterContainer {
        switch self {
        case let .bert(m): m
        case let .bertClassifier(m): m
        case let .decoder(m): m
        case let .decoderClassifier(m): m
        }
    }
}

/// A model, its tokenizer and where they came from.
public struct ModelBundle {
    public let model: LoadedModel
    public let tokenizer: Tokenizer
    public let config: ModelConfig
    /// The directory or GGUF file loaded.
    public let source: URL
    /// Parameters that were not in the checkpoint and were freshly initialised (e.g. a new classifier).
    public let newlyInitialized: [String]

    public init(model: LoadedModel, tokenizer: Tokenizer, config: ModelConfig, source: URL, newlyInitialized: [String],
                tokenizerFiles: TokenizerFiles) {
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.source = source
        self.newlyInitialized = newlyInitialized
        self.tokenizerFiles = tokenizerFiles
    }

    /// The same bundle around another model of the same configuration (e.g. a trained copy).
    public func replacing(model: LoadedModel, config: ModelConfig? = nil) -> ModelBundle {
        ModelBundle(model: model, tokenizer: tokenizer, config: config ?? self.config, source: source,
                    newlyInitialized: newlyInitialized, tokenizerFiles: tokenizerFiles)
    }
    /// How to write the tokenizer next to a saved checkpoint.
    public let tokenizerFiles: TokenizerFiles
    /// The id batches are padded with: the tokenizer's pad token, else the config's pad id, else its
    /// first end-of-sequence id, else 0.
    public var padTokenId: Int {
        if let id = tokenizer.padTokenId { return id }
        if case let .decoder(c) = config, let id = c.padTokenId ?? c.eosTokenIds.first { return id }
        return 0
    }

    /// Class names of a classifier (empty otherwise).
    public var labelNames: [String] {
        switch config {
        case let .bert(c): c.labels?.names ?? []
        case let .decoder(c): c.labels?.names ?? []
        }
    }
}

/// Loads models from Hugging Face directories and GGUF files.
public enum ModelLoader {
    /// Loads `url` (a directory with `config.json`, or a `.gguf` file) for `task`.
    /// - Parameter seed: seeds the initialisation of heads the checkpoint lacks.
    public static func load(_ url: URL, task: ModelTask, seed: UInt64 = 0) throws -> ModelBundle {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError.unreadableConfig(path: url.path, reason: "no such file or directory")
        }
        if url.pathExtension.lowercased() == "gguf" {
            return try loadGGUF(url, task: task, seed: seed)
        }
        let config = try ModelConfig.load(from: url)
        let tokenizer = try Tokenizer.load(from: url)
        let source = try openSafetensors(in: url)
        let files = TokenizerFiles.copy(tokenizerFileNames.map { url.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) })
        switch config {
        case let .bert(c):
            return try loadBert(c, source: source, tokenizer: tokenizer, files: files, url: url, task: task, seed: seed)
        case var .decoder(c):
            if c.padTokenId == nil { c.padTokenId = tokenizer.padTokenId }
            return try loadDecoder(c, source: source, tokenizer: tokenizer, files: files, url: url, task: task, seed: seed)
        }
    }

    /// `model.safetensors`, or the sharded checkpoint of `model.safetensors.index.json`.
    static func openSafetensors(in directory: URL) throws -> SafetensorsCheckpoint {
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: index.path) { return try SafetensorsCheckpoint(url: index) }
        let single = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: single.path) else {
            throw ModelError.unreadableConfig(path: directory.path, reason: "no model.safetensors or model.safetensors.index.json (PyTorch .bin checkpoints are not supported: re-save with safe_serialization=True)")
        }
        return try SafetensorsCheckpoint(url: single)
    }

    // MARK: BERT

    static func loadBert(_ config: BertConfig, source: some TensorSource, tokenizer: Tokenizer, files: TokenizerFiles, url: URL,
                         task: ModelTask, seed: UInt64) throws -> ModelBundle {
        var c = config
        let names = Set(source.tensorNames)
        // Checkpoints of BertModel have no "bert." prefix (e.g. sentence-transformers); *For* heads do.
        let prefix = names.contains { $0.hasPrefix("bert.") } ? "bert." : ""
        let hasPooler = names.contains(prefix + "pooler.dense.weight")
        var wantHead = false
        if case let .classification(labels) = task {
            wantHead = true
            if let labels { c.labels = LabelConfig(names: labels) }
            if c.labels == nil {
                throw ModelError.invalidInput("\(url.path) has no id2label/num_labels: pass the class names to create a classifier")
            }
        }
        let numLabels = c.labels?.count ?? 0
        let headInCheckpoint = names.contains("classifier.weight")
            && (try? source.shape(of: "classifier.weight")) == [numLabels, c.hiddenSize]
        var expected = BertModel.expectedShapes(c, pooler: hasPooler).map { (name: prefix + $0.0, shape: $0.1) }
        if wantHead && headInCheckpoint {
            expected += [("classifier.weight", [numLabels, c.hiddenSize]), ("classifier.bias", [numLabels])]
        }
        var ignoring: Set<String> = [prefix + "embeddings.position_ids"]
        if !wantHead || !headInCheckpoint { ignoring.formUnion(["classifier.weight", "classifier.bias"]) }
        ignoring.formUnion(names.filter { $0.hasPrefix("cls.") })  // pre-training heads (MLM/NSP)
        let weights = try WeightSet.load(from: source, expecting: expected, ignoring: ignoring, sourceName: url.path)
        var trunk: [String: Tensor] = [:]
        for (name, tensor) in weights.tensors where name.hasPrefix(prefix) {
            trunk[String(name.dropFirst(prefix.count))] = tensor
        }
        var generator = SeededGenerator(seed: seed)
        var fresh: [String] = []
        if wantHead && !hasPooler {  // transformers creates a pooler for classification when absent
            trunk["pooler.dense.weight"] = try generator.normal([c.hiddenSize, c.hiddenSize], std: 0.02)
            trunk["pooler.dense.bias"] = try Tensor.zeros([c.hiddenSize])
            fresh += ["bert.pooler.dense.weight", "bert.pooler.dense.bias"]
        }
        let bert = try BertModel(config: c, weights: trunk)
        guard wantHead else { return ModelBundle(model: .bert(bert), tokenizer: tokenizer, config: .bert(c), source: url, newlyInitialized: fresh, tokenizerFiles: files) }
        let classifier: Linear
        if headInCheckpoint {
            classifier = Linear(weight: try weights.tensor("classifier.weight"), bias: try weights.tensor("classifier.bias"))
        } else {
            classifier = try Linear(inFeatures: c.hiddenSize, outFeatures: numLabels, bias: true, std: 0.02, generator: &generator)
            fresh += ["classifier.weight", "classifier.bias"]
        }
        return ModelBundle(model: .bertClassifier(BertForSequenceClassification(bert: bert, classifier: classifier)),
                           tokenizer: tokenizer, config: .bert(c), source: url, newlyInitialized: fresh, tokenizerFiles: files)
    }

    // MARK: Decoders

    static func loadDecoder(_ config: DecoderConfig, source: some TensorSource, tokenizer: Tokenizer, files: TokenizerFiles, url: URL,
                            task: ModelTask, seed: UInt64) throws -> ModelBundle {
        var c = config
        let names = Set(source.tensorNames)
        var wantHead = false, wantLM = false
        switch task {
        case .base: break
        case .causalLM: wantLM = true
        case let .classification(labels):
            wantHead = true
            if let labels { c.labels = LabelConfig(names: labels) }
            guard c.labels != nil else {
                throw ModelError.invalidInput("\(url.path) has no id2label/num_labels: pass the class names to create a classifier")
            }
        }
        let numLabels = c.labels?.count ?? 0
        let headInCheckpoint = wantHead && (try? source.shape(of: "score.weight")) == [numLabels, c.hiddenSize]
        var expected = DecoderModel.expectedShapes(c, includeLMHead: wantLM).map { (name: $0.0, shape: $0.1) }
        if headInCheckpoint { expected.append(("score.weight", [numLabels, c.hiddenSize])) }
        var ignoring: Set<String> = ["score.weight"]
        if !wantLM || c.tieWordEmbeddings { ignoring.insert("lm_head.weight") }
        ignoring.formUnion(names.filter { $0.hasSuffix("rotary_emb.inv_freq") })
        let weights = try WeightSet.load(from: source, expecting: expected, ignoring: ignoring, sourceName: url.path)
        let trunk = try DecoderModel(config: c, weights: weights.tensors, withLMHead: wantLM)
        switch task {
        case .base, .causalLM:
            return ModelBundle(model: .decoder(trunk), tokenizer: tokenizer, config: .decoder(c), source: url, newlyInitialized: [], tokenizerFiles: files)
        case .classification:
            var generator = SeededGenerator(seed: seed)
            let score: Linear
            var fresh: [String] = []
            if headInCheckpoint {
                score = Linear(weight: try weights.tensor("score.weight"), bias: nil)
            } else {
                score = try Linear(inFeatures: c.hiddenSize, outFeatures: numLabels, bias: false, std: 0.02, generator: &generator)
                fresh = ["score.weight"]
            }
            return ModelBundle(model: .decoderClassifier(DecoderForSequenceClassification(model: trunk, score: score)),
                               tokenizer: tokenizer, config: .decoder(c), source: url, newlyInitialized: fresh, tokenizerFiles: files)
        }
    }

    // MARK: GGUF

    /// The byte-level BPE tokenizer stored in a GGUF file's `tokenizer.ggml.*` metadata.
    public static func tokenizer(fromGGUF url: URL) throws -> Tokenizer {
        try tokenizer(from: GGUFFile(url: url).tokenizerData())
    }

    static func tokenizer(from t: GGUFTokenizerData) throws -> Tokenizer {
        let pre = t.preTokenizer ?? "gpt2"
        return try Tokenizer(byteLevelBPE: ByteLevelBPEDescription(
            tokens: t.tokens, merges: t.merges, tokenTypes: (t.tokenTypes ?? []).map { Int32($0) },
            pattern: SplitPattern(ggufPre: pre), normalizeNFC: pre == "qwen2",
            bosTokenId: t.bosTokenID, eosTokenId: t.eosTokenID, paddingTokenId: t.paddingTokenID,
            unknownTokenId: t.unknownTokenID, addBOS: t.addBOSToken ?? false, addEOS: t.addEOSToken ?? false,
            chatTemplate: t.chatTemplate))
    }

    static func loadGGUF(_ url: URL, task: ModelTask, seed: UInt64) throws -> ModelBundle {
        let file = try GGUFFile(url: url)
        let g = try file.modelConfig()
        let t = try file.tokenizerData()
        let weights = try GGUFHuggingFaceWeights(file: file)
        let modelType: String
        switch g.architecture {
        case "llama": modelType = "llama"
        case "qwen3": modelType = "qwen3"
        case "qwen2": modelType = "qwen2"
        default: throw ModelError.unsupportedModelType(g.architecture, path: url.path)
        }
        var c = modelType == "llama" ? DecoderConfig.llama() : DecoderConfig.qwen3()
        c.modelType = modelType
        c.vocabSize = g.vocabSize
        c.hiddenSize = g.embeddingLength
        c.intermediateSize = g.feedForwardLength
        c.numHiddenLayers = g.blockCount
        c.numAttentionHeads = g.headCount
        c.numKeyValueHeads = g.headCountKV
        c.headDim = g.headDimension
        c.ropeTheta = Float(g.ropeFreqBase)
        c.rmsNormEps = Float(g.rmsNormEpsilon)
        c.maxPositionEmbeddings = g.contextLength
        c.tieWordEmbeddings = !weights.tensorNames.contains("lm_head.weight")
        c.useQKNorm = modelType == "qwen3"
        c.attentionBias = weights.tensorNames.contains("model.layers.0.self_attn.q_proj.bias")
        c.bosTokenId = t.bosTokenID
        c.eosTokenIds = t.eosTokenID.map { [$0] } ?? []
        c.padTokenId = t.paddingTokenID
        let pattern = SplitPattern(ggufPre: t.preTokenizer ?? "gpt2")
        let tokenizer = try tokenizer(from: t)
        let files = try GGUFTokenizerExport.files(t, pattern: pattern, normalizeNFC: (t.preTokenizer ?? "gpt2") == "qwen2", contextLength: g.contextLength)
        return try loadDecoder(c, source: weights, tokenizer: tokenizer, files: .generated(files), url: url, task: task, seed: seed)
    }
}
