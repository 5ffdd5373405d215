// AdamW with decoupled weight decay, matching torch.optim.AdamW (non-fused) step for step:
//   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
// Parameter groups follow the Hugging Face Trainer: no weight decay on biases and norm weights.
import SiftTensor
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Hyper-parameters of AdamW.
public struct AdamWConfig: Sendable, Equatable, Codable {
    public var learningRate: Float = 5e-5
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.0

    public init(learningRate: Float = 5e-5, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

/// The Hugging Face Trainer's rule: biases and normalisation weights get no weight decay.
public func usesWeightDecay(parameterName name: String) -> Bool {
    let lower = name.lowercased()
    if lower.hasSuffix(".bias") || lower == "bias" { return false }
    // LayerNorm / RMSNorm weights: "LayerNorm", "layernorm", "norm", "q_norm", "input_layernorm", …
    let components = lower.split(separator: ".")
    return !components.contains { $0.contains("norm") }
}

/// AdamW over named parameters, with first/second moments kept per parameter.
public final class AdamW {
    public var config: AdamWConfig
    /// Parameters being optimised, by name (order fixed at creation).
    public let parameters: [(name: String, tensor: Tensor)]
    /// Whether each parameter gets weight decay.
    public let decays: [Bool]
    /// First and second moments per parameter (same order as `parameters`).
    public private(set) var firstMoments: [TensorStorage]
    public private(set) var secondMoments: [TensorStorage]
    /// Number of steps taken (t in the bias corrections).
    public private(set) var stepCount: Int = 0

    /// - Parameters:
    ///   - parameters: the trainable parameters (those with `requiresGrad`).
    ///   - decayAll: weight decay on every parameter (torch's single group) instead of the Trainer's rule.
    public init(parameters: [(name: String, tensor: Tensor)], config: AdamWConfig, decayAll: Bool = false) {
        self.parameters = parameters
        self.config = config
        self.decays = parameters.map { decayAll || usesWeightDecay(parameterName: $0.name) }
        self.firstMoments = parameters.map { TensorStorage(count: $0.tensor.count, repeating: 0) }
        self.secondMoments = parameters.map { TensorStorage(count: $0.tensor.count, repeating: 0) }
    }

    /// One update with learning rate `lr` (from the schedule). Parameters without a gradient are
    /// skipped (as torch does), but the step counter advances once per call.
    public func step(learningRate lr: Float) {
        stepCount += 1
        let (b1, b2, eps) = (config.beta1, config.beta2, config.epsilon)
        let biasCorrection1 = 1 - powf(b1, Float(stepCount))
        let biasCorrection2Sqrt = sqrtf(1 - powf(b2, Float(stepCount)))
        let stepSize = lr / biasCorrection1
        for (index, entry) in parameters.enumerated() {
            guard let grad = entry.tensor.grad else { continue }
            let n = entry.tensor.count
            let p = entry.tensor.storage.pointer, g = grad.storage.pointer
            let m = firstMoments[index].pointer, v = secondMoments[index].pointer
            let decayFactor: Float = decays[index] ? 1 - lr * config.weightDecay : 1
            OptimizerKernels.adamWUpdate(
                parameter: p, gradient: g, firstMoment: m, secondMoment: v, count: n, decayFactor: decayFactor,
                beta1: b1, beta2: b2, epsilon: eps, stepSize: stepSize, biasCorrection2Sqrt: biasCorrection2Sqrt)
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for (_, tensor) in parameters { tensor.grad = nil }
    }

    /// Restores moments and the step count (resume). Shapes must match the parameters.
    public func restore(stepCount: Int, first: [[Float]], second: [[Float]]) throws {
        guard first.count == parameters.count, second.count == parameters.count else {
            throw TrainError.invalidCheckpoint("optimizer state holds \(first.count) tensors, the model has \(parameters.count) trainable parameters")
        }
        for index in parameters.indices {
            let n = parameters[index].tensor.count
            guard first[index].count == n, second[index].count == n else {
                throw TrainError.invalidCheckpoint("optimizer state for \(parameters[index].name) has \(first[index].count) values, expected \(n)")
            }
            firstMoments[index] = TensorStorage(first[index])
            secondMoments[index] = TensorStorage(second[index])
        }
        self.stepCount = stepCount
    }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (torch's clip_grad_norm_:
/// coefficient maxNorm / (norm + 1e-6), capped at 1). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        total += OptimizerKernels.sumOfSquares(g.storage.pointer, count: g.count)
    }
    let norm = Float(total.squareRoot())
    guard maxNorm > 0, norm.isFinite else { return norm }
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for p in parameters {
            guard let g = p.grad else { continue }
            OptimizerKernels.scale(g.storage.pointer, by: coefficient, count: g.count)
        }
    }
    return norm
}
