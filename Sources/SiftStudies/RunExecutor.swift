// Runs one study run: trains (classifier, head, sft) with evaluation curves and the best checkpoint
// kept, then scores the final model on the test subset, measuring inference speed; zero-shot runs
// only score. Each trained run writes its checkpoints, log and plots into its own folder.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTrain

/// Progress of a study, for progress bars and logs.
public enum StudyEvent {
    case runStarted(id: String, index: Int, total: Int)
    case runSkipped(id: String, reason: String)
    case loading(id: String, what: String)
    case training(id: String, event: TrainerEvent)
    case predicting(id: String, done: Int, total: Int)
    case measuringServing(id: String)
    case runFinished(RunResult)
}

/// Executes single runs.
public enum RunExecutor {
    /// Trains (if the method trains) and evaluates `run`, writing into `directory`.
    /// - Parameters:
    ///   - resume: continue an interrupted training run from its newest checkpoint.
    ///   - studyDirectory: the study's output folder (the model path in the result is relative to it).
    public static func execute(_ run: RunSpec, data: StudyData, seed: UInt64, directory: URL, studyDirectory: URL,
                               resume: Bool, onEvent: @escaping (StudyEvent) -> Void) throws -> RunResult {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        onEvent(.loading(id: run.id, what: run.model))
        switch run.method {
        case .classifier, .head:
            return try classifierRun(run, data: data, seed: seed, directory: directory, studyDirectory: studyDirectory,
                                     resume: resume, onEvent: onEvent)
        case .sft:
            return try sftRun(run, data: data, seed: seed, directory: directory, studyDirectory: studyDirectory,
                              resume: resume, onEvent: onEvent)
        case .zeroshot, .think:
            let bundle = try ModelLoader.load(URL(fileURLWithPath: run.model), task: .causalLM, seed: seed)
            guard case let .decoder(decoder) = bundle.model else {
                throw StudyError.invalidStudy("run \(run.id): \(run.model) is not a decoder; \(run.method.rawValue) needs a Qwen3/Llama model")
            }
            var result = try promptEvaluation(run, decoder: decoder, tokenizerBundle: bundle, data: data, onEvent: onEvent)
            result.trainExamples = 0
            return result
        }
    }

    /// Training options of a run (the study's seed, evaluation schedule and metric).
    public static func trainingOptions(_ run: RunSpec, seed: UInt64) throws -> TrainingOptions {
        var o = TrainingOptions()
        o.learningRate = Float(run.learningRate)
        o.weightDecay = Float(run.weightDecay)
        o.schedule = ScheduleKind(rawValue: run.schedule) ?? .linear
        o.warmupRatio = run.warmupRatio
        o.epochs = run.epochs
        o.maxSteps = run.maxSteps
        o.batchSize = run.batchSize
        o.evalBatchSize = run.evalBatchSize
        o.gradientAccumulation = run.gradientAccumulation
        o.evaluation = run.evalEvery >= 1 ? .steps(Int(run.evalEvery)) : .epochFraction(run.evalEvery)
        o.metric = .accuracy
        o.seed = seed
        o.loggingSteps = 1
        o.freezeBase = run.freezeBase
        // Two checkpoints at most (the best and the newest): a study keeps many runs' folders.
        o.saveTotalLimit = 2
        try o.validate()
        return o
    }

    // MARK: Classifier and linear head

    static func classifierRun(_ run: RunSpec, data: StudyData, seed: UInt64, directory: URL, studyDirectory: URL,
                              resume: Bool, onEvent: @escaping (StudyEvent) -> Void) throws -> RunResult {
        let names = data.labelNames
        let bundle = try ModelLoader.load(URL(fileURLWithPath: run.model), task: .classification(labels: names), seed: seed)
        switch (run.method, bundle.config) {
        case (.classifier, .decoder):
            throw StudyError.invalidStudy("run \(run.id): \(run.model) is a decoder; use method \"head\" for a decoder linear head")
        case (.head, .bert):
            throw StudyError.invalidStudy("run \(run.id): \(run.model) is an encoder; use method \"classifier\" for BERT-family models")
        default: break
        }
        let encoding = TextEncodingOptions(maxLength: run.maxLength)
        let trainTokens = try bundle.tokenizer.encodeDataset(data.train, options: encoding)
        let evalTokens = try bundle.tokenizer.encodeDataset(data.evaluation, options: encoding)
        let trainer = try ClassifierTrainer(bundle: bundle, options: trainingOptions(run, seed: seed), output: directory,
                                            train: trainTokens, validation: evalTokens, labelNames: names, padId: bundle.padTokenId)
        trainer.onEvent = { onEvent(.training(id: run.id, event: $0)) }
        let summary = try trainer.run(resume: resume)
        // The kept (best) checkpoint, reloaded from disk: what a user would deploy.
        let best = try ModelLoader.load(URL(fileURLWithPath: summary.finalModelDirectory), task: .classification(labels: nil))
        guard let classifier = best.model.classifier else {
            throw StudyError.runFailed(id: run.id, reason: "the saved model \(summary.finalModelDirectory) did not reload as a classifier")
        }
        let testTokens = try best.tokenizer.encodeDataset(data.test, options: encoding)
        let total = testTokens.count
        onEvent(.predicting(id: run.id, done: 0, total: total))
        let evaluation = try Evaluator.evaluate(classifier, examples: testTokens, labelNames: names, batchSize: run.evalBatchSize,
                                                padId: best.padTokenId) { onEvent(.predicting(id: run.id, done: $0, total: total)) }
        var result = RunResult(spec: run, accuracy: evaluation.report.accuracy, macroF1: evaluation.report.macroF1,
                               confusionMatrix: evaluation.report.confusionMatrix, labelNames: names, testExamples: total,
                               trainExamples: trainTokens.count, inferenceExamplesPerSecond: evaluation.examplesPerSecond)
        fillTraining(&result, summary: summary, studyDirectory: studyDirectory)
        return result
    }

    // MARK: Prompt SFT

    static func sftRun(_ run: RunSpec, data: StudyData, seed: UInt64, directory: URL, studyDirectory: URL,
                       resume: Bool, onEvent: @escaping (StudyEvent) -> Void) throws -> RunResult {
        let bundle = try ModelLoader.load(URL(fileURLWithPath: run.model), task: .causalLM, seed: seed)
        guard case let .decoder(decoder) = bundle.model else {
            throw StudyError.invalidStudy("run \(run.id): \(run.model) is not a decoder; sft needs a Qwen3/Llama model")
        }
        decoder.setRequiresGrad(true)
        let adapters = try run.lora.map { try LoRAHook.apply($0, to: decoder, seed: seed) }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: data.labelNames))
        let examples = try data.train.examples.map { try formatter.sftExample(text: $0.text, label: $0.label, cutoffLength: run.cutoffLength) }
        let objective = SFTObjective(decoder: decoder, formatter: formatter, train: examples,
                                     validationTexts: data.evaluation.examples.map(\.text),
                                     validationLabels: data.evaluation.examples.map(\.label),
                                     padId: bundle.padTokenId, cutoffLength: run.cutoffLength, evalBatchSize: run.promptBatchSize,
                                     lora: adapters)
        if let adapters { objective.checkpointModel = LoRAHook.checkpointing(adapters, bundle: bundle, baseModel: run.model) }
        var options = try trainingOptions(run, seed: seed)
        options.freezeBase = false
        options.lora = adapters?.config
        let trainer = try Trainer(bundle: bundle, objective: objective, options: options, output: directory)
        trainer.onEvent = { onEvent(.training(id: run.id, event: $0)) }
        let summary = try trainer.run(resume: resume)
        let best = try ModelLoader.load(URL(fileURLWithPath: summary.finalModelDirectory), task: .causalLM)
        guard case let .decoder(trained) = best.model else {
            throw StudyError.runFailed(id: run.id, reason: "the saved model \(summary.finalModelDirectory) did not reload as a decoder")
        }
        var result = try promptEvaluation(run, decoder: trained, tokenizerBundle: best, data: data, onEvent: onEvent)
        result.trainExamples = examples.count
        fillTraining(&result, summary: summary, studyDirectory: studyDirectory)
        return result
    }

    // MARK: Prompt methods on the test set

    /// Option scoring (sft, zeroshot) or thinking generation (think) over the test subset.
    static func promptEvaluation(_ run: RunSpec, decoder: DecoderModel, tokenizerBundle: ModelBundle, data: StudyData,
                                 onEvent: @escaping (StudyEvent) -> Void) throws -> RunResult {
        let names = data.labelNames
        let formatter = PromptFormatter(tokenizer: tokenizerBundle.tokenizer, template: .study(labelNames: names))
        let texts = data.test.examples.map(\.text)
        let total = texts.count
        let progress: (Int) -> Void = { onEvent(.predicting(id: run.id, done: $0, total: total)) }
        progress(0)
        let prediction: PromptPredictionResult
        if run.method == .think {
            prediction = try ThinkingPredictor(model: decoder, formatter: formatter, maxNewTokens: run.maxNewTokens,
                                               batchSize: run.promptBatchSize, cutoffLength: run.cutoffLength)
                .predict(texts: texts, progress: progress)
        } else {
            prediction = try OptionScorer(model: decoder, formatter: formatter, cutoffLength: run.cutoffLength, batchSize: run.promptBatchSize)
                .predict(texts: texts, progress: progress)
        }
        let labels = data.test.examples.map(\.label)
        // An unreadable answer (predicted −1) is wrong: score it as the class after the true one.
        let predicted = zip(labels, prediction.predictions).map { label, p in p.predicted >= 0 ? p.predicted : (label + 1) % names.count }
        let report = try ClassificationReport(labels: labels, predictions: predicted, labelNames: names)
        // The confusion matrix shows readable answers only (an unreadable one has no predicted class).
        let readable = prediction.predictions.indices.filter { prediction.predictions[$0].predicted >= 0 }
        let matrix = try ConfusionMatrix(labels: readable.map { labels[$0] }, predictions: readable.map { prediction.predictions[$0].predicted },
                                         classCount: names.count)
        let tokens = prediction.generatedTokens
        return RunResult(spec: run, accuracy: report.accuracy, macroF1: report.macroF1, confusionMatrix: matrix.counts,
                         labelNames: names, testExamples: total, trainExamples: 0, unparseable: prediction.unparseable,
                         inferenceExamplesPerSecond: prediction.seconds > 0 ? Double(total) / prediction.seconds : 0,
                         meanGeneratedTokens: tokens.isEmpty ? nil : Double(tokens.reduce(0, +)) / Double(tokens.count))
    }

    /// Copies a training summary's time, curves and kept checkpoint into a result.
    static func fillTraining(_ result: inout RunResult, summary: TrainingSummary, studyDirectory: URL) {
        result.trainingSeconds = summary.trainingSeconds
        result.bestStep = summary.bestStep
        result.lossCurve = summary.log.compactMap { entry in entry.loss.map { CurvePoint(step: entry.step, value: $0) } }
        result.evalAccuracyCurve = summary.log.compactMap { entry in entry.evalAccuracy.map { CurvePoint(step: entry.step, value: $0) } }
        result.evalMacroF1Curve = summary.log.compactMap { entry in entry.evalMacroF1.map { CurvePoint(step: entry.step, value: $0) } }
        result.modelDirectory = relativePath(summary.finalModelDirectory, to: studyDirectory)
    }

    /// `path` relative to `base` when it lies inside it, else unchanged.
    static func relativePath(_ path: String, to base: URL) -> String {
        let prefix = base.standardizedFileURL.path + "/"
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
    }
}
