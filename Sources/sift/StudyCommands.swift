// Built-in studies for the study's open questions: `sift mine` (hard-sample mining),
// `sift study scale` (accuracy against training-set size and difficulty), `sift study think`
// (think vs no-think zero-shot per decoder).
import ArgumentParser
import Foundation
import SiftData
import SiftModels
import SiftStudies
import SiftTrain

/// The dataset flags the studies share.
struct StudyDataOptions: ParsableArguments {
    @Option(help: "A dataset folder holding train.* and test.* (CSV, TSV, JSON Lines, JSON or Parquet).")
    var data: String?

    @Option(help: "Training data file (overrides --data).")
    var train: String?

    @Option(help: "Test data file (overrides --data).")
    var test: String?

    @Option(help: "Column layout: standard or agnews (default: agnews when classes.txt sits beside a .csv, else standard).")
    var preset: String?

    @Option(help: "Text column for the standard layout.")
    var textColumn: String = "text"

    @Option(help: "Label column for the standard layout.")
    var labelColumn: String = "label"

    /// The data description; `needsTest` false lets a study run on a training file alone.
    func spec(needsTest: Bool = true) throws -> StudyDataSpec {
        let trainFile: String
        if let train { trainFile = train } else if let data { trainFile = try findSplit("train", in: data) } else {
            throw ValidationError("give --data DIR (with train.* and test.*) or --train FILE")
        }
        var testFile = test ?? ""
        if test == nil, let data { testFile = (try? findSplit("test", in: data)) ?? "" }
        if needsTest && testFile.isEmpty { throw ValidationError("give --test FILE or a --data folder with a test.* file") }
        return StudyDataSpec(train: trainFile, test: testFile, preset: preset, textColumn: textColumn, labelColumn: labelColumn)
    }
}

/// Parses "a,b,c" into values of an enum.
func parseList<T: RawRepresentable>(_ text: String, flag: String) throws -> [T] where T.RawValue == String {
    try text.split(separator: ",").map { part in
        let name = part.trimmingCharacters(in: .whitespaces)
        guard let value = T(rawValue: name) else { throw ValidationError("unknown value \(name) in \(flag)") }
        return value
    }
}

struct MineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine",
        abstract: "Score each training example's difficulty with a decoder; write the ranking and easy/hard splits.",
        discussion: """
            --by perplexity: the mean negative log-likelihood of the gold option's answer after the no-think prompt \
            (higher = harder). --by zero-shot: examples no-think zero-shot gets wrong are hard (ties broken by the gold \
            option's loss). Writes OUTPUT/ranking.jsonl and ranking.csv (hardest first; every record has both measures), \
            OUTPUT/hard.jsonl and easy.jsonl (per class, the hardest --hard-fraction and the rest).
            Example: sift mine --by perplexity --decoder SmolLM2.gguf --data ../shared/data/agnews --per-class 500 --output runs/mine
            """)

    @Option(help: "Difficulty measure: perplexity or zero-shot.")
    var by: String = "perplexity"

    @Option(help: "Decoder that scores the examples (a Hugging Face directory or a .gguf file).")
    var decoder: String

    @OptionGroup(title: "Data") var data: StudyDataOptions
    @OptionGroup(title: "Precision") var precisionOptions: PrecisionOptions

    @Option(help: "Score at most this many training examples per class (the first in file order).")
    var perClass: Int?

    @Option(help: "Fraction of each class that goes to hard.jsonl.")
    var hardFraction: Double = 0.5

    @Option(help: "Prompt length limit (the article is shortened).")
    var cutoffLength: Int = 512

    @Option(help: "Examples per forward.")
    var batchSize: Int = 8

    @Option(help: "Output folder.")
    var output: String

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        precisionOptions.apply()
        guard let measure = DifficultyMeasure(rawValue: by) else { throw ValidationError("--by must be perplexity or zero-shot, got \(by)") }
        let spec = try data.spec(needsTest: false)
        var train = try StudyData.loadFile(spec.train, spec: spec, labels: nil)
        if let perClass { train = try train.limitedPerClass(perClass) }
        let bundle = try ModelLoader.load(URL(fileURLWithPath: decoder), task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw CLIError("\(decoder) is not a decoder (mining needs a Qwen3/Llama model)") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: train.labels.names))
        let bar = ProgressBar(total: train.count, label: "mine", unit: "ex", quiet: quiet)
        let scores = try DifficultyMiner(model: model, formatter: formatter, cutoffLength: cutoffLength, batchSize: batchSize)
            .score(train) { bar.update($0) }
        bar.finish()
        let folder = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try DifficultyMiner.writeRanking(DifficultyMiner.ranking(scores, by: measure), by: measure,
                                         jsonl: folder.appendingPathComponent("ranking.jsonl"), csv: folder.appendingPathComponent("ranking.csv"))
        let (easy, hard) = try DifficultyMiner.split(train, scores: scores, by: measure, hardFraction: hardFraction)
        try DatasetWriter.write(easy, to: folder.appendingPathComponent("easy.jsonl"), format: .jsonl)
        try DatasetWriter.write(hard, to: folder.appendingPathComponent("hard.jsonl"), format: .jsonl)
        let correct = scores.filter(\.correct).count
        let meanNLL = scores.map(\.goldNLL).reduce(0, +) / Double(max(scores.count, 1))
        print(String(format: "Scored %d examples: zero-shot accuracy %.4f, mean gold-option NLL %.4f (perplexity %.2f)",
                     scores.count, Double(correct) / Double(max(scores.count, 1)), meanNLL, Foundation.exp(meanNLL)))
        print("Ranking (hardest first by \(measure.rawValue)): \(folder.appendingPathComponent("ranking.jsonl").path)")
        print("Splits: \(hard.count) hard, \(easy.count) easy in \(folder.path)")
    }
}

struct StudyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Built-in studies: accuracy against training-set size and difficulty; think vs no-think zero-shot.",
        subcommands: [StudyScaleCommand.self, StudyThinkCommand.self])
}

struct StudyScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Accuracy against training-set size and difficulty (random, hard-only, easy-only subsets) for chosen methods.",
        discussion: """
            Every cell (method × subset × size) trains on that subset and is scored on the same test subset. Hard and \
            easy subsets come from a `sift mine` ranking of the same training file (--ranking); random subsets are drawn \
            from the same pool. Writes OUTPUT/scale.md, scale.html, scale.svg, scale.json and runs/<cell>/.
            Example: sift study scale --data ../shared/data/agnews --decoder SmolLM2.gguf --methods head,sft \
            --sizes 50,100,200 --subsets random,hard,easy --ranking runs/mine/ranking.jsonl --test-per-class 100 --output runs/scale
            """)

    @OptionGroup(title: "Data") var data: StudyDataOptions
    @OptionGroup(title: "Precision") var precisionOptions: PrecisionOptions

    @Option(help: "Comma-separated methods that train: classifier, head, sft.")
    var methods: String = "head,sft"

    @Option(help: "Encoder model (classifier).")
    var encoder: String?

    @Option(help: "Decoder model (head, sft).")
    var decoder: String?

    @Option(help: "Comma-separated training examples per class.")
    var sizes: String = "50,100,200"

    @Option(help: "Comma-separated subsets: random, hard, easy.")
    var subsets: String = "random"

    @Option(help: "A ranking.jsonl from `sift mine` (needed for hard and easy).")
    var ranking: String?

    @Option(help: "Difficulty measure of the ranking used for hard/easy: perplexity or zero-shot.")
    var by: String = "perplexity"

    @Option(help: "Test examples per class.")
    var testPerClass: Int?

    @Option(help: "Test examples per class for the evaluation curves during training.")
    var evalPerClass: Int?

    @Option(help: "Epochs for every run.")
    var epochs: Double?

    @Option(help: "Stop every run after this many optimizer steps.")
    var maxSteps: Int?

    @Option(help: "Seed.")
    var seed: UInt64 = 42

    @Option(help: "Output folder.")
    var output: String

    @Flag(help: "Reuse finished cells in --output.")
    var resume = false

    @Flag(help: "No progress bars.")
    var quiet = false

    func run() async throws {
        precisionOptions.apply()
        let methodList: [StudyMethod] = try parseList(methods, flag: "--methods")
        let sizeList = try sizes.split(separator: ",").map { part -> Int in
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n >= 1 else { throw ValidationError("--sizes takes whole numbers ≥ 1, got \(part)") }
            return n
        }
        let subsetList: [DifficultySubset] = try parseList(subsets, flag: "--subsets")
        guard let measure = DifficultyMeasure(rawValue: by) else { throw ValidationError("--by must be perplexity or zero-shot") }
        let runs = try methodList.map { method -> RunSpec in
            guard let model = method.needsDecoder ? decoder : encoder else {
                throw ValidationError("--methods \(method.rawValue) needs \(method.needsDecoder ? "--decoder" : "--encoder")")
            }
            var run = RunSpec(id: method.rawValue, method: method, model: model)
            if let epochs { run.epochs = epochs }
            if let maxSteps { run.maxSteps = maxSteps }
            return run
        }
        let base = StudySpec(name: "Scale study", data: try data.spec(), testPerClass: testPerClass, evalPerClass: evalPerClass,
                             seed: seed, runs: runs)
        try base.validate()
        let study = try ScaleStudy(base: base, sizes: sizeList, subsets: subsetList,
                                   ranking: try ranking.map { try DifficultyMiner.readRanking(URL(fileURLWithPath: $0)) },
                                   measure: measure, output: URL(fileURLWithPath: output), resume: resume)
        study.onEvent = StudyProgressPrinter(quiet: quiet).handle
        let cells = try await study.run()
        print(ScaleReport(title: base.name, cells: cells, measure: ranking == nil ? nil : measure).markdown())
        print("Report: \(URL(fileURLWithPath: output).appendingPathComponent("scale.html").path)")
    }
}

struct StudyThinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "think",
        abstract: "Think vs no-think zero-shot for each decoder: accuracy and time per example.",
        discussion: """
            Runs zeroshot (option perplexity) and think (generate up to --max-new-tokens, read the answer after \
            </think>) for every --decoder on the test subset, and writes the comparison report (report.html) in OUTPUT.
            Example: sift study think --decoder SmolLM2.gguf --data ../shared/data/agnews --test-per-class 25 \
            --max-new-tokens 256 --output runs/think
            """)

    @OptionGroup(title: "Data") var data: StudyDataOptions
    @OptionGroup(title: "Precision") var precisionOptions: PrecisionOptions

    @Option(help: "A decoder (repeat for several): a Hugging Face directory or a .gguf file.")
    var decoder: [String]

    @Option(help: "Test examples per class.")
    var testPerClass: Int?

    @Option(help: "Thinking budget (tokens).")
    var maxNewTokens: Int = 256

    @Option(help: "Examples per generation batch.")
    var promptBatchSize: Int = 8

    @Option(help: "Output folder.")
    var output: String

    @Flag(help: "Reuse finished runs in --output.")
    var resume = false

    @Flag(help: "No progress bars.")
    var quiet = false

    func run() async throws {
        precisionOptions.apply()
        guard !decoder.isEmpty else { throw ValidationError("give at least one --decoder") }
        var runs: [RunSpec] = []
        for (index, model) in decoder.enumerated() {
            let stem = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
            let name = decoder.count == 1 ? "" : "\(index + 1)-\(stem.prefix(24))-"
            for method in [StudyMethod.zeroshot, .think] {
                var run = RunSpec(id: name + method.rawValue, method: method, model: model)
                run.maxNewTokens = maxNewTokens
                run.promptBatchSize = promptBatchSize
                runs.append(run)
            }
        }
        let spec = StudySpec(name: "Think vs no-think zero-shot", data: try data.spec(), testPerClass: testPerClass, runs: runs)
        let outputURL = URL(fileURLWithPath: output)
        let runner = StudyRunner(spec: spec, output: outputURL, resume: resume, probe: nil)
        runner.onEvent = StudyProgressPrinter(quiet: quiet).handle
        let results = try await runner.run()
        print(StudyReport(results: results).markdownTable())
        for result in results.runs {
            print(String(format: "%@: %.3f s per example%@", result.spec.id, 1 / max(result.inferenceExamplesPerSecond, 1e-12),
                         result.meanGeneratedTokens.map { String(format: ", %.0f tokens generated on average", $0) } ?? ""))
        }
        for sentence in RankingSentences.make(results.runs) { print("• " + sentence) }
        print("Report: \(outputURL.appendingPathComponent("report.html").path)")
    }
}

struct DistillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distil reasoning: a teacher writes <think> traces for the training set, the student is fine-tuned on the correct ones.",
        discussion: """
            The teacher answers each training example with thinking (up to --max-new-tokens); traces whose answer is \
            right are kept (OUTPUT/traces.jsonl). The student is fine-tuned on them (loss on the whole assistant turn, \
            OUTPUT/student/), then scored on the test subset without thinking (option perplexity) and with thinking. \
            Writes results.json, report.md and report.html. --resume reuses traces.jsonl and the student's checkpoints.
            Example: sift distill --teacher Qwen3-0.6B --student SmolLM2.gguf --data ../shared/data/agnews \
            --train-per-class 100 --test-per-class 25 --max-new-tokens 256 --output runs/distill
            """)

    @OptionGroup(title: "Data") var data: StudyDataOptions
    @OptionGroup(title: "Precision") var precisionOptions: PrecisionOptions

    @Option(help: "Teacher decoder (a Hugging Face directory or a .gguf file).")
    var teacher: String

    @Option(help: "Student decoder (a Hugging Face directory or a .gguf file).")
    var student: String

    @Option(help: "Training examples per class given to the teacher.")
    var trainPerClass: Int?

    @Option(help: "Test examples per class.")
    var testPerClass: Int?

    @Option(help: "Test examples per class for the evaluation curve during training.")
    var evalPerClass: Int?

    @Option(help: "Thinking budget of the teacher and of the student's think evaluation (tokens).")
    var maxNewTokens: Int = 256

    @Option(help: "Student epochs.")
    var epochs: Double = 1

    @Option(help: "Stop the student's training after this many optimizer steps.")
    var maxSteps: Int?

    @Option(help: "Student learning rate.")
    var learningRate: Double = 2e-5

    @Option(help: "Examples per micro-batch.")
    var batchSize: Int = 4

    @Option(help: "Longest training sequence (prompt + trace); longer traces are dropped.")
    var cutoffLength: Int = 1024

    @Option(help: "Seed.")
    var seed: UInt64 = 42

    @Option(help: "Output folder.")
    var output: String

    @Flag(help: "Reuse traces.jsonl and continue the student's training from its newest checkpoint.")
    var resume = false

    @Flag(help: "No progress bars.")
    var quiet = false

    func run() async throws {
        precisionOptions.apply()
        var run = RunSpec(id: "student", method: .sft, model: student)
        run.epochs = epochs
        run.maxSteps = maxSteps
        run.learningRate = learningRate
        run.batchSize = batchSize
        run.cutoffLength = cutoffLength
        run.maxNewTokens = maxNewTokens
        let base = StudySpec(name: "Reasoning distillation", data: try data.spec(), trainPerClass: trainPerClass, testPerClass: testPerClass,
                             evalPerClass: evalPerClass, seed: seed, runs: [run])
        try base.validate()
        let outputURL = URL(fileURLWithPath: output)
        let study = DistillStudy(base: base, teacher: teacher, student: run, output: outputURL, resume: resume)
        study.onEvent = StudyProgressPrinter(quiet: quiet).handle
        let results = try await study.run()
        print(StudyReport(results: results).markdownTable())
        for sentence in RankingSentences.make(results.runs) { print("• " + sentence) }
        print("Report: \(outputURL.appendingPathComponent("report.html").path)")
    }
}
