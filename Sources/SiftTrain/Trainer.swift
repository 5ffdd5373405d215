// The training loop shared by every method, as the Hugging Face Trainer runs it: AdamW with the
// no-decay rule, warm-up + decay schedule, gradient accumulation and clipping, evaluation and
// checkpoints on a schedule, the best checkpoint kept by a metric, and exact resumption (weights,
// optimizer moments, schedule, RNG, data order, step). What is optimised and how it is evaluated
// comes from a `TrainingObjective` (classification, prompt SFT).
import Foundation
import SiftCheckpoints
import SiftData
import SiftModels
import SiftTensor

/// Progress events, for progress bars and logs.
public enum TrainerEvent: Sendable {
    case started(totalSteps: Int, resumedAt: Int, trainableParameters: Int)
    case step(step: Int, totalSteps: Int, loss: Double, learningRate: Double, examplesPerSecond: Double)
    case evaluating(step: Int)
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

/// Validation metrics of an objective.
public struct EvaluationMetrics: Sendable {
    public var loss: Double
    public var accuracy: Double
    public var macroF1: Double

    public init(loss: Double, accuracy: Double, macroF1: Double) {
        self.loss = loss
        self.accuracy = accuracy
        self.macroF1 = macroF1
    }
}

/// What a run optimises and how it is evaluated.
public protocol TrainingObjective: AnyObject {
    /// The model whose parameters are trained and checkpointed.
    var model: ParameterContainer { get }
    /// Parameters still trained with `freezeBase` (the head).
    var headParameterNames: Set<String> { get }
    /// Token count of each training example (batch plans use it for bucketing).
    var trainLengths: [Int] { get }
    /// Mean loss over the training examples at `indices` (one micro-batch).
    func loss(indices: [Int], context: inout ForwardContext) throws -> Tensor
    /// Metrics on the validation data, or nil when there is none.
    func evaluate() throws -> EvaluationMetrics?
    /// Whether `evaluate` has data.
    var hasValidation: Bool { get }
    /// How checkpoints hold the model; nil (the default): the full Hugging Face directory.
    var checkpointModel: CheckpointModelStore? { get }
}

extension TrainingObjective {
    public var checkpointModel: CheckpointModelStore? { nil }
}

/// Runs a `TrainingObjective` and writes checkpoints, logs and plots into an output directory.
public final class Trainer {
    /// `SIFT_MEMORY_TRACE=1`: print live tensor memory, the buffer pool and RSS after every step (stderr).
    static let traceMemory = ProcessInfo.processInfo.environment["SIFT_MEMORY_TRACE"] == "1"

    public let bundle: ModelBundle
    public let objective: TrainingObjective
    public let options: TrainingOptions
    public let output: URL
    /// Called on the trainer's thread for each event.
    public var onEvent: ((TrainerEvent) -> Void)?

    public init(bundle: ModelBundle, objective: TrainingObjective, options: TrainingOptions, output: URL) throws {
        try options.validate()
        guard !objective.trainLengths.isEmpty else { throw TrainError.invalidArgument("the training set is empty") }
        self.bundle = bundle
        self.objective = objective
        self.options = options
        self.output = output
    }

    var planOptions: BatchingOptions {
        BatchingOptions(batchSize: options.batchSize, lengthBucketChunks: options.lengthBucketing,
                        shuffleSeed: options.shuffle ? options.seed : nil)
    }

    /// Micro-batches per epoch and optimizer steps per epoch.
    var batchesPerEpoch: Int { (objective.trainLengths.count + options.batchSize - 1) / options.batchSize }
    var stepsPerEpoch: Int { max(1, (batchesPerEpoch + options.gradientAccumulation - 1) / options.gradientAccumulation) }

    /// Total optimizer steps of the run.
    public var totalSteps: Int {
        options.maxSteps ?? max(1, Int((Double(stepsPerEpoch) * options.epochs).rounded(.up)))
    }

    /// The trainable parameters (all that require grad, or only the head with `freezeBase`).
    func trainableParameters() -> [(name: String, tensor: Tensor)] {
        let all = objective.model.namedParameters()
        if options.freezeBase {
            for (name, tensor) in all { tensor.requiresGrad = objective.headParameterNames.contains(name) }
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
            state = try CheckpointStore.restore(checkpoint, into: objective.model, optimizer: optimizer, expecting: options,
                                                weightsFile: objective.checkpointModel?.weightsFileName ?? "model.safetensors")
        } else if !resume {
            try CheckpointStore.clearLog(in: output)
        }
        let warmup = options.warmupSteps ?? LearningRateSchedule.warmupSteps(ratio: options.warmupRatio, totalSteps: totalSteps)
        let schedule = LearningRateSchedule(kind: options.schedule, baseRate: options.learningRate, warmupSteps: warmup, totalSteps: totalSteps)
        let evalInterval = objective.hasValidation ? options.evaluation.interval(stepsPerEpoch: stepsPerEpoch) : nil
        onEvent?(.started(totalSteps: totalSteps, resumedAt: state.globalStep, trainableParameters: parameters.reduce(0) { $0 + $1.tensor.count }))

        let lengths = objective.trainLengths
        var plan = try Batcher.plan(lengths: lengths, options: planOptions, epoch: state.epoch)
        var context = ForwardContext(training: true)
        context.generator = state.generator
        var windowLosses: [Double] = []
        var windowExamples = 0
        var windowStart = Date()
        let runStart = Date()
        let secondsBefore = state.trainingSeconds
        var evaluationSeconds = 0.0  // kept out of the training time

        while state.globalStep < totalSteps {
            // 1. Accumulate gradients over up to `gradientAccumulation` micro-batches of this epoch.
            var micro: [[Int]] = []
            while micro.count < options.gradientAccumulation {
                if state.nextBatch >= plan.count {
                    if !micro.isEmpty { break }  // the epoch's last, shorter step
                    state.epoch += 1
                    state.nextBatch = 0
                    plan = try Batcher.plan(lengths: lengths, options: planOptions, epoch: state.epoch)
                    continue
                }
                micro.append(plan[state.nextBatch])
                state.nextBatch += 1
            }
            var stepLoss = 0.0
            for indices in micro {
                let loss = try objective.loss(indices: indices, context: &context)
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
            if Trainer.traceMemory { FileHandle.standardError.write(Data("step \(state.globalStep): \(StorageStatistics.summary)\n".utf8)) }
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
            let evaluateNow = objective.hasValidation && (isLast || evalInterval.map { state.globalStep % $0 == 0 } == true)
            if evaluateNow {
                onEvent?(.evaluating(step: state.globalStep))
                let evaluationStart = Date()
                let evaluated = try objective.evaluate()
                evaluationSeconds += Date().timeIntervalSince(evaluationStart)
                guard let result = evaluated else { continue }
                var entry = LogEntry(step: state.globalStep, epoch: state.epochProgress(batchesPerEpoch: batchesPerEpoch))
                entry.evalLoss = result.loss
                entry.evalAccuracy = result.accuracy
                entry.evalMacroF1 = result.macroF1
                let value: Double = switch options.metric {
                case .accuracy: result.accuracy
                case .macroF1: result.macroF1
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
                state.trainingSeconds = secondsBefore + Date().timeIntervalSince(runStart) - evaluationSeconds
                let directory = try CheckpointStore.save(step: state.globalStep, bundle: bundle, optimizer: optimizer,
                                                         state: state, in: output, modelStore: objective.checkpointModel)
                try CheckpointStore.rotate(in: output, keep: options.saveTotalLimit, protecting: state.bestStep)
                onEvent?(.saved(step: state.globalStep, directory: directory))
            }
        }

        // 5. The final model: the best checkpoint by the metric, else the last one.
        let finalStep = state.bestStep ?? state.globalStep
        let finalDirectory = output.appendingPathComponent("model")
        let finalCheckpoint = CheckpointStore.directory(step: finalStep, in: output)
        if let store = objective.checkpointModel {
            try store.exportModel(from: finalCheckpoint, to: finalDirectory)
        } else {
            try CheckpointStore.exportModel(from: finalCheckpoint, to: finalDirectory)
        }
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

