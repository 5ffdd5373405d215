// Fine-tuning a sequence classifier (BERT-family encoder or decoder linear head) as the Hugging
// Face Trainer does: AdamW with the no-decay rule, warm-up + decay schedule, gradient accumulation
// and clipping, evaluation and checkpoints on a schedule, the best checkpoint kept by a metric,
// and exact resumption (weights, optimizer moments, schedule, RNG, data order, step).
import Foundation
import SiftCheckpoints
import SiftData
import SiftModels
import SiftTensor

/// Progress events, for progress bars and logs.
public enum TrainerEvent: Sendable {
    case started(totalSteps: Int, resumedAt: Int, trainableParameters: Int)
    case step(step: Int, totalSteps: Int, loss: Double, learningRate: Double, examplesPerSecond: Double)
    case evaluating(step: Int, examples: Int)
    case evaluated(step: Int, entry: LogEntry, isBest: Bool)
    case saved(step: Int, directory: URL)
}

/// The result of a training run.
public struct TrainingSummary: Sendable, Codable {
    public var totalSteps: Int
    public var trainingSeconds: Double
    public var trainExamplesPerSecond: Double
    public var bestStep: Int?
    public var bestMetric: Double?
    public var metric: String
    public var finalModelDirectory: String
    public var log: [LogEntry]
    public var newlyInitialized: [String]
}

/// Trains a classifier and writes checkpoints, logs and plots into an output directory.
public final class ClassifierTrainer {
    public let bundle: ModelBundle
    public let model: SequenceClassifier
    public let options: TrainingOptions
    public let output: URL
    public let train: [TokenizedExample]
    public let validation: [TokenizedExample]?
    public let labelNames: [String]
    public let padId: Int
    public let paddingSide: PaddingSide
    /// Called on the trainer's thread for each event.
    public var onEvent: ((TrainerEvent) -> Void)?

    public init(bundle: ModelBundle, options: TrainingOptions, output: URL, train: [TokenizedExample],
                validation: [TokenizedExample]?, labelNames: [String], padId: Int, paddingSide: PaddingSide = .right) throws {
        try options.validate()
        guard let model = bundle.model.classifier else {
            throw TrainError.invalidArgument("the model at \(bundle.source.path) was not loaded as a classifier")
        }
        guard !train.isEmpty else { throw TrainError.invalidArgument("the training set is empty") }
        guard labelNames.count == model.classCount else {
            throw TrainError.invalidArgument("the data has \(labelNames.count) labels but the model's head has \(model.classCount) outputs")
        }
        self.bundle = bundle
        self.model = model
        self.options = options
        self.output = output
        self.train = train
        self.validation = validation
        self.labelNames = labelNames
        self.padId = padId
        self.paddingSide = paddingSide
    }

    var batchingOptions: BatchingOptions {
        BatchingOptions(batchSize: options.batchSize, padID: padId, paddingSide: paddingSide,
                        lengthBucketChunks: options.lengthBucketing, shuffleSeed: options.shuffle ? options.seed : nil)
    }

    /// Micro-batches per epoch and optimizer steps per epoch.
    var batchesPerEpoch: Int { (train.count + options.batchSize - 1) / options.batchSize }
    var stepsPerEpoch: Int { max(1, (batchesPerEpoch + options.gradientAccumulation - 1) / options.gradientAccumulation) }

    /// Total optimizer steps of the run.
    public var totalSteps: Int {
        options.maxSteps ?? max(1, Int((Double(stepsPerEpoch) * options.epochs).rounded(.up)))
    }

    /// The trainable parameters (all, or only the head with `freezeBase`).
    func trainableParameters() -> [(name: String, tensor: Tensor)] {
        let all = model.namedParameters()
        for (name, tensor) in all {
            tensor.requiresGrad = !options.freezeBase || model.headParameterNames.contains(name)
        }
        return all.filter { $0.tensor.requiresGrad }
    }

    /// Runs (or resumes, when `resume` and a checkpoint exists) training to the end.
    @discardableResult
    public func run(resume: Bool = false) throws -> TrainingSummary {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let parameters = trainableParameters()
        let optimizer = AdamW(parameters: parameters, config: AdamWConfig(
            learningRate: options.learningRate, beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon,
            weightDecay: options.weightDecay), decayAll: options.decayAllParameters)
        var state = TrainerState(options: options)
        state.totalSteps = totalSteps
        if resume, let checkpoint = try CheckpointStore.latest(in: output) {
            state = try CheckpointStore.restore(checkpoint, into: model, optimizer: optimizer, expecting: options)
        } else if !resume {
            try CheckpointStore.clearLog(in: output)
        }
        let warmup = options.warmupSteps ?? LearningRateSchedule.warmupSteps(ratio: options.warmupRatio, totalSteps: totalSteps)
        let schedule = LearningRateSchedule(kind: options.schedule, baseRate: options.learningRate, warmupSteps: warmup, totalSteps: totalSteps)
        let evalInterval = validation == nil ? nil : options.evaluation.interval(stepsPerEpoch: stepsPerEpoch)
        onEvent?(.started(totalSteps: totalSteps, resumedAt: state.globalStep, trainableParameters: parameters.reduce(0) { $0 + $1.tensor.count }))

        var plan = try Batcher.plan(lengths: train.map(\.ids.count), options: batchingOptions, epoch: state.epoch)
        var context = ForwardContext(training: true)
        context.generator = state.generator
        var windowLosses: [Double] = []
        var windowExamples = 0
        var windowStart = Date()
        let runStart = Date()
        let secondsBefore = state.trainingSeconds

        while state.globalStep < totalSteps {
            // 1. Accumulate gradients over up to `gradientAccumulation` micro-batches of this epoch.
            var micro: [[Int]] = []
            while micro.count < options.gradientAccumulation {
                if state.nextBatch >= plan.count {
                    if !micro.isEmpty { break }  // the epoch's last, shorter step
                    state.epoch += 1
                    state.nextBatch = 0
                    plan = try Batcher.plan(lengths: train.map(\.ids.count), options: batchingOptions, epoch: state.epoch)
                    continue
                }
                micro.append(plan[state.nextBatch])
                state.nextBatch += 1
            }
            var stepLoss = 0.0
            for indices in micro {
                let batch = try TokenBatch(paddedBatch: Batcher.batch(train, indices: indices, options: batchingOptions))
                let logits = try model.classify(batch, context: &context)
                let loss = try Tensor.crossEntropy(logits: logits, targets: indices.map { train[$0].label })
                stepLoss += Double(loss.item) / Double(micro.count)
                try loss.scaled(by: 1 / Float(micro.count)).backward()
                windowExamples += indices.count
            }
            // 2. Clip, step with the scheduled rate, clear gradients.
            let gradNorm = clipGradientNorm(parameters.map(\.tensor), maxNorm: options.maxGradNorm)
            state.globalStep += 1
            let rate = schedule.rate(forStep: state.globalStep)
            optimizer.step(learningRate: rate)
            optimizer.zeroGrad()
            windowLosses.append(stepLoss)
            let elapsed = Date().timeIntervalSince(windowStart)
            onEvent?(.step(step: state.globalStep, totalSteps: totalSteps, loss: stepLoss, learningRate: Double(rate),
                           examplesPerSecond: elapsed > 0 ? Double(windowExamples) / elapsed : 0))
            // 3. Log every `loggingSteps`.
            if state.globalStep % options.loggingSteps == 0 || state.globalStep == totalSteps {
                var entry = LogEntry(step: state.globalStep, epoch: state.epochProgress(batchesPerEpoch: batchesPerEpoch))
                entry.loss = windowLosses.reduce(0, +) / Double(max(windowLosses.count, 1))
                entry.learningRate = Double(rate)
                entry.gradNorm = Double(gradNorm)
                entry.examplesPerSecond = elapsed > 0 ? Double(windowExamples) / elapsed : nil
                state.log.append(entry)
                try CheckpointStore.appendLog(entry, in: output)
                windowLosses = []
                windowExamples = 0
                windowStart = Date()
            }
            // 4. Evaluate and checkpoint on schedule (and at the end).
            let isLast = state.globalStep == totalSteps
            let evaluateNow = validation != nil && (isLast || evalInterval.map { state.globalStep % $0 == 0 } == true)
            if evaluateNow, let validation {
                onEvent?(.evaluating(step: state.globalStep, examples: validation.count))
                let result = try Evaluator.evaluate(model, examples: validation, labelNames: labelNames,
                                                    batchSize: options.evalBatchSize, padId: padId, paddingSide: paddingSide)
                var entry = LogEntry(step: state.globalStep, epoch: state.epochProgress(batchesPerEpoch: batchesPerEpoch))
                entry.evalLoss = result.loss
                entry.evalAccuracy = result.report.accuracy
                entry.evalMacroF1 = result.report.macroF1
                let value: Double = switch options.metric {
                case .accuracy: result.report.accuracy
                case .macroF1: result.report.macroF1
                case .loss: result.loss
                }
                let isBest = state.bestMetric.map { options.metric.higherIsBetter ? value > $0 : value < $0 } ?? true
                if isBest {
                    state.bestMetric = value
                    state.bestStep = state.globalStep
                }
                state.log.append(entry)
                try CheckpointStore.appendLog(entry, in: output)
                onEvent?(.evaluated(step: state.globalStep, entry: entry, isBest: isBest))
            }
            let saveNow = isLast || evaluateNow || options.saveSteps.map { state.globalStep % $0 == 0 } == true
            if saveNow {
                state.generator = context.generator
                state.trainingSeconds = secondsBefore + Date().timeIntervalSince(runStart)
                let directory = try CheckpointStore.save(step: state.globalStep, bundle: bundle, optimizer: optimizer,
                                                         state: state, in: output)
                try CheckpointStore.rotate(in: output, keep: options.saveTotalLimit, protecting: state.bestStep)
                onEvent?(.saved(step: state.globalStep, directory: directory))
            }
        }

        // 5. The final model: the best checkpoint by the metric, else the last one.
        let finalStep = state.bestStep ?? state.globalStep
        let finalDirectory = output.appendingPathComponent("model")
        try CheckpointStore.exportModel(from: CheckpointStore.directory(step: finalStep, in: output), to: finalDirectory)
        try TrainingPlots.write(log: state.log, metric: options.metric, to: output)
        let summary = TrainingSummary(
            totalSteps: totalSteps, trainingSeconds: state.trainingSeconds,
            trainExamplesPerSecond: state.trainingSeconds > 0 ? Double(min(totalSteps * options.batchSize * options.gradientAccumulation, Int.max)) / state.trainingSeconds : 0,
            bestStep: state.bestStep, bestMetric: state.bestMetric, metric: options.metric.rawValue,
            finalModelDirectory: finalDirectory.path, log: state.log, newlyInitialized: bundle.newlyInitialized)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: output.appendingPathComponent("train_report.json"), options: .atomic)
        return summary
    }
}
