// `sift bench inference`: what each inference optimisation gives, measured in one process with the
// variants interleaved (iteration i runs every variant once), so the machine's drift hits them alike.
// Variants, each adding one optimisation: plain (weights read as stored, Sift's loops on Dispatch
// threads), packed (each weight kept in oneDNN's blocked layout), fused Q/K/V (one GEMM for the three
// projections, attention reading its output in place), add & norm (residual add inside LayerNorm),
// one thread pool (Sift's loops on oneDNN's OpenMP team).
import ArgumentParser
import Foundation
import SiftModels
import SiftTensor
import SiftTrain

struct BenchInferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inference",
        abstract: "Encoder forward latency with each inference optimisation added in turn (packed weights, fused Q/K/V, add & norm, one thread pool), interleaved in one run.",
        discussion: """
            For each model and batch size every variant runs once per iteration, in turn; each variant adds \
            one optimisation to the row above, and the table shows its median and its ratio to the plain \
            forward (> 1: faster). BERT-base has random \
            weights; MiniLM-L6 is the real model from ../shared/scripts/get-models (skipped with a reason \
            when missing).
            """)

    @Option(help: "Timed iterations per variant (the median is reported).")
    var iterations: Int = 15
    @Option(help: "Models (comma-separated): bert-base, minilm.")
    var models: String = "bert-base,minilm"
    @Option(help: "Batch sizes (comma-separated), each with sequences of --sequence tokens.")
    var batches: String = "1,32"
    @Option(help: "Tokens per sequence.")
    var sequence: Int = 128
    @Option(help: "MiniLM-L6 directory (default: the get-models cache).")
    var minilm: String?
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var model: String
        var batch: Int
        var sequence: Int
        var variant: String
        var medianMilliseconds: Double
        var speedupOverPlain: Double
    }

    /// A forward configuration: whether weight copies are kept (packing) and whether projections fuse.
    struct Variant {
        let name: String
        let keepsCopies: Bool
        let fuses: Bool
        var addsInNorm = false
        var openMP = false
    }

    /// Each variant adds one optimisation to the one before.
    static let variants = [
        Variant(name: "plain", keepsCopies: false, fuses: false),
        Variant(name: "+ packed", keepsCopies: true, fuses: false),
        Variant(name: "+ fused Q/K/V", keepsCopies: true, fuses: true),
        Variant(name: "+ add & norm", keepsCopies: true, fuses: true, addsInNorm: true),
        Variant(name: "+ one thread pool", keepsCopies: true, fuses: true, addsInNorm: true, openMP: true),
    ]

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        guard sequence >= 1 else { throw ValidationError("--sequence must be at least 1, got \(sequence)") }
        guard batchSizes() != nil else {
            throw ValidationError("--batches must be positive integers separated by commas, got '\(batches)'")
        }
        let known: Set<String> = ["bert-base", "minilm"]
        for name in modelNames() where !known.contains(name) {
            throw ValidationError("unknown model '\(name)' in --models; use bert-base and/or minilm")
        }
    }

    /// The positive batch sizes of `--batches`, or nil when any entry is not one.
    func batchSizes() -> [Int]? {
        let values = batches.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return values.compactMap { $0 }
    }

    func modelNames() -> [String] {
        models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    func run() throws {
        var rows: [Row] = []
        for name in modelNames() {
            let model: SequenceClassifier
            let vocab = 30522
            switch name {
            case "minilm":
                let path = minilm ?? defaultMiniLMDirectory
                guard FileManager.default.fileExists(atPath: path) else {
                    note("SKIP MiniLM-L6: \(path) not found (run ../shared/scripts/get-models)")
                    continue
                }
                guard let classifier = try ModelLoader.load(URL(fileURLWithPath: path), task: .classification(labels: ["a", "b", "c", "d"]))
                    .model.classifier else { continue }
                model = classifier
            default:
                model = try BertForSequenceClassification.random(config: .bertBase, labels: 4)
            }
            let label = name == "minilm" ? "MiniLM-L6" : "BERT-base (random)"
            for batch in batchSizes() ?? [] {
                note("measuring: \(label) \(batch)×\(sequence), \(iterations) interleaved iterations")
                rows += try measure(label, model: model, batch: batch, vocab: vocab)
            }
        }
        if json {
            try printJSON(rows, pretty: true)
            return
        }
        print("threads \(Parallel.threadCount), median of \(iterations) interleaved iterations")
        print("model                batch×seq  variant                   median ms   × plain")
        for row in rows {
            print(row.model.padding(toLength: 21, withPad: " ", startingAt: 0)
                  + String(format: "%4d×%-5d  ", row.batch, row.sequence)
                  + row.variant.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: "%10.2f   %6.3f", row.medianMilliseconds, row.speedupOverPlain))
        }
    }

    func measure(_ label: String, model: SequenceClassifier, batch: Int, vocab: Int) throws -> [Row] {
        let tokens = try randomTokenBatch(batch: batch, sequence: sequence, vocab: vocab, seed: 13)
        func forward(_ variant: Variant) throws -> Double {
            try WeightCopyCache.withEnabled(variant.keepsCopies) {
                try ProjectionFusion.$isEnabled.withValue(variant.fuses) {
                    try AddNormFusion.$isEnabled.withValue(variant.addsInNorm) {
                        try Parallel.$usesOpenMP.withValue(variant.openMP) {
                            let start = DispatchTime.now().uptimeNanoseconds
                            _ = try withNoGrad {
                                var context = ForwardContext.inference
                                return try model.classify(tokens, context: &context)
                            }
                            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                        }
                    }
                }
            }
        }
        for variant in Self.variants { _ = try forward(variant) }  // warm-up: builds the kept copies
        var times = Array(repeating: [Double](), count: Self.variants.count)
        for _ in 0..<iterations {
            for (index, variant) in Self.variants.enumerated() { times[index].append(try forward(variant)) }
        }
        let plain = median(times[0])
        return Self.variants.enumerated().map { index, variant in
            let value = median(times[index])
            return Row(model: label, batch: batch, sequence: sequence, variant: variant.name, medianMilliseconds: value,
                       speedupOverPlain: plain / value)
        }
    }
}
