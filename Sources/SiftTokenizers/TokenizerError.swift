// Every way loading or using a tokenizer can fail, each with a message that says what, where and what to do.

/// An error raised while loading a tokenizer or encoding with it.
public enum TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file or directory that should exist does not.
    case fileNotFound(path: String, hint: String)
    /// A file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// A JSON file is malformed or has an unexpected shape.
    case malformedJSON(path: String, detail: String)
    /// A text file (vocab.txt, merges.txt) has a malformed line.
    case malformedLine(path: String, line: Int, detail: String)
    /// A component of `tokenizer.json` that this library does not implement.
    case unsupported(path: String, component: String, detail: String)
    /// A token named by the configuration is not in the vocabulary.
    case unknownToken(token: String, context: String)
    /// In-memory arrays given to a builder are inconsistent.
    case invalidArrays(detail: String)
    /// The requested truncation cannot be satisfied.
    case truncation(detail: String)
    /// A chat template could not be rendered.
    case chatTemplate(detail: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path, let hint):
            return "tokenizer file not found: \(path). \(hint)"
        case .unreadableFile(let path, let reason):
            return "cannot read tokenizer file \(path): \(reason)"
        case .malformedJSON(let path, let detail):
            return "malformed JSON in \(path): \(detail). Re-save the tokenizer with Hugging Face `save_pretrained` or fix the file."
        case .malformedLine(let path, let line, let detail):
            return "\(path), line \(line): \(detail)"
        case .unsupported(let path, let component, let detail):
            return "\(path): unsupported \(component): \(detail). Supported: BERT (WordPiece) and byte-level BPE (GPT-2, Qwen2/Qwen3, SmolLM, Llama-3) tokenizers."
        case .unknownToken(let token, let context):
            return "token \"\(token)\" (\(context)) is not in the vocabulary"
        case .invalidArrays(let detail):
            return "invalid tokenizer arrays: \(detail)"
        case .truncation(let detail):
            return "truncation error: \(detail)"
        case .chatTemplate(let detail):
            return "chat template error: \(detail)"
        }
    }
}
