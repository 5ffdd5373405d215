// Checkpoints of a LoRA run hold only the adapter (PEFT's two files) beside the optimizer moments
// and trainer state, so they are small and resume exactly (the frozen base is reloaded from the
// original model). The final model is either that adapter (PEFT's format, the default: what
// `PeftModel.save_pretrained` writes) or the base with the adapter merged in, a normal checkpoint.
import Foundation
import SiftCheckpoints
import SiftModels
import SiftTensor

/// How a run's checkpoints store the model, when not as a full Hugging Face directory.
public protocol CheckpointModelStore: AnyObject {
    /// The file in a checkpoint that holds the trained parameters by their names.
    var weightsFileName: String { get }
    /// Writes the model files of a checkpoint into the (staging) directory `directory`.
    func writeModel(into directory: URL) throws
    /// Writes the final model from the checkpoint at `checkpoint` to `destination`.
    func exportModel(from checkpoint: URL, to destination: URL) throws
}

/// What `sift train --lora-save` writes as the final model.
public enum LoRASaveMode: String, Sendable, Codable, CaseIterable {
    /// PEFT's adapter directory (adapter_config.json + adapter_model.safetensors).
    case adapter
    /// The base model with W += s·B·A, saved as a normal Hugging Face checkpoint.
    case merged
}

/// Adapter-only checkpoints; the final model as an adapter or merged.
public final class LoRACheckpointing: CheckpointModelStore {
    public let adapters: LoRAAdapterSet
    /// The base model (its weights are changed by a merged export).
    public let bundle: ModelBundle
    /// Recorded as `base_model_name_or_path` (an absolute path, so the adapter finds its base).
    public let baseModel: String
    public let saveMode: LoRASaveMode

    public init(adapters: LoRAAdapterSet, bundle: ModelBundle, baseModel: String, saveMode: LoRASaveMode) {
        self.adapters = adapters
        self.bundle = bundle
        self.baseModel = baseModel
        self.saveMode = saveMode
    }

    public var weightsFileName: String { PEFTAdapter.weightsFileName }

    public func writeModel(into directory: URL) throws {
        try PEFTAdapter.writeFiles(adapters, baseModel: baseModel, into: directory)
    }

    /// Adapter mode copies the checkpoint's two adapter files; merged mode loads the checkpoint's
    /// adapter into the live adapters, merges them into the base weights (the in-memory model is
    /// merged afterwards) and saves the model.
    public func exportModel(from checkpoint: URL, to destination: URL) throws {
        switch saveMode {
        case .adapter:
            try AtomicDirectory.write(destination) { staging in
                for name in [PEFTAdapter.configFileName, PEFTAdapter.weightsFileName] {
                    try FileManager.default.copyItem(at: checkpoint.appendingPathComponent(name), to: staging.appendingPathComponent(name))
                }
            }
        case .merged:
            let file = try SafetensorsFile(url: checkpoint.appendingPathComponent(PEFTAdapter.weightsFileName))
            for (name, tensor) in adapters.namedParameters() {
                let saved = try file.tensor(name)
                guard saved.shape == tensor.shape else {
                    throw TrainError.invalidCheckpoint("\(name) has shape \(saved.shape) in \(checkpoint.path), the adapter has \(tensor.shape)")
                }
                tensor.storage.pointer.update(from: saved.storage.pointer, count: tensor.count)
                tensor.storage.markMutated()
            }
            try adapters.mergeIntoBase()
            try bundle.save(to: destination)
        }
    }
}
