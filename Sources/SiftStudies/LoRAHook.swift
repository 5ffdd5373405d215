// The one place where a study's prompt-SFT run switches to LoRA: the study file's `lora` block becomes
// SiftModels' LoRA configuration, adapters go on the decoder's target projections (base frozen), and the
// run's checkpoints hold only the adapters; the exported model is merged so the test scoring reloads it
// like any other checkpoint.
import Foundation
import SiftModels
import SiftTrain

/// Prepares a decoder for LoRA fine-tuning inside a study run.
public enum LoRAHook {
    /// The SiftModels configuration for a study's LoRA block.
    public static func configuration(_ lora: LoRASpec) throws -> LoRAConfig {
        let config = LoRAConfig(rank: lora.rank, alpha: Float(lora.alpha), dropout: Float(lora.dropout),
                                targetModules: try LoRAConfig.targetModules(parsing: lora.targets.joined(separator: ",")))
        try config.validate()
        return config
    }

    /// Applies `lora` to `decoder` (adapters on `lora.targets`, base frozen) before training.
    public static func apply(_ lora: LoRASpec, to decoder: DecoderModel, seed: UInt64) throws -> LoRAAdapterSet {
        try LoRAAdapterSet.attach(to: decoder, config: try configuration(lora), seed: seed)
    }

    /// Adapter-only checkpoints, and a merged final model.
    public static func checkpointing(_ adapters: LoRAAdapterSet, bundle: ModelBundle, baseModel: String) -> LoRACheckpointing {
        LoRACheckpointing(adapters: adapters, bundle: bundle, baseModel: URL(fileURLWithPath: baseModel).standardizedFileURL.path,
                          saveMode: .merged)
    }
}
