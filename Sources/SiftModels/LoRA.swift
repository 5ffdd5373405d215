// LoRA (low-rank adaptation) as PEFT implements it: a frozen projection plus a trainable
// low-rank update,
//     y = W·x + b + s · B·(A·dropout(x)),   s = alpha / r   (alpha / √r with rsLoRA).
// A `[r, in]` starts Kaiming-uniform with a = √5 (PEFT's default, i.e. U(−1/√in, 1/√in)) and
// B `[out, r]` starts at zero, so a fresh adapter leaves the model's outputs unchanged.
// Parameter names are those of PEFT's saved adapters: `base_model.model.<module>.lora_A.weight`.
import Foundation
import SiftTensor

/// The hyper-parameters of a LoRA adapter (PEFT's `LoraConfig` subset Sift supports).
public struct LoRAConfig: Sendable, Codable, Equatable {
    /// r: the rank of the update.
    public var rank: Int
    /// The update is scaled by `alpha / rank` (or `alpha / √rank` with rsLoRA).
    public var alpha: Float
    /// Dropout on the adapter's input while training (0 disables it).
    public var dropout: Float
    /// Module names, or name suffixes after a dot (PEFT's `target_modules` list), e.g. `q_proj`.
    public var targetModules: [String]
    /// Rank-stabilised scaling alpha / √r (PEFT's `use_rslora`).
    public var useRSLoRA: Bool

    public init(rank: Int = 8, alpha: Float = 16, dropout: Float = 0, targetModules: [String] = LoRAConfig.allDecoderProjections,
                useRSLoRA: Bool = false) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targetModules = targetModules
        self.useRSLoRA = useRSLoRA
    }

    /// The factor the low-rank product is multiplied by.
    public var scaling: Float { useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }

    /// Every linear projection of a Qwen3/Llama decoder layer.
    public static let allDecoderProjections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    /// Short names accepted on the command line for the decoder projections.
    static let shortNames = ["q": "q_proj", "k": "k_proj", "v": "v_proj", "o": "o_proj",
                             "gate": "gate_proj", "up": "up_proj", "down": "down_proj"]

    /// Parses a comma-separated target list: `all` (every decoder projection), short names
    /// (`q,k,v,o,gate,up,down`) or module names (`q_proj`, BERT's `query`, `dense`…).
    public static func targetModules(parsing list: String) throws -> [String] {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else { throw AdapterError.invalidConfig("the LoRA target list is empty: name modules such as q,k,v,o,gate,up,down or all") }
        if items == ["all"] { return allDecoderProjections }
        var result: [String] = []
        for item in items {
            let name = shortNames[item] ?? item
            guard name.unicodeScalars.allSatisfy({ $0 == "_" || $0 == "." || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }) else {
                throw AdapterError.invalidConfig("LoRA target \"\(item)\" is not a module name (letters, digits, '_' and '.')")
            }
            if !result.contains(name) { result.append(name) }
        }
        return result
    }

    /// Checks values a user may get wrong.
    public func validate() throws {
        guard rank >= 1 else { throw AdapterError.invalidConfig("the LoRA rank must be at least 1, got \(rank)") }
        guard alpha.isFinite && alpha > 0 else { throw AdapterError.invalidConfig("the LoRA alpha must be positive, got \(alpha)") }
        guard dropout >= 0 && dropout < 1 else { throw AdapterError.invalidConfig("the LoRA dropout must be in [0, 1), got \(dropout)") }
        guard !targetModules.isEmpty else { throw AdapterError.invalidConfig("the LoRA target module list is empty") }
    }

    /// Whether the module at `name` (e.g. `model.layers.3.self_attn.q_proj`) is a target: its name
    /// equals a target or ends with `.target` (PEFT's rule for a list of targets).
    public func targets(moduleName name: String) -> Bool {
        targetModules.contains { name == $0 || name.hasSuffix("." + $0) }
    }
}

/// The dropout randomness of every adapter of one model, in one place so a trainer can hand it
/// its own generator before a forward and take it back after (exact resumption).
public final class LoRARandomness {
    /// Dropout is applied only while training.
    public var training: Bool = false
    /// The generator dropout masks are drawn from.
    public var generator: SeededGenerator

    public init(seed: UInt64 = 0) {
        generator = SeededGenerator(seed: seed)
    }
}

/// The low-rank update of one projection: `s · B·(A·dropout(x))`.
public final class LoRAAdapter: ParameterContainer {
    /// `[r, in]` (PEFT's `lora_A.weight`).
    public let loraA: Tensor
    /// `[out, r]` (PEFT's `lora_B.weight`).
    public let loraB: Tensor
    /// alpha / r (or alpha / √r).
    public let scaling: Float
    /// Dropout probability on the input while training.
    public let dropout: Float
    let randomness: LoRARandomness

    /// Wraps existing factors (checked: A `[r, in]`, B `[out, r]`).
    public init(loraA: Tensor, loraB: Tensor, scaling: Float, dropout: Float, randomness: LoRARandomness) throws {
        guard loraA.rank == 2, loraB.rank == 2, loraB.shape[1] == loraA.shape[0] else {
            throw AdapterError.shapeMismatch("lora_A is \(loraA.shape) and lora_B is \(loraB.shape); expected A [r, in] and B [out, r]")
        }
        self.loraA = loraA
        self.loraB = loraB
        self.scaling = scaling
        self.dropout = dropout
        self.randomness = randomness
    }

    /// A fresh adapter for a `[out, in]` projection: A ~ U(−1/√in, 1/√in), B = 0, both trainable.
    public convenience init(inFeatures: Int, outFeatures: Int, config: LoRAConfig, randomness: LoRARandomness,
                            generator: inout SeededGenerator) throws {
        let bound = 1 / Float(inFeatures).squareRoot()
        let a = try generator.uniform([config.rank, inFeatures], low: -bound, high: bound, requiresGrad: true)
        let b = try Tensor.zeros([outFeatures, config.rank], requiresGrad: true)
        try self.init(loraA: a, loraB: b, scaling: config.scaling, dropout: config.dropout, randomness: randomness)
    }

    /// `[..., in]` → `[..., out]`. The scale is applied to the narrow `[…, r]` intermediate.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var input = x
        if randomness.training && dropout > 0 {
            input = try x.dropout(probability: dropout, generator: &randomness.generator, training: true)
        }
        return try input.linear(weight: loraA).scaled(by: scaling).linear(weight: loraB)
    }

    /// The dense update `s · B·A`, `[out, in]` (no graph).
    public func denseUpdate() throws -> Tensor {
        try withNoGrad { try loraB.matmul(loraA).scaled(by: scaling) }
    }

    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        [("lora_A.weight", loraA), ("lora_B.weight", loraB)]
    }
}

/// The adapters attached to one model's projections. Its parameters — and only they — are named
/// as in PEFT's `adapter_model.safetensors`, so a trainer given this container optimises and
/// checkpoints the adapters alone.
public final class LoRAAdapterSet: ParameterContainer {
    /// One adapted projection.
    public struct Module {
        /// The projection's name in the model (e.g. `model.layers.0.self_attn.q_proj`).
        public let name: String
        public let linear: Linear
        public let adapter: LoRAAdapter
    }

    /// The prefix PEFT gives every parameter of a `PeftModel` (`base_model.model.`).
    public static let peftPrefix = "base_model.model."

    public let config: LoRAConfig
    public let modules: [Module]
    /// Shared dropout randomness of every adapter in the set.
    public let randomness: LoRARandomness

    init(config: LoRAConfig, modules: [Module], randomness: LoRARandomness) {
        self.config = config
        self.modules = modules
        self.randomness = randomness
    }

    /// Freezes `model` and attaches fresh adapters (A Kaiming-uniform, B zero) to every projection
    /// `config` targets. Throws if none matches or a projection already has an adapter.
    public static func attach(to model: some ParameterContainer & LinearModuleContainer, config: LoRAConfig, seed: UInt64) throws -> LoRAAdapterSet {
        try attach(to: model.linearModules(), freezing: model, config: config, seed: seed)
    }

    /// Freezes `model` and attaches fresh adapters to the projections among `projections` that
    /// `config` targets (see `attach(to:config:seed:)`).
    public static func attach(to projections: [(name: String, linear: Linear)], freezing model: ParameterContainer,
                              config: LoRAConfig, seed: UInt64) throws -> LoRAAdapterSet {
        try config.validate()
        let targets = try targetedModules(of: projections, config: config)
        model.setRequiresGrad(false)
        let randomness = LoRARandomness(seed: seed)
        var generator = SeededGenerator(seed: seed)
        var modules: [Module] = []
        for (name, linear) in targets {
            let (out, inFeatures) = (linear.weight.shape[0], linear.weight.shape[1])
            let adapter = try LoRAAdapter(inFeatures: inFeatures, outFeatures: out, config: config, randomness: randomness, generator: &generator)
            adapter.loraA.name = peftPrefix + name + ".lora_A.weight"
            adapter.loraB.name = peftPrefix + name + ".lora_B.weight"
            modules.append(Module(name: name, linear: linear, adapter: adapter))
        }
        for module in modules { module.linear.adapter = module.adapter }
        return LoRAAdapterSet(config: config, modules: modules, randomness: randomness)
    }

    /// The projections of `model` that `config` targets, in model order.
    static func targetedModules(of all: [(name: String, linear: Linear)], config: LoRAConfig) throws -> [(name: String, linear: Linear)] {
        let targets = all.filter { config.targets(moduleName: $0.name) }
        guard !targets.isEmpty else {
            let leaves = Set(all.map { $0.name.split(separator: ".").last.map(String.init) ?? $0.name }).sorted()
            throw AdapterError.noTargetModule("no projection matches the LoRA targets \(config.targetModules); this model's projections are named \(leaves.joined(separator: ", "))")
        }
        if let taken = targets.first(where: { $0.linear.adapter != nil }) {
            throw AdapterError.invalidConfig("\(taken.name) already has an adapter attached: merge or detach it first")
        }
        return targets
    }

    /// Number of trainable adapter elements.
    public var trainableParameterCount: Int { modules.reduce(0) { $0 + $1.adapter.loraA.count + $1.adapter.loraB.count } }

    /// Whether the adapters are still attached to their projections.
    public var isAttached: Bool { modules.contains { $0.linear.adapter === $0.adapter } }

    /// Adds `s·B·A` into every adapted weight and detaches the adapters: the model then computes
    /// the same function with plain projections (and saves as a normal checkpoint).
    public func mergeIntoBase() throws {
        guard isAttached else { throw AdapterError.invalidConfig("the adapters were already merged or detached") }
        for module in modules {
            let update = try module.adapter.denseUpdate()
            let weight = module.linear.weight
            guard update.shape == weight.shape else {
                throw AdapterError.shapeMismatch("\(module.name): the update is \(update.shape), the weight \(weight.shape)")
            }
            let w = weight.storage.pointer, u = update.storage.pointer
            for i in 0..<weight.count { w[i] += u[i] }
            weight.storage.markMutated()  // kept bf16 copies of the frozen weight are stale now
            module.linear.adapter = nil
        }
    }

    /// Removes the adapters from their projections without changing the base weights.
    public func detach() {
        for module in modules where module.linear.adapter === module.adapter { module.linear.adapter = nil }
    }

    /// PEFT's names: `base_model.model.<module>.lora_A.weight`, `….lora_B.weight`.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        modules.flatMap { module in
            module.adapter.namedParameters().map { (Self.peftPrefix + module.name + "." + $0.name, $0.tensor) }
        }
    }
}
