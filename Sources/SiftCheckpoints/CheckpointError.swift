// Typed errors of the checkpoint readers and writers. Every message says which file, where in it
// (byte offset, tensor or key name), what was wrong, and what to do about it.

/// An error raised while reading or writing a checkpoint (safetensors, GGUF) or matching weights.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or mapped (missing, a directory, no permission…).
    case cannotOpen(path: String, reason: String)
    /// The file ends before a structure that must be there.
    case truncated(path: String, what: String, offset: Int, needed: Int, fileSize: Int)
    /// A safetensors header that parsed as JSON but breaks the format's rules.
    case malformedSafetensors(path: String, reason: String)
    /// Text that is not valid JSON (safetensors header, shard index).
    case malformedJSON(path: String, byteOffset: Int, reason: String)
    /// A GGUF file that breaks the format's rules.
    case malformedGGUF(path: String, offset: Int, reason: String)
    /// A tensor name that the checkpoint does not contain.
    case tensorNotFound(name: String, path: String, available: Int)
    /// A tensor whose stored type cannot be read the way it was asked for.
    case unsupportedType(name: String, type: String, path: String, wanted: String)
    /// A GGUF metadata key that is not in the file.
    case metadataMissing(key: String, path: String)
    /// A GGUF metadata key whose value has another type than asked for.
    case metadataTypeMismatch(key: String, expected: String, actual: String, path: String)
    /// Weights that do not match what a model expects (see ``WeightMismatchReport``).
    case weightMismatch(WeightMismatchReport)
    /// Writing a checkpoint failed (nothing was left at the destination).
    case writeFailed(path: String, reason: String)
    /// An argument that cannot be used (bad shape for a permutation, duplicate tensor names…).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open checkpoint '\(path)': \(reason). Check the path and that the file is readable."
        case let .truncated(path, what, offset, needed, fileSize):
            return "'\(path)' is truncated: \(what) needs \(needed) bytes at byte offset \(offset), but the file has "
                + "\(fileSize) bytes. The download or copy is incomplete: fetch the file again."
        case let .malformedSafetensors(path, reason):
            return "'\(path)' is not a valid safetensors file: \(reason)."
        case let .malformedJSON(path, byteOffset, reason):
            return "'\(path)': invalid JSON at byte \(byteOffset) of the JSON text: \(reason)."
        case let .malformedGGUF(path, offset, reason):
            return "'\(path)' is not a valid GGUF file: \(reason) (at byte offset \(offset))."
        case let .tensorNotFound(name, path, available):
            return "tensor '\(name)' is not in '\(path)' (it holds \(available) tensors). Check the name "
                + "(Hugging Face names, e.g. 'model.layers.0.self_attn.q_proj.weight')."
        case let .unsupportedType(name, type, path, wanted):
            return "tensor '\(name)' in '\(path)' is stored as \(type), which cannot be read as \(wanted)."
        case let .metadataMissing(key, path):
            return "GGUF metadata key '\(key)' is missing from '\(path)'; the file may be for another architecture "
                + "or made by an old converter."
        case let .metadataTypeMismatch(key, expected, actual, path):
            return "GGUF metadata key '\(key)' in '\(path)' holds \(actual), expected \(expected)."
        case let .weightMismatch(report):
            return report.description
        case let .writeFailed(path, reason):
            return "could not write '\(path)': \(reason). Nothing was written there; check free space and permissions."
        case let .invalidArgument(reason):
            return reason
        }
    }
}
