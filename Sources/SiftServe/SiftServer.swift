// The HTTP server: TEI's classification API (`/predict`, `/embed`, `/info`, `/health`, `/metrics`)
// plus a small page at `/`, on Hummingbird 2. Handlers parse and tokenize on Swift's task pool and
// hand forward passes to the InferenceScheduler's thread. Every failure is answered as
// `{"error", "error_type"}` with a 4xx for bad input; SIGTERM/SIGINT drain in-flight requests.
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import NIOConcurrencyHelpers

/// One label and its score in a `/predict` answer.
public struct PredictedLabel: Sendable, Codable, Equatable {
    public var label: String
    public var score: Float

    public init(label: String, score: Float) {
        self.label = label
        self.score = score
    }
}

/// Sift's version, reported by `/info`.
public let siftServeVersion = "0.1.0"

/// A classifier behind an HTTP server.
public final class SiftServer: Sendable {
    public let model: ServingModel
    public let configuration: ServerConfiguration
    public let metrics = ServerMetrics()
    let maxInputLength: Int
    let scheduler: InferenceScheduler
    /// Each label as a JSON string literal (escaped once, reused in every answer).
    let labelLiterals: [String]

    public init(model: ServingModel, configuration: ServerConfiguration) throws {
        try configuration.validate()
        self.model = model
        self.configuration = configuration
        maxInputLength = try configuration.resolvedMaxInputLength(for: model)
        scheduler = InferenceScheduler(model: model, limits: configuration.batching, metrics: metrics)
        labelLiterals = model.labels.map { Self.jsonString($0) }
    }

    // MARK: Running

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests and returns.
    /// `onListening` gets the bound port.
    public func run(logger: Logger? = nil, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = makeApplication(logger: logger ?? Self.quietLogger, onListening: onListening)
        scheduler.start()
        defer { scheduler.stop() }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger ?? Self.quietLogger))
        try await group.run()
    }

    /// Starts serving in the background (for tests and in-process benchmarks); stop it with
    /// `RunningServer.shutdown()`.
    public func start(logger: Logger? = nil) async throws -> RunningServer {
        let portBox = PortBox()
        let app = makeApplication(logger: logger ?? Self.quietLogger) { portBox.set($0) }
        scheduler.start()
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger ?? Self.quietLogger))
        let failure = NIOLockedValueBox<String?>(nil)
        let task = Task {
            do {
                try await group.run()
            } catch {
                failure.withLockedValue { $0 = "\(error)" }
                throw error
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while portBox.port == nil {
            let failed = failure.withLockedValue { $0 }
            if failed != nil || ContinuousClock.now > deadline {
                await group.triggerGracefulShutdown()
                scheduler.stop()
                throw ServeSetupError("the server could not listen on \(configuration.host):\(configuration.port): \(failed ?? "not listening after 30 s")")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return RunningServer(port: portBox.port ?? configuration.port, group: group, task: task, scheduler: scheduler)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "sift-serve")
        logger.logLevel = .warning
        return logger
    }

    func makeApplication(logger: Logger, onListening: @escaping @Sendable (Int) -> Void) -> some Service {
        let router = Router()
        router.post("/predict") { request, _ in await self.predict(request) }
        router.post("/embed") { request, _ in await self.embed(request) }
        router.get("/info") { _, _ in self.info() }
        router.get("/health") { _, _ in self.health() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: self.metrics.prometheusText())))
        }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: IndexPage.html(modelId: self.model.modelId))))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sift/\(siftServeVersion)"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    // MARK: Endpoints

    func predict(_ request: Request) async -> Response {
        await answer(endpoint: "predict", request) { body in
            let parsed = try PredictRequest.decode(body.readableBytesView)
            let raw = try await self.infer(parsed, operation: .scores)
            let rows = raw.map { self.answerJSON(raw: $0, rawScores: parsed.rawScores) }
            return parsed.isBatch ? "[" + rows.joined(separator: ",") + "]" : rows[0]
        }
    }

    func embed(_ request: Request) async -> Response {
        await answer(endpoint: "embed", request) { body in
            guard self.model.canEmbed else {
                throw ServeError.unsupported("/embed needs an encoder model; this server serves a \(self.model.kind.rawValue) model")
            }
            let parsed = try PredictRequest.decode(body.readableBytesView)
            if parsed.inputs.contains(where: { $0.pair != nil }) { throw ServeError.invalidJSON("/embed takes texts, not pairs") }
            let vectors = try await self.infer(parsed, operation: .embed(normalize: parsed.normalize))
            return "[" + vectors.map { "[" + $0.map { Self.number($0) }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        }
    }

    /// Tokenizes (here, on the task pool) and waits for the inference thread.
    func infer(_ request: PredictRequest, operation: InferenceOperation) async throws -> [[Float]] {
        guard request.inputs.count <= configuration.maxClientBatchSize else {
            throw ServeError.batchTooLarge(count: request.inputs.count, limit: configuration.maxClientBatchSize)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var encoded: [EncodedInput] = []
        encoded.reserveCapacity(request.inputs.count)
        for (index, input) in request.inputs.enumerated() {
            encoded.append(try model.encode(input, truncate: request.truncate, direction: request.truncationDirection,
                                            maxLength: maxInputLength, index: index))
        }
        metrics.observeTokenization(seconds: Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9, inputs: encoded.count)
        return try await scheduler.submit(encoded, operation: operation)
    }

    /// Runs `handler` on the collected body within the concurrency limit; maps errors to answers.
    func answer(endpoint: String, _ request: Request, _ handler: (ByteBuffer) async throws -> String) async -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response: Response
        if !metrics.tryEnter(limit: configuration.maxConcurrentRequests) {
            response = errorResponse(.overloaded(limit: configuration.maxConcurrentRequests))
        } else {
            do {
                if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
                    throw ServeError.bodyTooLarge(limit: configuration.maxBodyBytes)
                }
                let body = try await request.body.collect(upTo: configuration.maxBodyBytes)
                let json = try await handler(body)
                response = Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
            } catch let error as ServeError {
                response = errorResponse(error)
            } catch is NIOTooManyBytesError {
                response = errorResponse(.bodyTooLarge(limit: configuration.maxBodyBytes))
            } catch {
                response = errorResponse(.inferenceFailed("\(error)"))
            }
            metrics.leave()
        }
        metrics.recordRequest(endpoint: endpoint, status: Int(response.status.code),
                              seconds: Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9)
        return response
    }

    func errorResponse(_ error: ServeError) -> Response {
        let json = "{\"error\":\(Self.jsonString(error.description)),\"error_type\":\(Self.jsonString(error.errorType))}"
        var headers: HTTPFields = [.contentType: "application/json"]
        if case .overloaded = error { headers[.retryAfter] = "1" }
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// `[{"label": …, "score": …}, …]` sorted by score, highest first.
    func answerJSON(raw: [Float], rawScores: Bool) -> String {
        let scores = rawScores ? raw : ServingModel.probabilities(raw)
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        return "[" + order.map { "{\"label\":\(labelLiterals[$0]),\"score\":\(Self.number(scores[$0]))}" }.joined(separator: ",") + "]"
    }

    func info() -> Response {
        var id2label: [String: String] = [:], label2id: [String: Int] = [:]
        for (index, label) in model.labels.enumerated() {
            id2label[String(index)] = label
            label2id[label] = index
        }
        let object: [String: Any] = [
            "model_id": model.modelId,
            "model_dtype": "float32",
            "model_type": ["classifier": ["id2label": id2label, "label2id": label2id]],
            "sift_model_kind": model.kind.rawValue,
            "labels": model.labels,
            "embeddings": model.canEmbed,
            "max_concurrent_requests": configuration.maxConcurrentRequests,
            "max_input_length": maxInputLength,
            "max_batch_tokens": configuration.batching.maxBatchTokens,
            "max_batch_requests": configuration.batching.maxBatchRequests,
            "max_client_batch_size": configuration.maxClientBatchSize,
            "max_body_bytes": configuration.maxBodyBytes,
            "tokenization_workers": ProcessInfo.processInfo.activeProcessorCount,
            "version": siftServeVersion,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func health() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}")))
    }

    // MARK: JSON text

    /// A JSON number (`null` for a non-finite value, which JSON cannot hold).
    static func number(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    /// A JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A server started with `SiftServer.start()`.
public final class RunningServer: Sendable {
    /// The bound port.
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, Error>
    let scheduler: InferenceScheduler

    init(port: Int, group: ServiceGroup, task: Task<Void, Error>, scheduler: InferenceScheduler) {
        self.port = port
        self.group = group
        self.task = task
        self.scheduler = scheduler
    }

    /// Stops accepting connections, finishes in-flight requests, then stops the inference thread.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        let outcome = await task.result
        scheduler.stop()
        try outcome.get()
    }
}

/// The port reported by the server once it listens.
final class PortBox: Sendable {
    private let value = NIOLockedValueBox<Int?>(nil)
    var port: Int? { value.withLockedValue { $0 } }
    func set(_ port: Int) { value.withLockedValue { $0 = port } }
}
