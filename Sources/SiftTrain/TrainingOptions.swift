// Options of a training run, with the Hugging Face Trainer's defaults where it has one.
import SiftModels

/// When to evaluate on the validation split.
public enum EvaluationSchedule: Sendable, Codable, Equatable {
    /// Only at the end of training.
    case end
    /// Every N optimizer steps.
    case steps(Int)
    /// Every fraction of an epoch (0.2 = five times per epoch).
    case epochFraction(Double)

    /// The step interval for `stepsPerEpoch` optimizer steps per epoch (nil: end only).
    public func interval(stepsPerEpoch: Int) -> Int? {
        switch self {
        case .end: return nil
        case let .steps(n): return max(1, n)
        case let .epochFraction(f): return max(1, Int((Double(stepsPerEpoch) * f).rounded()))
        }
    }
}

/// The metric that picks the best checkpoint.
public enum SelectionMetric: String, Sendable, Codable, CaseIterable {
    case accuracy
    case macroF1 = "macro_f1"
    case loss

    /// Whether larger values are better.
    public var higherIsBetter: Bool { self != .loss }
}

/// Everything that defines a training run (saved with each checkpoint so `--resume` can check it).
public struct TrainingOptions: Sendable, Codable, Equatable {
    public var learningRate: Float = 5e-5
    public var weightDecay: Float = 0
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var schedule: ScheduleKind = .linear
    /// Warm-up as a fraction of all optimizer steps (ceil), unless `warmupSteps` is set.
    public var warmupRatio: Double = 0
    public var warmupSteps: Int?
    public var epochs: Double = 3
    /// Stop after this many optimizer steps (overrides `epochs`).
    public var maxSteps: Int?
    public var batchSize: Int = 16
    public var evalBatchSize: Int = 64
    public var gradientAccumulation: Int = 1
    /// Clip the global gradient norm to this value (0 disables clipping).
    public var maxGradNorm: Float = 1
    public var evaluation: EvaluationSchedule = .end
    /// Save a checkpoint every N steps (in addition to every evaluation); nil: only at evaluations and the end.
    public var saveSteps: Int?
    public var metric: SelectionMetric = .accuracy
    /// Keep at most this many `checkpoint-N` folders (the best one is never deleted).
    public var saveTotalLimit: Int?
    public var seed: UInt64 = 42
    /// Shuffle the training data each epoch (seeded); false keeps file order.
    public var shuffle: Bool = true
    /// Sort by length within chunks of this many batches (less padding), nil to disable.
    public var lengthBucketing: Int?
    public var loggingSteps: Int = 10
    /// Train only the classification head.
    public var freezeBase: Bool = false
    /// Weight decay on every parameter (torch's single group) instead of the Trainer's no-decay rule.
    public var decayAllParameters: Bool = false
    /// Train LoRA adapters instead of the weights (prompt SFT); part of the options so `--resume`
    /// refuses a checkpoint written with another rank, alpha, dropout or target list.
    public var lora: LoRAConfig?

    public init() {}

    /// Checks values a user may get wrong.
    public func validate() throws {
        func fail(_ reason: String) throws { throw TrainError.invalidArgument(reason) }
        if !(learningRate > 0) { try fail("--learning-rate must be positive, got \(learningRate)") }
        if batchSize < 1 { try fail("--batch-size must be at least 1, got \(batchSize)") }
        if evalBatchSize < 1 { try fail("--eval-batch-size must be at least 1, got \(evalBatchSize)") }
        if gradientAccumulation < 1 { try fail("--gradient-accumulation must be at least 1, got \(gradientAccumulation)") }
        if !(epochs > 0) && maxSteps == nil { try fail("--epochs must be positive, got \(epochs)") }
        if let maxSteps, maxSteps < 1 { try fail("--max-steps must be at least 1, got \(maxSteps)") }
        if !(0...1).contains(warmupRatio) { try fail("--warmup-ratio must be in 0...1, got \(warmupRatio)") }
        if maxGradNorm < 0 { try fail("--max-grad-norm must be ≥ 0, got \(maxGradNorm)") }
        if case let .epochFraction(f) = evaluation, !(f > 0) { try fail("--eval-every fraction must be positive") }
        if let limit = saveTotalLimit, limit < 1 { try fail("--save-total-limit must be at least 1") }
    }
}
