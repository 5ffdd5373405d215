// What a comparison study runs: one dataset (train and test files, per-class budgets) and a list of
// runs, each a method on a model with its hyper-parameters. Read from a JSON study file
// (`StudyFileReader`) or built from `sift compare`'s flags.
import Foundation

/// The ways of classifying a study compares.
public enum StudyMethod: String, Sendable, Codable, CaseIterable {
    /// An encoder (BERT family) fine-tuned with a classification head.
    case classifier
    /// A decoder with a linear `score` head on the last non-pad token.
    case head
    /// Prompt SFT of a decoder on the multiple-choice prompt, predicting by option perplexity.
    case sft
    /// Zero-shot without thinking: option perplexity after the prompt, no training.
    case zeroshot
    /// Zero-shot with thinking: generate, then read the option letter after `</think>`.
    case think

    /// Whether the method trains the model.
    public var trains: Bool { self == .classifier || self == .head || self == .sft }
    /// Whether the method predicts through the multiple-choice prompt (prompt SFT and zero-shot).
    public var usesPrompt: Bool { self == .sft || self == .zeroshot || self == .think }
    /// Whether the method needs a decoder (Qwen3/Llama).
    public var needsDecoder: Bool { self != .classifier }
    /// A human name for tables and sentences.
    public var displayName: String {
        switch self {
        case .classifier: "encoder classifier"
        case .head: "linear head"
        case .sft: "prompt SFT"
        case .zeroshot: "zero-shot (no think)"
        case .think: "zero-shot (think)"
        }
    }
}

/// Low-rank adaptation settings for a prompt-SFT run.
public struct LoRASpec: Sendable, Codable, Equatable {
    /// Rank of the update matrices.
    public var rank: Int
    /// Scaling numerator (the update is scaled by alpha / rank).
    public var alpha: Double
    /// Dropout on the LoRA input.
    public var dropout: Double
    /// Module names to adapt (e.g. `q_proj`, `v_proj`).
    public var targets: [String]

    /// LoRA settings; defaults follow common practice (rank 8, alpha 16, no dropout, q/v projections).
    public init(rank: Int = 8, alpha: Double = 16, dropout: Double = 0, targets: [String] = ["q_proj", "v_proj"]) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
    }
}

/// Where the study's data comes from.
public struct StudyDataSpec: Sendable, Codable, Equatable {
    /// The training file (CSV, TSV, JSON Lines, JSON or Parquet).
    public var train: String
    /// The test file; every run is evaluated on it.
    public var test: String
    /// Column layout: `standard` (named columns) or `agnews` (headerless class, title, description).
    public var preset: String
    /// Text column (a name, or a 0-based index) for the standard preset.
    public var textColumn: String
    /// Label column (a name, or a 0-based index) for the standard preset.
    public var labelColumn: String

    /// A data description; `preset` defaults to `agnews` when the files are AG News' `train.csv`/`test.csv`.
    public init(train: String, test: String, preset: String? = nil, textColumn: String = "text", labelColumn: String = "label") {
        self.train = train
        self.test = test
        self.preset = preset ?? StudyDataSpec.guessPreset(train)
        self.textColumn = textColumn
        self.labelColumn = labelColumn
    }

    /// `agnews` for a headerless AG News folder (its `classes.txt` beside the file), else `standard`.
    public static func guessPreset(_ path: String) -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let classes = folder.appendingPathComponent("classes.txt").path
        return path.hasSuffix(".csv") && FileManager.default.fileExists(atPath: classes) ? "agnews" : "standard"
    }
}

/// One run of a study: a method on a model.
public struct RunSpec: Sendable, Codable, Equatable {
    /// A unique name; the run's folder is `runs/<id>/`.
    public var id: String
    public var method: StudyMethod
    /// A Hugging Face directory or a `.gguf` file.
    public var model: String
    /// Epochs of training (fractions allowed).
    public var epochs: Double
    /// Stop after this many optimizer steps (overrides `epochs`).
    public var maxSteps: Int?
    public var learningRate: Double
    public var batchSize: Int
    public var gradientAccumulation: Int
    public var weightDecay: Double
    public var warmupRatio: Double
    /// `constant`, `linear` or `cosine`.
    public var schedule: String
    /// Evaluations during training: a step count (≥ 1) or a fraction of an epoch (0 < f < 1).
    public var evalEvery: Double
    /// Train only the head (classifier, head).
    public var freezeBase: Bool
    /// Tokens per text for classifier and head runs.
    public var maxLength: Int
    /// Prompt length limit (the article is shortened) for prompt methods.
    public var cutoffLength: Int
    /// Thinking budget (think runs).
    public var maxNewTokens: Int
    /// Examples per forward for prompt methods.
    public var promptBatchSize: Int
    /// Examples per batch when evaluating classifiers.
    public var evalBatchSize: Int
    /// LoRA for SFT runs; nil means full fine-tuning.
    public var lora: LoRASpec?

    /// A run with the method's default hyper-parameters.
    public init(id: String, method: StudyMethod, model: String) {
        self.id = id
        self.method = method
        self.model = model
        maxSteps = nil
        gradientAccumulation = 1
        weightDecay = 0
        freezeBase = false
        maxLength = 128
        cutoffLength = 512
        maxNewTokens = 256
        promptBatchSize = 8
        evalBatchSize = 32
        lora = nil
        evalEvery = 0.25
        switch method {
        case .classifier:
            epochs = 3; learningRate = 5e-5; batchSize = 16; warmupRatio = 0.1; schedule = "linear"
        case .head:
            epochs = 1; learningRate = 2e-5; batchSize = 8; warmupRatio = 0.1; schedule = "linear"
        case .sft:
            epochs = 1; learningRate = 2e-5; batchSize = 8; warmupRatio = 0.05; schedule = "cosine"
        case .zeroshot, .think:
            epochs = 0; learningRate = 0; batchSize = 8; warmupRatio = 0; schedule = "constant"
        }
    }
}

/// A whole study.
public struct StudySpec: Sendable, Codable, Equatable {
    /// A title for the report.
    public var name: String
    public var data: StudyDataSpec
    /// Training examples per class (the first ones in file order); nil uses the whole file.
    public var trainPerClass: Int?
    /// Test examples per class; nil uses the whole file.
    public var testPerClass: Int?
    /// Test examples per class used for the evaluation curves during training (the first of the
    /// test subset); nil uses the whole test subset. The best checkpoint is picked on this curve, as
    /// the study did.
    public var evalPerClass: Int?
    /// Seed of data order, head initialisation and dropout.
    public var seed: UInt64
    public var runs: [RunSpec]

    /// A study.
    public init(name: String = "Sift comparison", data: StudyDataSpec, trainPerClass: Int? = nil, testPerClass: Int? = nil,
                evalPerClass: Int? = nil, seed: UInt64 = 42, runs: [RunSpec]) {
        self.name = name
        self.data = data
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
        self.evalPerClass = evalPerClass
        self.seed = seed
        self.runs = runs
    }

    /// Checks what a study file or flags may get wrong.
    public func validate() throws {
        guard !runs.isEmpty else { throw StudyError.invalidStudy("no runs: give --methods (with --encoder/--decoder) or a study file with \"runs\"") }
        var seen = Set<String>()
        for run in runs {
            guard !run.id.isEmpty, run.id.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x2F && $0 != 0x5C }), run.id != ".", run.id != ".." else {
                throw StudyError.invalidStudy("run id \"\(run.id)\" must be non-empty, without spaces or slashes (it names a folder)")
            }
            guard seen.insert(run.id).inserted else { throw StudyError.invalidStudy("two runs are named \(run.id); give each run a unique id") }
            guard !run.model.isEmpty else { throw StudyError.invalidStudy("run \(run.id) has no model") }
            if run.lora != nil && run.method != .sft {
                throw StudyError.invalidStudy("run \(run.id): \"lora\" applies to sft runs only, not \(run.method.rawValue)")
            }
            if run.method.trains {
                guard run.learningRate > 0 else { throw StudyError.invalidStudy("run \(run.id): learning_rate must be positive") }
                guard run.epochs > 0 || (run.maxSteps ?? 0) > 0 else { throw StudyError.invalidStudy("run \(run.id): epochs must be positive") }
            }
            guard run.batchSize >= 1, run.gradientAccumulation >= 1, run.promptBatchSize >= 1, run.evalBatchSize >= 1 else {
                throw StudyError.invalidStudy("run \(run.id): batch sizes and gradient_accumulation must be at least 1")
            }
            guard run.maxLength >= 4, run.cutoffLength >= 16, run.maxNewTokens >= 1 else {
                throw StudyError.invalidStudy("run \(run.id): max_length must be ≥ 4, cutoff_length ≥ 16, max_new_tokens ≥ 1")
            }
            guard ["constant", "linear", "cosine"].contains(run.schedule) else {
                throw StudyError.invalidStudy("run \(run.id): schedule must be constant, linear or cosine, got \(run.schedule)")
            }
        }
        for (name, value) in [("train_per_class", trainPerClass), ("test_per_class", testPerClass), ("eval_per_class", evalPerClass)] {
            if let value, value < 1 { throw StudyError.invalidStudy("\(name) must be at least 1, got \(value)") }
        }
        guard ["standard", "agnews"].contains(data.preset) else {
            throw StudyError.invalidStudy("data.preset must be standard or agnews, got \(data.preset)")
        }
    }
}
