// `sift train`: fine-tune a classifier (BERT-family encoder, or a decoder with a linear head).
import ArgumentParser
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTrain

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a text classifier and save the best checkpoint in Hugging Face format.",
        discussion: """
            --method classifier: an encoder (BERT-family: [CLS] → pooler → dropout → linear) or a decoder (Qwen3/Llama: \
            a linear `score` head on the last non-pad token), fully fine-tuned or head-only (--freeze-base).
            Writes OUTPUT/checkpoint-N/ (model + optimizer + trainer state), OUTPUT/model/ (the best checkpoint by --metric, \
            loadable by Python transformers), log.jsonl, loss.svg, eval.svg and train_report.json. Kill it at any time and \
            re-run with --resume to continue exactly where the last checkpoint left off.
            Example (AG News, MiniLM): sift train --model DIR --train ../shared/data/agnews/train.csv --preset agnews \
            --max-per-class 1000 --validation ../shared/data/agnews/test.csv --output runs/minilm
            """)

    @Option(help: "Training method: classifier (encoder classifier or decoder linear head) or sft (a decoder on the multiple-choice prompt, loss on the answer only).")
    var method: TrainMethod = .classifier

    @OptionGroup(title: "Prompt SFT (--method sft)") var prompt: PromptMethodOptions
    @OptionGroup(title: "LoRA (--method sft)") var lora: LoRAOptions

    @Option(help: "Model: a Hugging Face directory (config.json + model.safetensors + tokenizer) or a .gguf file.")
    var model: String

    @Option(help: "Training data file (CSV, TSV, JSON Lines or JSON).")
    var train: String

    @Option(help: "Validation data file. Without it, --validation-fraction of the training file is held out (stratified, seeded).")
    var validation: String?

    @Option(help: "Fraction of the training file held out for validation when --validation is not given (0 disables evaluation).")
    var validationFraction: Double = 0

    @Option(help: "Use at most this many training examples per class (the first ones in file order).")
    var maxPerClass: Int?

    @Option(help: "Use at most this many validation examples per class.")
    var maxValidationPerClass: Int?

    @OptionGroup var columns: DataColumnOptions
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @OptionGroup var encoding: EncodingOptions
    @OptionGroup(title: "Precision") var precisionOptions: PrecisionOptions

    @Option(help: "Output directory for checkpoints, logs, plots and the final model.")
    var output: String

    @Option(help: "Number of epochs (fractions allowed).")
    var epochs: Double = 3

    @Option(help: "Stop after this many optimizer steps (overrides --epochs).")
    var maxSteps: Int?

    @Option(help: "Examples per micro-batch.")
    var batchSize: Int = 16

    @Option(help: "Examples per batch during evaluation.")
    var evalBatchSize: Int = 64

    @Option(help: "Micro-batches per optimizer step.")
    var gradientAccumulation: Int = 1

    @Option(help: "Peak learning rate (AdamW).")
    var learningRate: Float = 5e-5

    @Option(help: "Decoupled weight decay (not applied to biases and norm weights).")
    var weightDecay: Float = 0

    @Option(help: "Learning-rate schedule after warm-up: constant, linear or cosine.")
    var schedule: ScheduleKind = .linear

    @Option(help: "Warm-up as a fraction of all optimizer steps (rounded up).")
    var warmupRatio: Double = 0

    @Option(help: "Warm-up steps (overrides --warmup-ratio).")
    var warmupSteps: Int?

    @Option(help: "Clip the global gradient norm to this value (0 disables clipping).")
    var maxGradNorm: Float = 1

    @Option(help: "Evaluate every N optimizer steps (an integer ≥ 1) or every fraction of an epoch (e.g. 0.2); default: at the end only.")
    var evalEvery: String?

    @Option(help: "Also save a checkpoint every N optimizer steps (checkpoints are always saved at evaluations and at the end).")
    var saveSteps: Int?

    @Option(help: "Metric that picks the best checkpoint: accuracy, macro_f1 or loss.")
    var metric: SelectionMetric = .accuracy

    @Option(help: "Keep at most this many checkpoint folders (the best and the newest are kept).")
    var saveTotalLimit: Int?

    @Option(help: "Random seed (data order, new head initialisation, dropout).")
    var seed: UInt64 = 42

    @Flag(help: "Keep the training data in file order instead of shuffling each epoch.")
    var noShuffle = false

    @Option(help: "Group examples of similar length within chunks of this many batches (less padding).")
    var lengthBucketing: Int?

    @Option(help: "Log the training loss every N optimizer steps.")
    var loggingSteps: Int = 10

    @Flag(help: "Train only the classification head; the base model stays frozen.")
    var freezeBase = false

    @Flag(help: "Continue from the newest checkpoint in --output (same flags as the interrupted run).")
    var resume = false

    @Flag(help: "Print the final report as JSON on stdout.")
    var json = false

    @Flag(help: "No progress bar.")
    var quiet = false

    func options() throws -> TrainingOptions {
        var o = TrainingOptions()
        o.lora = try lora.config()
        o.learningRate = learningRate
        o.weightDecay = weightDecay
        o.schedule = schedule
        o.warmupRatio = warmupRatio
        o.warmupSteps = warmupSteps
        o.epochs = epochs
        o.maxSteps = maxSteps
        o.batchSize = batchSize
        o.evalBatchSize = evalBatchSize
        o.gradientAccumulation = gradientAccumulation
        o.maxGradNorm = maxGradNorm
        if let evalEvery {
            if let steps = Int(evalEvery), steps >= 1 {
                o.evaluation = .steps(steps)
            } else if let fraction = Double(evalEvery), fraction > 0, fraction < 1 {
                o.evaluation = .epochFraction(fraction)
            } else {
                throw ValidationError("--eval-every takes a step count (≥ 1) or a fraction of an epoch (0 < f < 1), got \(evalEvery)")
            }
        }
        o.saveSteps = saveSteps
        o.metric = metric
        o.saveTotalLimit = saveTotalLimit
        o.seed = seed
        o.shuffle = !noShuffle
        o.lengthBucketing = lengthBucketing
        o.loggingSteps = max(1, loggingSteps)
        o.freezeBase = freezeBase
        try o.validate()
        return o
    }

    func run() throws {
        precisionOptions.apply()
        let options = try options()
        // 1. Data.
        var trainSet = try columns.load(train)
        if let maxPerClass { trainSet = try trainSet.limitedPerClass(maxPerClass) }
        var validationSet: TextDataset?
        if let validation {
            validationSet = try columns.load(validation, labels: trainSet.labels, role: .validation)
        } else if validationFraction > 0 {
            let split = try trainSet.stratifiedSplit(validationFraction: validationFraction, seed: seed)
            trainSet = split.train
            validationSet = split.validation
        }
        if let cap = maxValidationPerClass, let v = validationSet { validationSet = try v.limitedPerClass(cap) }
        let labelNames = trainSet.labels.names
        if method == .sft {
            return try runSFT(options: options, trainSet: trainSet, validationSet: validationSet)
        }
        guard options.lora == nil else { throw ValidationError("--lora-rank applies to --method sft (LoRA for classifiers is not wired yet)") }
        // 2. Model with a head for these labels.
        let bundle = try ModelLoader.load(try hub.modelURL(model), task: .classification(labels: labelNames), seed: seed)
        if !bundle.newlyInitialized.isEmpty {
            note("Newly initialised (not in the checkpoint): \(bundle.newlyInitialized.joined(separator: ", "))")
        }
        // 3. Tokens.
        let textOptions = encoding.textEncoding()
        let trainTokens = try bundle.tokenizer.encodeDocuments(trainSet, options: textOptions)
        let validationTokens = try validationSet.map { try bundle.tokenizer.encodeDocuments($0, options: textOptions) }
        note("Training on \(trainTokens.count) examples (\(labelNames.count) classes: \(labelNames.joined(separator: ", ")))"
             + (validationTokens.map { ", validating on \($0.count)" } ?? "")
             + (trainTokens.isPlain ? "" : "; \(trainTokens.chunks.count) training windows"))
        // 4. Train.
        let trainer = try ClassifierTrainer(bundle: bundle, options: options, output: URL(fileURLWithPath: output),
                                            train: trainTokens, validation: validationTokens, aggregation: encoding.aggregation,
                                            labelNames: labelNames, padId: padId(for: bundle))
        let summary = try runTrainer(trainer.trainer)
        report(summary)
    }

    /// Prompt SFT of a decoder; validation by option perplexity.
    func runSFT(options: TrainingOptions, trainSet: TextDataset, validationSet: TextDataset?) throws {
        guard options.lora == nil || method == .sft else { throw ValidationError("--lora-rank applies to --method sft") }
        guard !options.freezeBase else { throw ValidationError("--freeze-base does not apply to --method sft (use --method classifier for a head-only run)") }
        let bundle = try ModelLoader.load(try hub.modelURL(model), task: .causalLM, seed: seed)
        guard case let .decoder(decoder) = bundle.model else { throw CLIError("\(model) is not a decoder: --method sft needs a Qwen3/Llama model") }
        let labelNames = trainSet.labels.names
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: try prompt.template(labels: labelNames))
        let examples = try trainSet.examples.map { try formatter.sftExample(text: $0.text, label: $0.label, cutoffLength: prompt.cutoffLen) }
        note("Prompt SFT on \(examples.count) examples (\(labelNames.count) options), answer-only loss, cutoff \(prompt.cutoffLen) tokens"
             + (validationSet.map { ", validating on \($0.count) by option perplexity" } ?? ""))
        decoder.setRequiresGrad(true)
        let adapters = try options.lora.map { try LoRAAdapterSet.attach(to: decoder, config: $0, seed: seed) }
        let objective = SFTObjective(decoder: decoder, formatter: formatter, train: examples,
                                     validationTexts: validationSet?.examples.map(\.text) ?? [],
                                     validationLabels: validationSet?.examples.map(\.label) ?? [],
                                     padId: padId(for: bundle), cutoffLength: prompt.cutoffLen, evalBatchSize: prompt.promptBatchSize,
                                     lora: adapters)
        if let adapters {
            note("LoRA r=\(adapters.config.rank) alpha=\(adapters.config.alpha) dropout=\(adapters.config.dropout) on \(adapters.modules.count) projections; final model: \(lora.loraSave.rawValue)")
            objective.checkpointModel = LoRACheckpointing(adapters: adapters, bundle: bundle, baseModel: URL(fileURLWithPath: model).standardizedFileURL.path,
                                                          saveMode: lora.loraSave)
        }
        let trainer = try Trainer(bundle: bundle, objective: objective, options: options, output: URL(fileURLWithPath: output))
        report(try runTrainer(trainer))
    }

    /// Runs a trainer with a progress bar and evaluation notes.
    func runTrainer(_ trainer: Trainer) throws -> TrainingSummary {
        var bar: ProgressBar?
        trainer.onEvent = { event in
            switch event {
            case let .started(total, resumedAt, trainable):
                note("Trainable parameters: \(trainable)" + (resumedAt > 0 ? " · resuming at step \(resumedAt)" : ""))
                bar = ProgressBar(total: total, label: "train", unit: "step", quiet: quiet)
                bar?.update(resumedAt)
            case let .step(step, _, loss, rate, speed):
                bar?.update(step, detail: String(format: "loss %.4f · lr %.2e · %.1f ex/s", loss, rate, speed))
            case let .evaluated(step, entry, isBest):
                note(String(format: "\nstep %d: eval loss %.4f · accuracy %.4f · macro-F1 %.4f%@", step, entry.evalLoss ?? 0,
                            entry.evalAccuracy ?? 0, entry.evalMacroF1 ?? 0, isBest ? " (best)" : ""))
            case .evaluating, .saved:
                break
            }
        }
        let summary = try trainer.run(resume: resume)
        bar?.finish()
        return summary
    }

    func report(_ summary: TrainingSummary) {
        if json {
            try? printJSON(summary, pretty: true)
        } else {
            print("Trained \(summary.totalSteps) steps in \(String(format: "%.1f", summary.trainingSeconds)) s"
                  + (summary.bestStep.map { ", best \(summary.metric) \(String(format: "%.4f", summary.bestMetric ?? 0)) at step \($0)" } ?? ""))
            print("Model: \(summary.finalModelDirectory)")
        }
    }
}

enum TrainMethod: String, ExpressibleByArgument, CaseIterable {
    case classifier, sft
}

extension ScheduleKind: ExpressibleByArgument {}
extension SelectionMetric: ExpressibleByArgument {}
