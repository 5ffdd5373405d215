// SiftCheckpoints: safetensors and GGUF readers/writers, mapping to Hugging Face parameter names.

/// Formats this module reads.
public enum CheckpointFormat: String, Sendable {
    case safetensors
    case gguf
}
