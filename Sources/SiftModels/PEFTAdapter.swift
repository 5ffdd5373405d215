// PEFT's adapter directory format, written and read: `adapter_config.json` (peft_type LORA, r,
// lora_alpha, lora_dropout, target_modules, task_type, base_model_name_or_path…) and
// `adapter_model.safetensors` holding `base_model.model.<module>.lora_A.weight` `[r, in]` and
// `….lora_B.weight` `[out, r]` for every adapted projection. A directory Sift writes loads with
// `PeftModel.from_pretrained(base, dir)`, and adapters PEFT saved load here — strictly: a missing,
// unexpected or mis-shaped tensor, or a PEFT feature Sift does not implement, is an error.
import Foundation
import SiftCheckpoints
import SiftTensor

/// Reading and writing PEFT LoRA adapter directories.
public enum PEFTAdapter {
    public static let configFileName = "adapter_config.json"
    public static let weightsFileName = "adapter_model.safetensors"

    /// What `adapter_config.json` says.
    public struct Description: Sendable, Equatable {
        public var config: LoRAConfig
        /// `base_model_name_or_path` (a local path or a Hub id), if recorded.
        public var baseModel: String?
        /// PEFT's task type (`CAUSAL_LM`, `SEQ_CLS`…), if recorded.
        public var taskType: String?
        /// `target_modules` was a regular expression: the adapted modules are those in the weights file.
        public var targetsFromWeights: Bool
    }

    /// Whether `url` is a directory holding `adapter_config.json`.
    public static func isAdapterDirectory(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(configFileName).path)
    }

    /// The `adapter_config.json` object PEFT writes for a LoRA adapter (its defaults for the
    /// features Sift does not use, so PEFT reads it as it reads its own).
    public static func configJSON(_ config: LoRAConfig, baseModel: String?, taskType: String) -> ConfigJSON {
        .object([
            "peft_type": .string("LORA"),
            "task_type": .string(taskType),
            "base_model_name_or_path": baseModel.map(ConfigJSON.string) ?? .null,
            "r": .number(Double(config.rank)),
            "lora_alpha": .number(decimal(config.alpha)),
            "lora_dropout": .number(decimal(config.dropout)),
            "target_modules": .array(config.targetModules.map(ConfigJSON.string)),
            "use_rslora": .bool(config.useRSLoRA),
            "bias": .string("none"),
            "fan_in_fan_out": .bool(false),
            "inference_mode": .bool(true),
            "init_lora_weights": .bool(true),
            "modules_to_save": .null,
            "layers_to_transform": .null,
            "layers_pattern": .null,
            "rank_pattern": .object([:]),
            "alpha_pattern": .object([:]),
            "use_dora": .bool(false),
            "revision": .null,
        ])
    }

    /// The Double a user typed for `value` (0.05, not 0.0500000007: Float's shortest form).
    static func decimal(_ value: Float) -> Double { Double(value.description) ?? Double(value) }

    /// Writes `adapter_config.json` and `adapter_model.safetensors` (f32) into an existing directory.
    public static func writeFiles(_ adapters: LoRAAdapterSet, baseModel: String?, taskType: String = "CAUSAL_LM", into directory: URL) throws {
        try writeJSON(configJSON(adapters.config, baseModel: baseModel, taskType: taskType),
                      to: directory.appendingPathComponent(configFileName))
        try SafetensorsWriter.write(adapters.namedParameters(), to: directory.appendingPathComponent(weightsFileName).path,
                                    metadata: ["format": "pt"])
    }

    /// Saves the adapter as the directory `directory`, assembled under a temporary name and renamed
    /// into place (an existing directory is replaced).
    public static func save(_ adapters: LoRAAdapterSet, baseModel: String?, taskType: String = "CAUSAL_LM", to directory: URL) throws {
        try AtomicDirectory.write(directory) { staging in
            try writeFiles(adapters, baseModel: baseModel, taskType: taskType, into: staging)
        }
    }

    /// Reads and checks `adapter_config.json`.
    public static func readDescription(_ directory: URL) throws -> Description {
        let url = directory.appendingPathComponent(configFileName)
        func fail(_ reason: String) -> AdapterError { .invalidAdapterFile(path: url.path, reason: reason) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw fail("cannot read it (\(error.localizedDescription))") }
        let json: ConfigJSON
        do { json = try ConfigJSON.parse(data) } catch { throw fail("not valid JSON (\(error))") }
        guard let object = json.objectValue else { throw fail("the top level is not a JSON object") }
        let peftType = object["peft_type"]?.stringValue ?? "LORA"
        guard peftType == "LORA" else { throw fail("peft_type is \(peftType); Sift loads LORA adapters only") }
        guard let r = object["r"]?.numberValue, r >= 1, r == r.rounded() else { throw fail("\"r\" must be a positive integer") }
        let alpha = object["lora_alpha"]?.numberValue ?? 8
        let dropout = object["lora_dropout"]?.numberValue ?? 0
        // Features that change the computation and that Sift does not implement: refuse, never ignore.
        if object["use_dora"]?.boolValue == true { throw fail("use_dora is true (DoRA is not supported)") }
        if object["fan_in_fan_out"]?.boolValue == true { throw fail("fan_in_fan_out is true (Conv1D-style GPT-2 weights are not supported)") }
        if let bias = object["bias"]?.stringValue, bias != "none" { throw fail("bias is \"\(bias)\"; only \"none\" is supported") }
        if object["lora_bias"]?.boolValue == true { throw fail("lora_bias is true (not supported)") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let pattern = object[key]?.objectValue, !pattern.isEmpty { throw fail("\(key) is not empty (per-module ranks/alphas are not supported)") }
        }
        for key in ["modules_to_save", "layers_to_transform", "layers_pattern"] {
            if let value = object[key], !value.isNull, value.arrayValue?.isEmpty != true {
                throw fail("\(key) is set (not supported: Sift adapts only the target projections of every layer)")
            }
        }
        var targets: [String] = []
        var fromWeights = false
        switch object["target_modules"] {
        case let .array(items)?:
            targets = try items.map { item in
                guard let name = item.stringValue else { throw fail("target_modules holds a non-string value") }
                return name
            }
        case .string?:
            fromWeights = true  // a regular expression: the weights file says which modules it matched
        default:
            throw fail("target_modules is missing (expected a list of module names)")
        }
        let config = LoRAConfig(rank: Int(r), alpha: Float(alpha), dropout: Float(dropout),
                                targetModules: fromWeights ? ["(from weights)"] : targets,
                                useRSLoRA: object["use_rslora"]?.boolValue ?? false)
        return Description(config: config, baseModel: object["base_model_name_or_path"]?.stringValue,
                           taskType: object["task_type"]?.stringValue, targetsFromWeights: fromWeights)
    }

    /// Loads the adapter in `directory` onto `model`'s projections (attached, not merged; the model
    /// is frozen). Every adapted projection needs both factors with matching shapes; a tensor the
    /// model has no place for is an error.
    public static func load(from directory: URL, into model: some ParameterContainer & LinearModuleContainer) throws -> LoRAAdapterSet {
        try load(from: directory, projections: model.linearModules(), freezing: model)
    }

    /// Loads the adapter in `directory` onto the matching projections among `projections`.
    public static func load(from directory: URL, projections: [(name: String, linear: Linear)], freezing model: ParameterContainer) throws -> LoRAAdapterSet {
        let description = try readDescription(directory)
        let weightsURL = directory.appendingPathComponent(weightsFileName)
        func fail(_ reason: String) -> AdapterError { .invalidAdapterFile(path: weightsURL.path, reason: reason) }
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw fail("missing (PyTorch adapter_model.bin files are not supported: re-save with safe_serialization=True)")
        }
        let file = try SafetensorsFile(url: weightsURL)
        var remaining = Set(file.tensorNames)
        let prefix = LoRAAdapterSet.peftPrefix
        var config = description.config
        let targets: [(name: String, linear: Linear)]
        if description.targetsFromWeights {
            targets = projections.filter { remaining.contains(prefix + $0.name + ".lora_A.weight") }
            guard !targets.isEmpty else { throw fail("no tensor names a projection of this model (expected names like \(prefix)\(projections.first?.name ?? "…").lora_A.weight)") }
            config.targetModules = targets.map(\.name)
        } else {
            targets = try LoRAAdapterSet.targetedModules(of: projections, config: config)
        }
        let randomness = LoRARandomness()
        var modules: [LoRAAdapterSet.Module] = []
        for (name, linear) in targets {
            let aName = prefix + name + ".lora_A.weight", bName = prefix + name + ".lora_B.weight"
            guard remaining.remove(aName) != nil, remaining.remove(bName) != nil else {
                throw fail("lacks \(aName) or \(bName) (target_modules \(config.targetModules) adapts \(name))")
            }
            let a = try file.tensor(aName), b = try file.tensor(bName)
            let (out, inFeatures) = (linear.weight.shape[0], linear.weight.shape[1])
            guard a.shape == [config.rank, inFeatures], b.shape == [out, config.rank] else {
                throw fail("\(name): lora_A is \(a.shape) and lora_B is \(b.shape); this model needs [\(config.rank), \(inFeatures)] and [\(out), \(config.rank)] (r = \(config.rank))")
            }
            a.name = aName
            b.name = bName
            let adapter = try LoRAAdapter(loraA: a, loraB: b, scaling: config.scaling, dropout: config.dropout, randomness: randomness)
            modules.append(LoRAAdapterSet.Module(name: name, linear: linear, adapter: adapter))
        }
        guard remaining.isEmpty else {
            let sample = remaining.sorted().prefix(3).joined(separator: ", ")
            throw fail("\(remaining.count) tensor(s) match no adapted projection of this model, e.g. \(sample) (a different base model, or PEFT features such as modules_to_save or embedding adapters)")
        }
        model.setRequiresGrad(false)
        for module in modules {
            module.adapter.loraA.requiresGrad = true
            module.adapter.loraB.requiresGrad = true
            module.linear.adapter = module.adapter
        }
        return LoRAAdapterSet(config: config, modules: modules, randomness: randomness)
    }
}
