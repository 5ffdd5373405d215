// Flags of LoRA training (`sift train --method sft`) and of loading PEFT adapters (eval, predict,
// score, generate).
import ArgumentParser
import Foundation
import SiftModels
import SiftTrain

/// `--lora-*`: train a LoRA adapter instead of every weight.
struct LoRAOptions: ParsableArguments {
    @Option(help: "Train LoRA adapters of this rank on the frozen model instead of all weights (prompt SFT).")
    var loraRank: Int?

    @Option(help: "LoRA alpha: the update is scaled by alpha/rank (default: 2 × rank).")
    var loraAlpha: Float?

    @Option(help: "Dropout on the LoRA input while training.")
    var loraDropout: Float = 0

    @Option(help: "Projections to adapt: all, or a comma-separated subset of q,k,v,o,gate,up,down (module names such as q_proj also work).")
    var loraTargets: String = "all"

    @Option(help: "Final model: adapter (PEFT's adapter_config.json + adapter_model.safetensors, loadable with PeftModel.from_pretrained and sift --adapter) or merged (a normal checkpoint with the update added to the weights). Checkpoints always hold only the adapter.")
    var loraSave: LoRASaveMode = .adapter

    /// The LoRA configuration, or nil without `--lora-rank`.
    func config() throws -> LoRAConfig? {
        guard let rank = loraRank else { return nil }
        let config = LoRAConfig(rank: rank, alpha: loraAlpha ?? Float(2 * rank), dropout: loraDropout,
                                targetModules: try LoRAConfig.targetModules(parsing: loraTargets))
        try config.validate()
        return config
    }
}

/// `--adapter`: a PEFT LoRA adapter applied (merged) on top of `--model`.
struct AdapterOption: ParsableArguments {
    @Option(help: "A PEFT LoRA adapter directory to apply on top of --model (a --model that is itself an adapter directory finds its base through base_model_name_or_path).")
    var adapter: String?

    /// Loads `model` (a local path, already resolved from a Hub id if need be) for `task` with the adapter
    /// merged in (or the adapter directory's base).
    func load(_ model: URL, task: ModelTask, seed: UInt64 = 0) throws -> ModelBundle {
        try ModelLoader.load(model, task: task, adapter: adapter.map { URL(fileURLWithPath: $0) }, seed: seed)
    }
}

extension LoRASaveMode: ExpressibleByArgument {}
