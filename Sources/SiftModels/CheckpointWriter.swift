// Saving a model as a Hugging Face directory — config.json, model.safetensors and the tokenizer
// files — that Sift and Python transformers both load. Every file is written atomically; the
// directory itself is assembled under a temporary name and renamed into place, so a kill never
// leaves a half-written checkpoint.
import Foundation
import SiftCheckpoints
import SiftTensor

/// How the tokenizer of a loaded model is written back out.
public enum TokenizerFiles: Sendable {
    /// Copy these files from the source directory.
    case copy([URL])
    /// Write these generated files (name → contents), e.g. a tokenizer.json built from a GGUF file.
    case generated([String: Data])
}

extension ModelBundle {
    /// The transformers class name for the loaded kind (e.g. "BertForSequenceClassification").
    public var architectureName: String {
        switch (model, config) {
        case (.bert, _): return "BertModel"
        case (.bertClassifier, _): return "BertForSequenceClassification"
        case let (.decoder, .decoder(c)): return Self.decoderPrefix(c) + "ForCausalLM"
        case let (.decoderClassifier, .decoder(c)): return Self.decoderPrefix(c) + "ForSequenceClassification"
        default: return "Unknown"
        }
    }

    static func decoderPrefix(_ c: DecoderConfig) -> String {
        switch c.modelType {
        case "qwen3": "Qwen3"
        case "qwen2": "Qwen2"
        default: "Llama"
        }
    }

    /// The config.json of this bundle (labels included).
    public func configJSON() -> [String: ConfigJSON] {
        switch config {
        case let .bert(c): c.jsonObject(architecture: architectureName)
        case let .decoder(c): c.jsonObject(architecture: architectureName)
        }
    }

    /// Writes config.json, model.safetensors (f32 or bf16) and the tokenizer files into `directory`
    /// (created or replaced atomically).
    /// `writeExtra` may add more files to the staging folder before it is moved into place.
    public func save(to directory: URL, dtype: DType = .f32, extraFiles: [String: Data] = [:],
                     writeExtra: ((URL) throws -> Void)? = nil) throws {
        let fm = FileManager.default
        try AtomicDirectory.write(directory) { staging in
            // 1. Weights (tied LM heads are not stored, as transformers does).
            var tensors: [(name: String, tensor: Tensor)] = []
            var seen = Set<ObjectIdentifier>()
            for (name, tensor) in model.parameterContainer.namedParameters() where seen.insert(ObjectIdentifier(tensor)).inserted {
                tensors.append((name, tensor))
            }
            try SafetensorsWriter.write(tensors, to: staging.appendingPathComponent("model.safetensors").path, dtype: dtype)
            // 2. config.json.
            var json = configJSON()
            json["torch_dtype"] = .string(dtype == .bf16 ? "bfloat16" : dtype == .f16 ? "float16" : "float32")
            json["transformers_version"] = .string("4.51.0")
            try writeJSON(.object(json), to: staging.appendingPathComponent("config.json"))
            // 3. Tokenizer files.
            switch tokenizerFiles {
            case let .copy(urls):
                for url in urls {
                    // Resolved first: a model from the Hub cache has symlinks into blobs/, and copyItem would copy the link.
                    try fm.copyItem(at: url.resolvingSymlinksInPath(), to: staging.appendingPathComponent(url.lastPathComponent))
                }
            case let .generated(files):
                for (name, data) in files { try data.write(to: staging.appendingPathComponent(name)) }
            }
            for (name, data) in extraFiles { try data.write(to: staging.appendingPathComponent(name)) }
            try writeExtra?(staging)
        }
    }
}

/// Writes a JSON value with sorted keys, pretty-printed.
public func writeJSON(_ value: ConfigJSON, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(value).write(to: url, options: .atomic)
}

/// The tokenizer files Hugging Face directories carry (those present are copied on save).
let tokenizerFileNames = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                          "vocab.json", "merges.txt", "chat_template.jinja", "added_tokens.json"]
