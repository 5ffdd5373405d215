// `sift bench models`: forward and forward+backward tokens/s of full models with random weights,
// and the cold start (load + first prediction) of the real MiniLM-L6.
import ArgumentParser
import Foundation
import SiftModels
import SiftTensor
import SiftTrain

struct BenchModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Forward and forward+backward tokens/s for BERT-base (32×128) and Qwen3-0.6B (8×128) shapes, and MiniLM-L6 cold start.")

    @Option(help: "Timed repetitions per measurement (the best is reported).")
    var repeats: Int = 3
    @Option(help: "Which models: bert-base, qwen3-0.6b, minilm (comma-separated).")
    var models: String = "bert-base,qwen3-0.6b,minilm"
    @Option(help: "MiniLM-L6 directory for the cold-start measurement (default: the get-models cache).")
    var minilm: String?
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var model: String
        var batch: Int
        var sequence: Int
        var forwardTokensPerSecond: Double?
        var trainingTokensPerSecond: Double?
        var coldStartSeconds: Double?
    }

    func best(_ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let start = Date()
            try body()
            times.append(Date().timeIntervalSince(start))
        }
        return times.min() ?? 0
    }

    func measure(_ name: String, model: SequenceClassifier, batch: Int, sequence: Int, vocab: Int) throws -> Row {
        let tokens = try randomTokenBatch(batch: batch, sequence: sequence, vocab: vocab, seed: 7)
        let labels = (0..<batch).map { $0 % model.classCount }
        let forward = try best {
            _ = try withNoGrad {
                var context = ForwardContext.inference
                return try model.classify(tokens, context: &context)
            }
        }
        model.setRequiresGrad(true)
        let training = try best {
            var context = ForwardContext(training: true, seed: 1)
            let loss = try Tensor.crossEntropy(logits: model.classify(tokens, context: &context), targets: labels)
            try loss.backward()
            for (_, p) in model.namedParameters() { p.grad = nil }
        }
        let count = Double(batch * sequence)
        return Row(model: name, batch: batch, sequence: sequence, forwardTokensPerSecond: count / forward,
                   trainingTokensPerSecond: count / training)
    }

    func run() throws {
        let wanted = Set(models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        var rows: [Row] = []
        if wanted.contains("bert-base") {
            rows.append(try measure("BERT-base (random)", model: BertForSequenceClassification.random(config: .bertBase, labels: 4),
                                    batch: 32, sequence: 128, vocab: 30522))
        }
        if wanted.contains("qwen3-0.6b") {
            rows.append(try measure("Qwen3-0.6B linear head (random)", model: DecoderForSequenceClassification.random(config: .qwen3_0_6B, labels: 4),
                                    batch: 8, sequence: 128, vocab: 151643))
        }
        if wanted.contains("minilm") {
            let path = minilm ?? defaultMiniLMDirectory
            if FileManager.default.fileExists(atPath: path) {
                let start = Date()
                let bundle = try ModelLoader.load(URL(fileURLWithPath: path), task: .classification(labels: ["a", "b", "c", "d"]))
                let ids = try bundle.tokenizer.encodeExample(text: "Stocks rallied on Wall Street after strong earnings.", pair: nil,
                                                             options: TextEncodingOptions()).ids
                _ = try Evaluator.logits(bundle.model.classifier!, examples: [.init(ids: ids, label: 0)], batchSize: 1, padId: 0)
                rows.append(Row(model: "MiniLM-L6 cold start (load + 1 prediction)", batch: 1, sequence: ids.count,
                                coldStartSeconds: Date().timeIntervalSince(start)))
            } else {
                note("SKIP MiniLM cold start: \(path) not found (run ../shared/scripts/get-models)")
            }
        }
        if json {
            try printJSON(rows, pretty: true)
            return
        }
        print("threads \(Parallel.threadCount), best of \(repeats)")
        print("model                                       batch×seq   forward tok/s   fwd+bwd tok/s   cold start")
        for row in rows {
            let f = row.forwardTokensPerSecond.map { String(format: "%13.0f", $0) } ?? String(repeating: " ", count: 13)
            let t = row.trainingTokensPerSecond.map { String(format: "%13.0f", $0) } ?? String(repeating: " ", count: 13)
            let c = row.coldStartSeconds.map { String(format: "%8.2f s", $0) } ?? ""
            print(row.model.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%4d×%-5d", row.batch, row.sequence) + "   \(f)   \(t)   \(c)")
        }
    }
}
