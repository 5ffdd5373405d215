// `sift compare`: a whole comparison study (methods × models on one dataset) as one command, with
// results.json, report.md and a self-contained report.html.
import ArgumentParser
import Foundation
import SiftData
import SiftStudies
import SiftTrain

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare classification methods and models on one dataset; write results.json, report.md and report.html.",
        discussion: """
            Methods: classifier (an encoder fine-tuned with a classification head, --encoder), head (a decoder's linear \
            head, --decoder), sft (prompt SFT of --decoder, predicting by option perplexity), zeroshot (option perplexity, \
            no training) and think (generate with thinking, read the answer after </think>).
            Each trained run evaluates on the first --eval-per-class test examples per class during training, keeps the \
            best checkpoint, and is then scored on the test subset. Runs live in OUTPUT/runs/<id>/; --resume reuses \
            finished runs and continues an interrupted one from its newest checkpoint.
            A study file (JSON) gives full control: {"name", "data": {"train", "test", "preset"?, "text_column"?, \
            "label_column"?}, "train_per_class"?, "test_per_class"?, "eval_per_class"?, "seed"?, "runs": [{"id", "method", \
            "model", "epochs"?, "max_steps"?, "learning_rate"?, "batch_size"?, "gradient_accumulation"?, "weight_decay"?, \
            "warmup_ratio"?, "schedule"?, "eval_every"?, "freeze_base"?, "max_length"?, "cutoff_length"?, \
            "max_new_tokens"?, "prompt_batch_size"?, "eval_batch_size"?, "lora"?: {"rank", "alpha", "dropout", "targets"}}]}. \
            Flags given on the command line override the file.
            Example: sift compare --data ../shared/data/agnews --encoder MINILM_DIR --decoder SmolLM2.gguf \
            --methods classifier,head,sft,zeroshot,think --train-per-class 500 --test-per-class 250 --output runs/compare
            """)

    @Option(help: "A study file (JSON) describing the data and the runs.")
    var study: String?

    @Option(help: "A dataset folder holding train.* and test.* (CSV, TSV, JSON Lines, JSON or Parquet).")
    var data: String?

    @Option(help: "Training data file (overrides --data).")
    var train: String?

    @Option(help: "Test data file (overrides --data).")
    var test: String?

    @Option(help: "Column layout: standard or agnews (default: agnews when classes.txt sits beside a .csv, else standard).")
    var preset: String?

    @Option(help: "Text column for the standard layout.")
    var textColumn: String?

    @Option(help: "Label column for the standard layout.")
    var labelColumn: String?

    @Option(help: "Training examples per class (the first in file order).")
    var trainPerClass: Int?

    @Option(help: "Test examples per class.")
    var testPerClass: Int?

    @Option(help: "Test examples per class for the evaluation curves during training (default: all of the test subset).")
    var evalPerClass: Int?

    @Option(help: "Comma-separated methods: classifier, head, sft, zeroshot, think.")
    var methods: String?

    @Option(help: "Encoder model (classifier runs): a Hugging Face directory.")
    var encoder: String?

    @Option(help: "Decoder model (head, sft, zeroshot, think runs): a Hugging Face directory or a .gguf file.")
    var decoder: String?

    @Option(help: "Output folder.")
    var output: String

    @Flag(help: "Reuse finished runs in --output and continue an interrupted one.")
    var resume = false

    @Option(help: "Seed (data order, head initialisation, dropout).")
    var seed: UInt64?

    @Option(help: "Epochs for every trained run (default per method: classifier 3, head 1, sft 1).")
    var epochs: Double?

    @Option(help: "Stop every trained run after this many optimizer steps.")
    var maxSteps: Int?

    @Option(help: "Evaluations during training: every N steps (≥ 1) or every fraction of an epoch (0 < f < 1).")
    var evalEvery: Double?

    @Option(help: "Thinking budget of think runs (tokens).")
    var maxNewTokens: Int?

    @Option(help: "Tokens per text for classifier and head runs.")
    var maxLength: Int?

    @Option(help: "Prompt length limit for prompt methods (the article is shortened).")
    var cutoffLength: Int?

    @Option(help: "LoRA rank for sft runs (alpha = 2 × rank, dropout 0.05, all seven projections, learning rate 1e-3 with 10 % warmup unless the study file sets them); without it SFT is a full fine-tune.")
    var sftLoraRank: Int?

    @Option(help: "Seconds of load per served run when measuring requests/s (sift serve in-process on loopback, 8 concurrent clients, batching on); 0 skips the measurement.")
    var rpsSeconds: Double = 5

    @Flag(help: "Only re-render report.md and report.html from OUTPUT/results.json.")
    var reportOnly = false

    @Flag(help: "No progress bars.")
    var quiet = false

    @OptionGroup(title: "Precision") var precisionOptions: PrecisionOptions

    func run() async throws {
        precisionOptions.apply()
        let outputURL = URL(fileURLWithPath: output)
        if reportOnly {
            let results = try StudyResults.read(outputURL.appendingPathComponent("results.json"))
            try StudyReport(results: results).write(to: outputURL)
            print("Report: \(outputURL.appendingPathComponent("report.html").path)")
            return
        }
        let spec = try makeSpec()
        let runner = StudyRunner(spec: spec, output: outputURL, resume: resume, probe: rpsSeconds > 0 ? LoopbackServingProbe(seconds: rpsSeconds) : nil)
        let progress = StudyProgressPrinter(quiet: quiet)
        runner.onEvent = progress.handle
        let results = try await runner.run()
        print(StudyReport(results: results).markdownTable())
        for sentence in RankingSentences.make(results.runs) { print("• " + sentence) }
        print("Report: \(outputURL.appendingPathComponent("report.html").path)")
    }

    /// The study from the file and the flags (flags win).
    func makeSpec() throws -> StudySpec {
        var spec: StudySpec
        if let study {
            spec = try StudyFileReader.read(URL(fileURLWithPath: study))
        } else {
            let (trainFile, testFile) = try dataFiles()
            spec = StudySpec(data: StudyDataSpec(train: trainFile, test: testFile, preset: preset), runs: [])
        }
        if study != nil, train != nil || test != nil || data != nil {
            let (trainFile, testFile) = try dataFiles()
            spec.data.train = trainFile
            spec.data.test = testFile
        }
        if let preset { spec.data.preset = preset }
        if let textColumn { spec.data.textColumn = textColumn }
        if let labelColumn { spec.data.labelColumn = labelColumn }
        if let trainPerClass { spec.trainPerClass = trainPerClass }
        if let testPerClass { spec.testPerClass = testPerClass }
        if let evalPerClass { spec.evalPerClass = evalPerClass }
        if let seed { spec.seed = seed }
        if let methods {
            spec.runs = try methods.split(separator: ",").map { name -> RunSpec in
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let method = StudyMethod(rawValue: trimmed) else {
                    throw ValidationError("unknown method \(trimmed) in --methods (one of \(StudyMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let model = method.needsDecoder ? decoder : encoder
                guard let model else {
                    throw ValidationError("--methods \(trimmed) needs \(method.needsDecoder ? "--decoder" : "--encoder")")
                }
                return RunSpec(id: trimmed, method: method, model: model)
            }
        }
        for index in spec.runs.indices {
            if let epochs { spec.runs[index].epochs = epochs }
            if let maxSteps { spec.runs[index].maxSteps = maxSteps }
            if let evalEvery { spec.runs[index].evalEvery = evalEvery }
            if let maxNewTokens { spec.runs[index].maxNewTokens = maxNewTokens }
            if let maxLength { spec.runs[index].maxLength = maxLength }
            if let cutoffLength { spec.runs[index].cutoffLength = cutoffLength }
            if let sftLoraRank, spec.runs[index].method == .sft {
                spec.runs[index].lora = LoRASpec(rank: sftLoraRank, alpha: Double(2 * sftLoraRank), dropout: 0.05,
                                                 targets: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
                // Adapters learn from zero: they need a larger rate than a full fine-tune (1e-3 with
                // 10 % warmup is the recipe measured on SmolLM2-135M; a study file can set others).
                let defaults = RunSpec(id: "", method: .sft, model: "")
                if spec.runs[index].learningRate == defaults.learningRate { spec.runs[index].learningRate = 1e-3 }
                if spec.runs[index].warmupRatio == defaults.warmupRatio { spec.runs[index].warmupRatio = 0.1 }
            }
        }
        try spec.validate()
        return spec
    }

    /// The training and test files from --train/--test or --data.
    func dataFiles() throws -> (String, String) {
        if let train, let test { return (train, test) }
        guard let data else { throw ValidationError("give --data DIR (with train.* and test.*), or --train and --test, or --study FILE") }
        let trainFile = try train ?? findSplit("train", in: data)
        let testFile = try test ?? findSplit("test", in: data)
        return (trainFile, testFile)
    }
}

/// `DIR/<split>.{csv,tsv,jsonl,json,parquet}`.
func findSplit(_ split: String, in folder: String) throws -> String {
    for ext in ["csv", "tsv", "jsonl", "json", "parquet"] {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("\(split).\(ext)").path
        if FileManager.default.fileExists(atPath: path) { return path }
    }
    throw CLIError("no \(split).csv, .tsv, .jsonl, .json or .parquet in \(folder)")
}

extension StudyReport {
    /// The comparison table as aligned text for the terminal.
    func markdownTable() -> String {
        let rows = [tableHeader] + tableRows
        let widths = tableHeader.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            let line = row.enumerated().map { column, cell in
                column < 3 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
            return index == 0 ? line + "\n" + String(repeating: "-", count: line.count) : line
        }.joined(separator: "\n")
    }
}

/// Prints study progress on stderr: one progress bar per training run and per test pass.
final class StudyProgressPrinter {
    let quiet: Bool
    var bar: ProgressBar?
    var barKey = ""

    init(quiet: Bool) { self.quiet = quiet }

    func handle(_ event: StudyEvent) {
        switch event {
        case let .runStarted(id, index, total):
            note("[\(index + 1)/\(total)] \(id)")
        case let .runSkipped(id, reason):
            note("  \(id): skipped, \(reason)")
        case let .loading(_, what):
            note("  loading \(what)")
        case let .training(id, event):
            switch event {
            case let .started(total, resumedAt, trainable):
                note("  \(trainable) trainable parameters, \(total) steps" + (resumedAt > 0 ? ", resuming at step \(resumedAt)" : ""))
                bar = ProgressBar(total: total, label: "  train \(id)", unit: "step", quiet: quiet)
                bar?.update(resumedAt)
            case let .step(step, _, loss, _, speed):
                bar?.update(step, detail: String(format: "loss %.4f · %.1f ex/s", loss, speed))
            case let .evaluated(step, entry, isBest):
                note(String(format: "\n  step %d: eval accuracy %.4f · macro-F1 %.4f%@", step, entry.evalAccuracy ?? 0,
                            entry.evalMacroF1 ?? 0, isBest ? " (best)" : ""))
            case .evaluating, .saved:
                break
            }
        case let .predicting(id, done, total):
            if barKey != "test \(id)" || bar == nil {
                bar?.finish()
                barKey = "test \(id)"
                bar = ProgressBar(total: total, label: "  test \(id)", unit: "ex", quiet: quiet)
            }
            bar?.update(done)
            if done >= total {
                bar?.finish()
                bar = nil
                barKey = ""
            }
        case let .measuringServing(id):
            note("  measuring serving throughput of \(id)")
        case let .runFinished(result):
            bar?.finish()
            bar = nil
            note(String(format: "  %@: accuracy %.4f · macro-F1 %.4f · %.1f ex/s", result.spec.id, result.accuracy, result.macroF1,
                        result.inferenceExamplesPerSecond))
        }
    }
}
