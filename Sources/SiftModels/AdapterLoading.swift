// Loading a model with a PEFT adapter on top: the base named explicitly with `adapter`, or found
// through the adapter's `base_model_name_or_path` when the path given is an adapter directory
// (adapter_config.json, no config.json). The adapter is merged into the weights, so inference
// runs at the base model's speed.
import Foundation

extension ModelLoader {
    /// Loads `url` for `task` and applies a PEFT LoRA adapter merged into the weights: `adapter`
    /// when given, else `url` itself when it is an adapter directory (its base model is then
    /// `base_model_name_or_path` from adapter_config.json, resolved by `baseModel(ofAdapter:)`).
    /// Without either it is `load(_:task:seed:)`.
    public static func load(_ url: URL, task: ModelTask, adapter: URL?, seed: UInt64 = 0) throws -> ModelBundle {
        var base = url, adapterDirectory = adapter
        if adapterDirectory == nil, isAdapterOnlyDirectory(url) {
            adapterDirectory = url
            base = try baseModel(ofAdapter: url)
        }
        let bundle = try load(base, task: task, seed: seed)
        guard let adapterDirectory else { return bundle }
        let adapters = try PEFTAdapter.load(from: adapterDirectory, projections: bundle.model.linearModules,
                                            freezing: bundle.model.parameterContainer)
        try adapters.mergeIntoBase()
        return bundle
    }

    /// Whether `url` is a directory with adapter_config.json and no config.json of its own.
    public static func isAdapterOnlyDirectory(_ url: URL) -> Bool {
        PEFTAdapter.isAdapterDirectory(url)
            && !FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path)
    }

    /// The local base model of an adapter directory: `base_model_name_or_path` as an absolute path,
    /// else relative to the adapter directory, else relative to the working directory.
    public static func baseModel(ofAdapter directory: URL) throws -> URL {
        let description = try PEFTAdapter.readDescription(directory)
        let configPath = directory.appendingPathComponent(PEFTAdapter.configFileName).path
        guard let name = description.baseModel, !name.isEmpty else {
            throw AdapterError.invalidAdapterFile(path: configPath, reason: "base_model_name_or_path is not set: pass the base model with --model and the adapter with --adapter")
        }
        let candidates = name.hasPrefix("/") ? [URL(fileURLWithPath: name)]
            : [directory.appendingPathComponent(name), URL(fileURLWithPath: name)]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw AdapterError.invalidAdapterFile(path: configPath, reason: "its base model \"\(name)\" is not a local path (Hub ids are not resolved here): pass the base model with --model and the adapter with --adapter")
        }
        return found.standardizedFileURL
    }
}
