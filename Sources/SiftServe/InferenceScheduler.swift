// Dynamic batching. Requests' encoded inputs wait in a queue; one dedicated thread (not Swift's
// cooperative pool, which a forward pass would block) takes the oldest input plus waiting inputs of
// similar length, within `maxBatchTokens` padded tokens and `maxBatchRequests` inputs, runs them as
// one batch, and hands each request its rows. While a batch runs, new arrivals queue up for the next.
import Foundation

/// What to compute for a queued input.
enum InferenceOperation: Equatable, Sendable {
    case scores
    case embed(normalize: Bool)
}

/// Batching limits.
public struct BatchingLimits: Sendable, Equatable {
    /// Padded tokens (inputs × longest input) per forward.
    public var maxBatchTokens: Int
    /// Inputs per forward (1 disables batching).
    public var maxBatchRequests: Int

    public init(maxBatchTokens: Int = 16_384, maxBatchRequests: Int = 64) {
        self.maxBatchTokens = maxBatchTokens
        self.maxBatchRequests = maxBatchRequests
    }
}

/// The inputs of one HTTP request, answered together once all have been computed.
final class PendingRequest: @unchecked Sendable {
    // @unchecked: `results`/`remaining` are written only on the inference thread after enqueueing;
    // the continuation is resumed exactly once from there.
    let inputs: [EncodedInput]
    let operation: InferenceOperation
    let enqueued: UInt64
    var results: [[Float]]
    var remaining: Int
    var failure: Error?
    let continuation: CheckedContinuation<[[Float]], Error>

    init(inputs: [EncodedInput], operation: InferenceOperation, continuation: CheckedContinuation<[[Float]], Error>) {
        self.inputs = inputs
        self.operation = operation
        self.continuation = continuation
        enqueued = DispatchTime.now().uptimeNanoseconds
        results = [[Float]](repeating: [], count: inputs.count)
        remaining = inputs.count
    }
}

/// One queued input: which request, which of its inputs.
struct QueuedInput {
    let request: PendingRequest
    let index: Int
    var tokens: Int { request.inputs[index].ids.count }
}

/// Runs forward passes for queued inputs on its own thread, batching what is waiting.
final class InferenceScheduler: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`.
    private let condition = NSCondition()
    /// Waiting inputs in arrival order; nil marks one taken out of order into an earlier batch.
    private var queue: [QueuedInput?] = []
    private var head = 0
    private var waiting = 0
    private var stopping = false
    private var finished = false
    private let model: ServingModel
    private let limits: BatchingLimits
    private let metrics: ServerMetrics
    private var thread: Thread?

    init(model: ServingModel, limits: BatchingLimits, metrics: ServerMetrics) {
        self.model = model
        self.limits = limits
        self.metrics = metrics
    }

    /// Starts the inference thread.
    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "sift-inference"
        thread.stackSize = 16 << 20
        self.thread = thread
        thread.start()
    }

    /// Queues the inputs of one request and waits for their rows.
    func submit(_ inputs: [EncodedInput], operation: InferenceOperation) async throws -> [[Float]] {
        try await withCheckedThrowingContinuation { continuation in
            let request = PendingRequest(inputs: inputs, operation: operation, continuation: continuation)
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(throwing: ServeError.shuttingDown)
                return
            }
            for index in inputs.indices { queue.append(QueuedInput(request: request, index: index)) }
            waiting += inputs.count
            metrics.setQueueLength(waiting)
            condition.signal()
            condition.unlock()
        }
    }

    /// Finishes what is queued, then ends the thread; returns once it has ended.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished && thread != nil { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while waiting == 0 && !stopping { condition.wait() }
            if waiting == 0 {  // stopping with nothing left
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = takeBatch()
            metrics.setQueueLength(waiting)
            condition.unlock()
            run(batch)
        }
    }

    /// The oldest waiting input, then later ones of the same operation whose lengths keep padding
    /// small (padded tokens at most 5/4 of real tokens) within the limits. Lock held; `waiting > 0`.
    ///
    /// Padding is pure waste on a CPU, so inputs of similar length are grouped rather than taking
    /// the queue's prefix; the oldest input always goes first, so nothing waits forever.
    private func takeBatch() -> [QueuedInput] {
        while head < queue.count && queue[head] == nil { head += 1 }
        guard head < queue.count, let first = queue[head] else { return [] }
        queue[head] = nil
        head += 1
        waiting -= 1
        var batch = [first]
        var longest = first.tokens, real = first.tokens
        let limit = max(limits.maxBatchRequests, 1)
        let window = min(queue.count, head + 8 * limit)
        var index = head
        while index < window && batch.count < limit {
            if let next = queue[index], next.request.operation == first.request.operation {
                let longer = max(longest, next.tokens)
                let padded = longer * (batch.count + 1)
                if padded <= limits.maxBatchTokens && padded * 4 <= (real + next.tokens) * 5 {
                    batch.append(next)
                    queue[index] = nil
                    waiting -= 1
                    longest = longer
                    real += next.tokens
                }
            }
            index += 1
        }
        while head < queue.count && queue[head] == nil { head += 1 }
        // Compact now and then so the array does not grow without bound.
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return batch
    }

    private func run(_ batch: [QueuedInput]) {
        guard let first = batch.first else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        for item in batch where item.index == 0 {
            metrics.observeQueueTime(Double(start &- item.request.enqueued) / 1e9)
        }
        let inputs = batch.map { $0.request.inputs[$0.index] }
        let outcome: Result<[[Float]], Error>
        switch first.request.operation {
        case .scores: outcome = Result { try model.rawScores(inputs) }
        case let .embed(normalize): outcome = Result { try model.embeddings(inputs, normalize: normalize) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
        let longest = inputs.map(\.ids.count).max() ?? 0
        metrics.observeBatch(size: batch.count, paddedTokens: longest * batch.count, seconds: seconds)
        for (row, item) in batch.enumerated() {
            let request = item.request
            switch outcome {
            case let .success(rows) where row < rows.count: request.results[item.index] = rows[row]
            case .success: request.failure = ServeError.inferenceFailed("the model returned fewer rows than inputs")
            case let .failure(error): request.failure = error
            }
            request.remaining -= 1
            if request.remaining == 0 {
                if let failure = request.failure {
                    request.continuation.resume(throwing: failure)
                } else {
                    request.continuation.resume(returning: request.results)
                }
            }
        }
    }
}
