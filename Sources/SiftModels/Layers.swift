// Building blocks shared by the encoder and decoder models. Each holds its parameters as tensors
// named by their Hugging Face names, so loading, saving and optimizers all speak one vocabulary.
import SiftTensor

/// Anything with named parameters (Hugging Face names, relative to the module).
public protocol ParameterContainer: AnyObject {
    /// The parameters, in a stable order, with names relative to this module.
    func namedParameters() -> [(name: String, tensor: Tensor)]
}

extension ParameterContainer {
    /// Parameters of `child` with `prefix.` prepended to their names.
    func prefixed(_ prefix: String, _ child: ParameterContainer) -> [(name: String, tensor: Tensor)] {
        child.namedParameters().map { (prefix + "." + $0.name, $0.tensor) }
    }

    /// All parameters as a dictionary keyed by name.
    public func parameterDictionary() -> [String: Tensor] {
        Dictionary(namedParameters().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    }

    /// Sets `requiresGrad` on every parameter (false freezes them).
    public func setRequiresGrad(_ flag: Bool) {
        for (_, tensor) in namedParameters() { tensor.requiresGrad = flag }
    }

    /// Total number of parameter elements (shared tensors counted once).
    public var parameterCount: Int {
        var seen = Set<ObjectIdentifier>()
        return namedParameters().reduce(0) { total, entry in
            seen.insert(ObjectIdentifier(entry.tensor)).inserted ? total + entry.tensor.count : total
        }
    }
}

/// A fully connected layer, `y = x·Wᵀ + b`, with W `[out, in]` as in `torch.nn.Linear`.
public final class Linear: ParameterContainer {
    /// `[out, in]`
    public var weight: Tensor
    /// `[out]`, or nil for bias-free projections (Qwen3 attention, `score`).
    public var bias: Tensor?
    /// A low-rank update added to the output (LoRA), or nil. Its parameters are not in
    /// `namedParameters()`: the adapter set that attached it owns and names them.
    public var adapter: LoRAAdapter?

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    /// `[out, in]` initialised N(0, std²) with a zero bias, as transformers' `_init_weights` does.
    public convenience init(inFeatures: Int, outFeatures: Int, bias: Bool, std: Float, generator: inout SeededGenerator) throws {
        let weight = try generator.normal([outFeatures, inFeatures], std: std)
        self.init(weight: weight, bias: bias ? try Tensor.zeros([outFeatures]) : nil)
    }

    /// x `[..., in]` → `[..., out]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try x.linear(weight: weight, bias: bias)
        guard let adapter else { return y }
        return try y + adapter(x)
    }

    /// `activation(x · Wᵀ + b)`: fused into the GEMM in inference (see `Tensor.linear`).
    public func callAsFunction(_ x: Tensor, activation: FusedActivation) throws -> Tensor {
        guard adapter == nil else { return activation.apply(try self(x)) }
        return try x.linear(weight: weight, bias: bias, activation: activation)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = [("weight", weight)]
        if let bias { list.append(("bias", bias)) }
        return list
    }
}

/// LayerNorm over the last axis (BERT).
public final class LayerNormLayer: ParameterContainer {
    /// `[C]`
    public var weight: Tensor
    /// `[C]`
    public var bias: Tensor
    public let eps: Float

    public init(weight: Tensor, bias: Tensor, eps: Float) {
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    public convenience init(size: Int, eps: Float) throws {
        self.init(weight: try Tensor.full([size], value: 1), bias: try Tensor.zeros([size]), eps: eps)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.layerNorm(weight: weight, bias: bias, eps: eps)
    }

    /// LayerNorm of `x + residual` (one pass in inference, see `Tensor.layerNorm(adding:weight:bias:eps:)`).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) throws -> Tensor {
        try x.layerNorm(adding: residual, weight: weight, bias: bias, eps: eps)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// RMSNorm over the last axis (Qwen3/Llama), computed in f32.
public final class RMSNormLayer: ParameterContainer {
    /// `[C]`
    public var weight: Tensor
    public let eps: Float

    public init(weight: Tensor, eps: Float) {
        self.weight = weight
        self.eps = eps
    }

    public convenience init(size: Int, eps: Float) throws {
        self.init(weight: try Tensor.full([size], value: 1), eps: eps)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.rmsNorm(weight: weight, eps: eps)
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] { [("weight", weight)] }
}

/// Where a forward pass runs: training (dropout on, with its generator) or evaluation.
public struct ForwardContext {
    /// Dropout is applied only when training.
    public var training: Bool
    /// The generator dropout masks are drawn from.
    public var generator: SeededGenerator

    public init(training: Bool = false, seed: UInt64 = 0) {
        self.training = training
        self.generator = SeededGenerator(seed: seed)
    }

    /// Evaluation: no dropout.
    public static var inference: ForwardContext { ForwardContext(training: false) }

    /// Applies dropout with `probability` when training.
    public mutating func dropout(_ x: Tensor, probability: Float) throws -> Tensor {
        guard training, probability > 0 else { return x }
        return try x.dropout(probability: probability, generator: &generator, training: true)
    }

    /// Dropout for one attention call's probabilities when training with `probability` > 0 (one
    /// seed drawn from the generator), else `nil`.
    public mutating func attentionDropout(probability: Float) -> AttentionDropout? {
        guard training, probability > 0 else { return nil }
        return AttentionDropout(probability: probability, seed: generator.next())
    }
}
