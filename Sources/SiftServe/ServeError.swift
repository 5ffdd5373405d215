// Errors a request can end in, each with the HTTP status and the TEI `error_type` it is answered with.
// Bad input always maps to a 4xx; only a failing forward pass (a bug or an exhausted machine) is a 5xx.

/// Why a request to the server was refused or failed.
public enum ServeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The body is not JSON, or JSON of the wrong shape or types (422).
    case invalidJSON(String)
    /// `inputs` holds no text (400).
    case emptyBatch
    /// More inputs in one request than `--max-client-batch-size` (422).
    case batchTooLarge(count: Int, limit: Int)
    /// A text is longer than `--max-input-length` tokens and `truncate` is false (413).
    case inputTooLong(index: Int, tokens: Int, limit: Int)
    /// The request body exceeds the server's body size limit (413).
    case bodyTooLarge(limit: Int)
    /// More requests in flight than `--max-concurrent-requests` (429).
    case overloaded(limit: Int)
    /// The endpoint does not apply to the served model, e.g. `/embed` on a decoder (400).
    case unsupported(String)
    /// The server is draining for shutdown (503).
    case shuttingDown
    /// The forward pass failed (500): not caused by the request's content.
    case inferenceFailed(String)

    /// The HTTP status code.
    public var status: Int {
        switch self {
        case .invalidJSON, .batchTooLarge: 422
        case .emptyBatch, .unsupported: 400
        case .inputTooLong, .bodyTooLarge: 413
        case .overloaded: 429
        case .shuttingDown: 503
        case .inferenceFailed: 500
        }
    }

    /// TEI's `error_type`.
    public var errorType: String {
        switch self {
        case .invalidJSON, .batchTooLarge, .inputTooLong, .bodyTooLarge, .unsupported: "validation"
        case .emptyBatch: "empty"
        case .overloaded: "overloaded"
        case .shuttingDown: "unhealthy"
        case .inferenceFailed: "backend"
        }
    }

    public var description: String {
        switch self {
        case let .invalidJSON(reason):
            "invalid request body: \(reason)"
        case .emptyBatch:
            "`inputs` is empty: send a text, [text, pair], or a non-empty list of texts"
        case let .batchTooLarge(count, limit):
            "\(count) inputs in one request, more than the server's --max-client-batch-size \(limit): split the batch"
        case let .inputTooLong(index, tokens, limit):
            "input \(index) has \(tokens) tokens, more than --max-input-length \(limit): shorten it or send \"truncate\": true"
        case let .bodyTooLarge(limit):
            "request body larger than \(limit) bytes (--max-body-bytes)"
        case let .overloaded(limit):
            "the server is at its limit of \(limit) concurrent requests (--max-concurrent-requests): retry later"
        case let .unsupported(what):
            what
        case .shuttingDown:
            "the server is shutting down"
        case let .inferenceFailed(reason):
            "inference failed: \(reason)"
        }
    }
}
