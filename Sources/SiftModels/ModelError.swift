// Typed errors of the model layer: configs, weights and inputs.

/// An error raised while configuring, loading or running a model.
public enum ModelError: Error, CustomStringConvertible {
    /// `config.json` is missing, unreadable or not a JSON object.
    case unreadableConfig(path: String, reason: String)
    /// A config key has the wrong type or an impossible value.
    case invalidConfig(path: String, key: String, reason: String)
    /// The `model_type` / architecture is not one Sift implements.
    case unsupportedModelType(String, path: String)
    /// A model input is invalid (empty batch, ragged rows, ids out of range, missing pad id…).
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .unreadableConfig(path, reason):
            return "cannot read model config \(path): \(reason)"
        case let .invalidConfig(path, key, reason):
            return "invalid model config \(path): key \"\(key)\": \(reason)"
        case let .unsupportedModelType(type, path):
            return "unsupported model_type \"\(type)\" in \(path): Sift supports bert (BERT-family encoders), qwen3, qwen2 and llama (decoders)"
        case let .invalidInput(reason):
            return "invalid model input: \(reason)"
        }
    }
}
