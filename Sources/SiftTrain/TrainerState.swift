// What a checkpoint must hold to continue a run exactly: step, data position, RNG, best metric,
// and the log so far. Written as `trainer_state.json` next to the weights and optimizer moments.
import Foundation
import SiftTensor

/// One line of the training log (`log.jsonl`).
public struct LogEntry: Sendable, Codable, Equatable {
    public var step: Int
    public var epoch: Double
    public var loss: Double?
    public var learningRate: Double?
    public var gradNorm: Double?
    public var examplesPerSecond: Double?
    public var evalLoss: Double?
    public var evalAccuracy: Double?
    public var evalMacroF1: Double?

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss, learningRate = "learning_rate", gradNorm = "grad_norm", examplesPerSecond = "examples_per_second"
        case evalLoss = "eval_loss", evalAccuracy = "eval_accuracy", evalMacroF1 = "eval_macro_f1"
    }

    public init(step: Int, epoch: Double) {
        self.step = step
        self.epoch = epoch
    }
}

/// The trainer's resumable state.
public struct TrainerState: Sendable, Codable, Equatable {
    /// Optimizer steps completed.
    public var globalStep: Int = 0
    /// Epoch being worked on (0-based) and the next micro-batch in that epoch's plan.
    public var epoch: Int = 0
    public var nextBatch: Int = 0
    public var totalSteps: Int = 0
    /// Dropout generator.
    public var generator: SeededGenerator
    public var bestMetric: Double?
    public var bestStep: Int?
    public var log: [LogEntry] = []
    /// Training seconds so far (summed across resumes).
    public var trainingSeconds: Double = 0
    public var options: TrainingOptions

    public init(options: TrainingOptions) {
        self.options = options
        self.generator = SeededGenerator(seed: options.seed &+ 0x5EED)
    }

    /// Fractional epochs completed, for logs.
    public func epochProgress(batchesPerEpoch: Int) -> Double {
        Double(epoch) + Double(nextBatch) / Double(max(batchesPerEpoch, 1))
    }
}
