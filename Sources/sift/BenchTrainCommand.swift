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
    @Option(help: """
        f32 GEMM routing to time (comma-separated): default (the process's backend: oneDNN where installed, wide \
        row-major B repacked), onednn-plain (oneDNN without the repacking), blas (every product on BLAS). Several are \
        interleaved step by step in one process, so their ratio holds on a noisy machine.
        """)
    var gemm: String = "default"
    @Option(help: """
        Threads for Sift's own loops (comma-separated): openmp (oneDNN's OpenMP team, the default), dispatch \
        (Dispatch's worker threads beside OpenMP's). Several are interleaved step by step like --gemm.
        """)
    var pools: String = "openmp"
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

    var miniLMDirectory: String { defaultMiniLMDirectory }

    /// One measured configuration of Sift's step: a precision and a GEMM routing.
    struct Variant {
        let precision: MatmulPrecision
        let gemm: String
        var pool = "openmp"

        var label: String {
            "sift \(precision)" + (gemm == "default" ? "" : " gemm=\(gemm)") + (pool == "openmp" ? "" : " pool=\(pool)")
        }

        func run<T>(_ body: () throws -> T) throws -> T {
            try Parallel.$usesOpenMP.withValue(pool == "openmp") { try runWithRouting(body) }
        }

        private func runWithRouting<T>(_ body: () throws -> T) throws -> T {
            try withMatmulPrecision(precision) {
                switch gemm {
                case "onednn-plain": return try OneDNN.$repacksRowMajorB.withValue(false, operation: body)
                case "blas": return try GEMMBackend.withF32Backend(.blas, body)
                default: return try body()
                }
            }
        }
    }

    /// Sequences/s of each variant: one warm-up step each, then `steps` rounds in which every
    /// variant runs one step in turn (median per variant).
    func siftRates(_ model: SequenceClassifier, vocab: Int, variants: [Variant]) throws -> [Double] {
        let tokens = try randomTokenBatch(batch: batch, sequence: seq, vocab: vocab, seed: 11)
        let labels = (0..<batch).map { $0 % model.classCount }
        model.setRequiresGrad(true)
        let optimizer = AdamW(parameters: model.namedParameters(), config: AdamWConfig(learningRate: 2e-5, weightDecay: 0.01))
        var context = ForwardContext(training: true, seed: 3)
        var times = Array(repeating: [Double](), count: variants.count)
        for round in 0...max(1, steps) {
            for (index, variant) in variants.enumerated() {
                let start = Date()
                try variant.run {
                    optimizer.zeroGrad()
                    let loss = try Tensor.crossEntropy(logits: model.classify(tokens, context: &context), targets: labels)
                    try loss.backward()
                    optimizer.step(learningRate: 2e-5)
                }
                if round > 0 { times[index].append(Date().timeIntervalSince(start)) }
            }
        }
        return times.map { Double(batch) / median($0) }
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

    /// Every combination of the requested precisions, GEMM routings and thread pools (checked once,
    /// before any model loads).
    func variants() throws -> [Variant] {
        let wantedPrecisions = try precisions.split(separator: ",").map { text -> MatmulPrecision in
            guard let value = MatmulPrecision(rawValue: String(text)) else { throw CLIError("unknown precision \(text) (choose fp32, bf16)") }
            return value
        }
        let routings = try choices(gemm, option: "--gemm", allowed: ["default", "onednn-plain", "blas"])
        let threadPools = try choices(pools, option: "--pools", allowed: ["openmp", "dispatch"])
        return wantedPrecisions.flatMap { precision in
            routings.flatMap { routing in threadPools.map { Variant(precision: precision, gemm: routing, pool: $0) } }
        }
    }

    /// The comma-separated values of `option`, lower-cased; an unknown one is an error naming the choices.
    private func choices(_ list: String, option: String, allowed: [String]) throws -> [String] {
        try list.split(separator: ",").map { text -> String in
            let value = text.trimmingCharacters(in: .whitespaces).lowercased()
            guard allowed.contains(value) else {
                throw CLIError("unknown \(option) \(text) (choose \(allowed.joined(separator: ", ")))")
            }
            return value
        }
    }

    func run() throws {
        var rows: [Row] = []
        let variants = try variants()
        for name in models.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            let torchName: String
            let model: SequenceClassifier
            switch name {
            case "minilm":
                guard FileManager.default.fileExists(atPath: miniLMDirectory) else {
                    note("SKIP minilm: weights not found (run ../shared/scripts/get-models)")
                    continue
                }
                model = try ModelLoader.load(URL(fileURLWithPath: miniLMDirectory), task: .classification(labels: ["a", "b", "c", "d"]))
                    .model.classifier!
                torchName = "minilm-l6"
            case "bert-base":
                model = try BertForSequenceClassification.random(config: .bertBase, labels: 4)
                torchName = "bert-base"
            default:
                throw CLIError("unknown model \(name) (choose minilm, bert-base)")
            }
            let siftRates = try siftRates(model, vocab: 30522, variants: variants)
            for (variant, rate) in zip(variants, siftRates) {
                rows.append(Row(model: name, implementation: variant.label, sequencesPerSecond: rate))
            }
            let sift = siftRates.max() ?? 0
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
        print("model       implementation               sequences/s   sift ÷ this")
        for row in rows {
            print(row.model.padding(toLength: 12, withPad: " ", startingAt: 0) + row.implementation.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "%11.2f", row.sequencesPerSecond) + (row.ratioToSift.map { String(format: "   %9.2f×", $0) } ?? ""))
        }
    }
}
