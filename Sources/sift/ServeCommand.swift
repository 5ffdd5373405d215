// `sift serve`: a classifier behind the text-embeddings-inference (TEI) HTTP API, with dynamic batching.
import ArgumentParser
import Foundation
import SiftServe
import SiftTensor

extension ServingMethod: ExpressibleByArgument {}

/// Model and server flags shared by `sift serve` and `sift bench serve`.
struct ServingOptions: ParsableArguments {
    @Option(help: "classifier (a classifier checkpoint: encoder or decoder linear head) or choice (a decoder LM answering the multiple-choice prompt by option scoring).")
    var method: ServingMethod = .classifier
    @Option(help: "choice: the class names, comma-separated (the prompt's options), e.g. World,Sports,Business,Sci/Tech. classifier: replaces the checkpoint's labels; a checkpoint without such a head gets a random one (for timing only).")
    var labels: String?
    @Option(help: "choice: prompt template file (default: the study's prompt).")
    var promptTemplate: String?
    @Option(help: "Name reported by /info (default: the model path).")
    var modelId: String?
    @Option(help: "Padded tokens per batched forward (inputs × longest input).")
    var maxBatchTokens: Int = 16_384
    @Option(help: "Inputs per batched forward.")
    var maxBatchRequests: Int = 64
    @Flag(help: "Run every input alone (batch of 1), to compare with dynamic batching.")
    var noBatching = false
    @Option(help: "Requests in flight beyond which new ones are answered 429.")
    var maxConcurrentRequests: Int = 512
    @Option(help: "Tokens per input beyond which it is truncated (\"truncate\": true) or refused with 413 (default: the model's positions, at most 512).")
    var maxInputLength: Int?
    @Option(help: "Inputs per request beyond which the request is refused (422).")
    var maxClientBatchSize: Int = 32
    @Option(help: "Request bodies beyond this many bytes are refused (413).")
    var maxBodyBytes: Int = 2 << 20

    func configuration(host: String, port: Int, batching: Bool? = nil) -> ServerConfiguration {
        let batched = batching ?? !noBatching
        return ServerConfiguration(
            host: host, port: port,
            batching: BatchingLimits(maxBatchTokens: maxBatchTokens, maxBatchRequests: batched ? maxBatchRequests : 1),
            maxConcurrentRequests: maxConcurrentRequests, maxInputLength: maxInputLength,
            maxClientBatchSize: maxClientBatchSize, maxBodyBytes: maxBodyBytes)
    }

    var labelList: [String]? {
        labels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    func loadModel(_ path: String) throws -> ServingModel {
        let model = try ServingModel.load(path: path, method: method, labels: labelList, promptTemplate: promptTemplate, modelId: modelId)
        if !model.newlyInitialized.isEmpty {
            note("warning: \(path) has no trained head for these labels; \(model.newlyInitialized.joined(separator: ", ")) initialised at random (predictions are meaningless)")
        }
        return model
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a classifier over HTTP with the text-embeddings-inference API (POST /predict, /embed; GET /info, /health, /metrics, and a page at /).",
        discussion: """
            POST /predict {"inputs": "text" | ["text", "pair"] | [["a"], ["b"], …], "truncate": bool, "truncation_direction": "right"|"left", "raw_scores": bool}
            answers [{"label", "score"}, …] sorted by score (a list of those for a batch). Errors are {"error", "error_type"}:
            422 malformed JSON or wrong types, 400 empty batch, 413 too long (without truncate) or body too large, 429 overloaded.
            Requests are tokenized as they arrive and batched for one inference thread (--max-batch-tokens, --max-batch-requests).
            SIGTERM or SIGINT finishes the requests in flight, then exits.
            """)

    @Option(help: "Model: a classifier checkpoint directory, or (--method choice) a decoder directory or .gguf file; or a Hugging Face Hub id.")
    var model: String
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @OptionGroup var serving: ServingOptions
    @Option(help: "Address to listen on (0.0.0.0 for every interface).")
    var hostname: String = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 8080
    @OptionGroup(title: "Precision") var precisionOptions: InferencePrecisionOptions

    func run() async throws {
        // Weights never change while serving: each is kept in the GEMM's preferred layout (fp32) or in bf16.
        precisionOptions.apply()
        let served = try serving.loadModel(try hub.modelURL(model).path)
        let server = try SiftServer(model: served, configuration: serving.configuration(host: hostname, port: port))
        let host = hostname
        note("sift serve: \(served.kind.rawValue) · labels \(served.labels.joined(separator: ", "))")
        try await server.run { port in
            note("listening on http://\(host):\(port) (SIGTERM or Ctrl-C drains in-flight requests, then exits)")
        }
        note("sift serve: stopped")
    }
}
