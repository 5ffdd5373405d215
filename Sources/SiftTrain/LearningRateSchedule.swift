// Learning-rate schedules with warm-up, as transformers' get_{constant,linear,cosine}_schedule_with_warmup:
// the rate used by optimizer step k (1-based) is base · λ(k − 1).
import Foundation

/// The shape of the learning-rate curve after warm-up.
public enum ScheduleKind: String, Sendable, Codable, CaseIterable {
    case constant, linear, cosine
}

/// A warm-up + decay schedule over a fixed number of optimizer steps.
public struct LearningRateSchedule: Sendable, Codable, Equatable {
    public var kind: ScheduleKind
    public var baseRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(kind: ScheduleKind, baseRate: Float, warmupSteps: Int, totalSteps: Int) {
        self.kind = kind
        self.baseRate = baseRate
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
    }

    /// Warm-up steps from a ratio, rounded up as the Trainer does (`ceil(total · ratio)`).
    public static func warmupSteps(ratio: Double, totalSteps: Int) -> Int {
        Int((Double(totalSteps) * ratio).rounded(.up))
    }

    /// The multiplier λ after `completed` optimizer steps.
    public func multiplier(afterSteps completed: Int) -> Double {
        let step = Double(completed), warmup = Double(warmupSteps), total = Double(totalSteps)
        if completed < warmupSteps { return step / max(1, warmup) }
        switch kind {
        case .constant:
            return 1
        case .linear:
            return max(0, (total - step) / max(1, total - warmup))
        case .cosine:
            let progress = (step - warmup) / max(1, total - warmup)
            return max(0, 0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    /// The learning rate used by optimizer step `k` (1-based).
    public func rate(forStep k: Int) -> Float {
        Float(Double(baseRate) * multiplier(afterSteps: k - 1))
    }
}

/// Errors of the trainer and its checkpoints.
public enum TrainError: Error, CustomStringConvertible {
    case invalidCheckpoint(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .invalidCheckpoint(reason): return "invalid training checkpoint: \(reason)"
        case let .invalidArgument(reason): return reason
        }
    }
}
