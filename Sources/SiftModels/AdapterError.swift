// Typed errors of LoRA adapters: configuration, shapes and PEFT adapter files.

/// An error raised while configuring, attaching, reading or writing a LoRA adapter.
public enum AdapterError: Error, CustomStringConvertible {
    /// A LoRA setting is impossible (rank, alpha, dropout, targets…).
    case invalidConfig(String)
    /// No projection of the model matches the target modules.
    case noTargetModule(String)
    /// Adapter factors and the projection they adapt disagree in shape.
    case shapeMismatch(String)
    /// An adapter directory or file is missing, malformed or uses a PEFT feature Sift lacks.
    case invalidAdapterFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfig(reason): "invalid LoRA configuration: \(reason)"
        case let .noTargetModule(reason): "LoRA: \(reason)"
        case let .shapeMismatch(reason): "LoRA shape mismatch: \(reason)"
        case let .invalidAdapterFile(path, reason): "cannot use the PEFT adapter \(path): \(reason)"
        }
    }
}
