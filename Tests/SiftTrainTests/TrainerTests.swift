// End-to-end training on real data with tiny and real models: the loss falls, checkpoints reload to
// identical logits (also from GGUF), and a run killed with SIGKILL resumes to identical parameters.
import Foundation
import SiftCheckpoints
import SiftData
import SiftModels
import SiftTensor
import SiftTestSupport
@testable import SiftTrain
import Testing

@Suite("Classifier training", .serialized)
struct TrainerTests {
    /// The first `perClass` AG News train rows of each class.
    func agNews(perClass: Int, split: String = "train") throws -> TextDataset {
        try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/\(split).csv")).limitedPerClass(perClass)
    }

    func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sift-\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Logits of a classifier on some examples.
    func logits(_ model: SequenceClassifier, _ examples: [TokenizedExample], padId: Int) throws -> [Float] {
        try Evaluator.logits(model, examples: examples, batchSize: 8, padId: padId)
    }

    @Test("tiny-bert learns AG News: the loss falls, the best checkpoint reloads to identical logits")
    func tinyBertTrains() throws {
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-bert"), task: .classification(labels: ["World", "Sports", "Business", "Sci/Tech"]))
        let options = TextEncodingOptions(maxLength: 64)
        let train = try bundle.tokenizer.encodeDataset(agNews(perClass: 40), options: options)
        let validation = try bundle.tokenizer.encodeDataset(agNews(perClass: 10, split: "test"), options: options)
        var o = TrainingOptions()
        o.learningRate = 5e-3
        o.epochs = 6
        o.batchSize = 16
        o.warmupRatio = 0.1
        o.evaluation = .steps(20)
        o.loggingSteps = 5
        o.saveTotalLimit = 2
        let output = temporaryDirectory("tinybert")
        defer { try? FileManager.default.removeItem(at: output) }
        let trainer = try ClassifierTrainer(bundle: bundle, options: o, output: output, train: train, validation: validation,
                                            labelNames: bundle.labelNames, padId: 0)
        let summary = try trainer.run()
        let losses = summary.log.compactMap(\.loss)
        #expect(losses.count >= 4)
        #expect(losses.last! < losses.first! - 0.1, "training loss should fall: \(losses)")
        for file in ["log.jsonl", "loss.svg", "eval.svg", "train_report.json", "model/config.json", "model/model.safetensors", "model/vocab.txt"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file) written")
        }
        #expect(CheckpointStore.steps(in: output).count <= 2, "save_total_limit keeps at most 2 checkpoints")
        // The exported model is the best checkpoint: reload it and compare with that checkpoint's weights.
        let best = try #require(summary.bestStep)
        let reloaded = try ModelLoader.load(output.appendingPathComponent("model"), task: .classification(labels: nil))
        #expect(reloaded.labelNames == ["World", "Sports", "Business", "Sci/Tech"])
        let fromCheckpoint = try ModelLoader.load(CheckpointStore.directory(step: best, in: output), task: .classification(labels: nil))
        let a = try logits(try #require(reloaded.model.classifier), validation, padId: 0)
        let b = try logits(try #require(fromCheckpoint.model.classifier), validation, padId: 0)
        #expect(a == b)
        // The final (last-step) checkpoint equals the in-memory model exactly.
        let last = try ModelLoader.load(CheckpointStore.directory(step: summary.totalSteps, in: output), task: .classification(labels: nil))
        #expect(try logits(try #require(last.model.classifier), validation, padId: 0) == logits(trainer.model, validation, padId: 0))
    }

    @Test("a decoder linear head (tiny-qwen3-cls) trains; the saved checkpoint reloads to identical logits")
    func decoderHeadTrains() throws {
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-qwen3-cls"), task: .classification(labels: nil))
        let options = TextEncodingOptions(maxLength: 64)
        let train = try bundle.tokenizer.encodeDataset(agNews(perClass: 24), options: options)
        var o = TrainingOptions()
        o.learningRate = 2e-3
        o.epochs = 2
        o.batchSize = 8
        o.loggingSteps = 4
        let output = temporaryDirectory("qwen3cls")
        defer { try? FileManager.default.removeItem(at: output) }
        let pad = try #require(bundle.tokenizer.padTokenId)
        let trainer = try ClassifierTrainer(bundle: bundle, options: o, output: output, train: train, validation: nil,
                                            labelNames: bundle.labelNames, padId: pad)
        let summary = try trainer.run()
        let losses = summary.log.compactMap(\.loss)
        #expect(losses.last! < losses.first!, "training loss should fall: \(losses)")
        let reloaded = try ModelLoader.load(output.appendingPathComponent("model"), task: .classification(labels: nil))
        let sample = Array(train.prefix(12))
        #expect(try logits(try #require(reloaded.model.classifier), sample, padId: pad) == logits(trainer.model, sample, padId: pad))
    }

    @Test("SmolLM2 (GGUF) linear head trains; the checkpoint (with a generated tokenizer.json) reloads to identical logits")
    func smolLM2HeadTrains() throws {
        guard let gguf = Fixtures.smolLM2GGUF else { return }
        let labels = ["World", "Sports", "Business", "Sci/Tech"]
        let bundle = try ModelLoader.load(gguf, task: .classification(labels: labels), seed: 1)
        #expect(bundle.newlyInitialized == ["score.weight"])
        let options = TextEncodingOptions(maxLength: 48)
        let train = try bundle.tokenizer.encodeDataset(agNews(perClass: 8), options: options)
        var o = TrainingOptions()
        o.learningRate = 5e-3
        o.epochs = 2
        o.batchSize = 8
        o.loggingSteps = 2
        o.freezeBase = true
        let output = temporaryDirectory("smollm2")
        defer { try? FileManager.default.removeItem(at: output) }
        let pad = bundle.padTokenId
        let trainer = try ClassifierTrainer(bundle: bundle, options: o, output: output, train: train, validation: nil,
                                            labelNames: labels, padId: pad)
        let summary = try trainer.run()
        let losses = summary.log.compactMap(\.loss)
        #expect(losses.last! < losses.first!, "training loss should fall: \(losses)")
        let reloaded = try ModelLoader.load(output.appendingPathComponent("model"), task: .classification(labels: nil))
        #expect(reloaded.labelNames == labels)
        // The generated tokenizer.json tokenizes like the GGUF tokenizer.
        for text in ["Hello world!", "Stocks fell 3.5% on Tuesday, #39;s worst day", "<|im_start|>user\nhi<|im_end|>"] {
            #expect(reloaded.tokenizer.encode(text, addSpecialTokens: false).ids == bundle.tokenizer.encode(text, addSpecialTokens: false).ids)
        }
        let sample = Array(train.prefix(8))
        #expect(try logits(try #require(reloaded.model.classifier), sample, padId: pad) == logits(trainer.model, sample, padId: pad))
    }

    @Test("kill -9 during `sift train`, then --resume, ends with the same parameters as an uninterrupted run")
    func killAndResume() throws {
        let binary = Fixtures.repositoryRoot.appendingPathComponent(".build/release/sift")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("SKIP: \(binary.path) not built (run the tests with -c release)")
            return
        }
        let data = temporaryDirectory("data")
        defer { try? FileManager.default.removeItem(at: data) }
        let csv = data.appendingPathComponent("train.csv")
        let rows = try agNews(perClass: 24)
        var text = "text,label\n"
        for example in rows.examples {
            text += "\"\(example.text.replacingOccurrences(of: "\"", with: "\"\""))\",\(rows.labels.names[example.label])\n"
        }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        func arguments(_ output: URL) -> [String] {
            ["train", "--model", Fixtures.fixture("models/tiny-bert").path, "--train", csv.path, "--output", output.path,
             "--epochs", "2", "--batch-size", "8", "--learning-rate", "1e-3", "--save-steps", "2", "--max-length", "48",
             "--warmup-ratio", "0.1", "--quiet"]
        }
        func run(_ args: [String], killAfterCheckpoint output: URL? = nil) throws -> Int32 {
            let process = Process()
            process.executableURL = binary
            process.arguments = args
            process.environment = ProcessInfo.processInfo.environment.merging(["SIFT_NUM_THREADS": "2"]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if let output {
                let deadline = Date().addingTimeInterval(300)
                while process.isRunning && Date() < deadline {
                    if CheckpointStore.steps(in: output).contains(where: { $0 >= 6 }) {
                        kill(process.processIdentifier, SIGKILL)
                        break
                    }
                    usleep(20_000)
                }
            }
            process.waitUntilExit()
            return process.terminationStatus
        }
        let straight = temporaryDirectory("straight"), killed = temporaryDirectory("killed")
        defer {
            try? FileManager.default.removeItem(at: straight)
            try? FileManager.default.removeItem(at: killed)
        }
        #expect(try run(arguments(straight)) == 0)
        _ = try run(arguments(killed), killAfterCheckpoint: killed)
        let before = CheckpointStore.steps(in: killed)
        #expect(!before.isEmpty && before.last! < 12, "the run was killed before finishing (checkpoints: \(before))")
        #expect(try run(arguments(killed) + ["--resume"]) == 0)
        let a = try SafetensorsFile(url: straight.appendingPathComponent("checkpoint-12/model.safetensors"))
        let b = try SafetensorsFile(url: killed.appendingPathComponent("checkpoint-12/model.safetensors"))
        #expect(a.tensorNames == b.tensorNames)
        for name in a.tensorNames {
            #expect(try a.tensor(name).scalars == b.tensor(name).scalars, "\(name) differs after resume")
        }
        let logA = try String(contentsOf: straight.appendingPathComponent("log.jsonl"), encoding: .utf8)
        let logB = try String(contentsOf: killed.appendingPathComponent("log.jsonl"), encoding: .utf8)
        func losses(_ log: String) -> [String] { log.split(separator: "\n").map { String($0.split(separator: ",").first { $0.contains("\"loss\"") } ?? "") } }
        #expect(losses(logA).suffix(2) == losses(logB).suffix(2))
    }

    @Test("learning-rate schedules follow transformers (linear warm-up then decay; step 1 uses rate 0)")
    func schedules() {
        let linear = LearningRateSchedule(kind: .linear, baseRate: 5e-5, warmupSteps: 25, totalSteps: 250)
        #expect(linear.rate(forStep: 1) == 0)
        #expect(abs(linear.rate(forStep: 26) - 5e-5) < 1e-12)
        #expect(abs(linear.rate(forStep: 250) - Float(5e-5 * 1.0 / 225.0)) < 1e-12)
        #expect(LearningRateSchedule.warmupSteps(ratio: 0.1, totalSteps: 250) == 25)
        let cosine = LearningRateSchedule(kind: .cosine, baseRate: 1, warmupSteps: 0, totalSteps: 100)
        #expect(abs(cosine.rate(forStep: 51) - 0.5) < 1e-6)
        let constant = LearningRateSchedule(kind: .constant, baseRate: 2, warmupSteps: 4, totalSteps: 100)
        #expect(constant.rate(forStep: 3) == 1 && constant.rate(forStep: 90) == 2)
        #expect(usesWeightDecay(parameterName: "bert.encoder.layer.0.attention.self.query.weight"))
        #expect(!usesWeightDecay(parameterName: "bert.encoder.layer.0.attention.output.LayerNorm.weight"))
        #expect(!usesWeightDecay(parameterName: "classifier.bias"))
        #expect(!usesWeightDecay(parameterName: "model.layers.0.self_attn.q_norm.weight"))
    }
}
