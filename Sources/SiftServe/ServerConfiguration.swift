// The server's address and limits (the flags of `sift serve`).

/// Where the server listens and what it accepts.
public struct ServerConfiguration: Sendable, Equatable {
    /// The address to bind (127.0.0.1 for loopback only, 0.0.0.0 for every interface).
    public var host: String
    /// The port; 0 picks a free one (see `RunningServer.port`).
    public var port: Int
    /// Dynamic batching limits (`maxBatchRequests` 1 disables batching).
    public var batching: BatchingLimits
    /// Requests in flight beyond which new ones get 429.
    public var maxConcurrentRequests: Int
    /// Tokens per input beyond which inputs are truncated (`truncate: true`) or refused with 413;
    /// nil: the model's position limit, at most 512.
    public var maxInputLength: Int?
    /// Inputs per request beyond which the request is refused (422).
    public var maxClientBatchSize: Int
    /// Request bodies beyond this many bytes get 413.
    public var maxBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, batching: BatchingLimits = BatchingLimits(),
                maxConcurrentRequests: Int = 512, maxInputLength: Int? = nil, maxClientBatchSize: Int = 32,
                maxBodyBytes: Int = 2 << 20) {
        self.host = host
        self.port = port
        self.batching = batching
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxInputLength = maxInputLength
        self.maxClientBatchSize = maxClientBatchSize
        self.maxBodyBytes = maxBodyBytes
    }

    /// The input length limit for `model`, checked against the model and the batch limits.
    func resolvedMaxInputLength(for model: ServingModel) throws -> Int {
        let limit = maxInputLength ?? min(model.maxPositions, 512)
        guard limit >= 1 else { throw ServeSetupError("--max-input-length must be at least 1, got \(limit)") }
        guard limit <= model.maxPositions else {
            throw ServeSetupError("--max-input-length \(limit) exceeds the model's \(model.maxPositions) positions")
        }
        guard limit <= batching.maxBatchTokens else {
            throw ServeSetupError("--max-input-length \(limit) exceeds --max-batch-tokens \(batching.maxBatchTokens): one input must fit a batch")
        }
        return limit
    }

    /// Throws when a limit is out of range.
    func validate() throws {
        guard (0...65535).contains(port) else { throw ServeSetupError("--port must be in 0...65535, got \(port)") }
        guard batching.maxBatchRequests >= 1 else { throw ServeSetupError("--max-batch-requests must be at least 1") }
        guard batching.maxBatchTokens >= 1 else { throw ServeSetupError("--max-batch-tokens must be at least 1") }
        guard maxConcurrentRequests >= 1 else { throw ServeSetupError("--max-concurrent-requests must be at least 1") }
        guard maxClientBatchSize >= 1 else { throw ServeSetupError("--max-client-batch-size must be at least 1") }
        guard maxBodyBytes >= 64 else { throw ServeSetupError("--max-body-bytes must be at least 64") }
    }
}
