// LORA SEAM — the one place where a study's prompt-SFT run switches to LoRA. This build has no
// LoRA implementation; the lead wires the `lora` helper's code in here at merge (wrap the decoder's
// target projections, train only the adapters, merge or save them with the checkpoint).
import SiftModels
import SiftTrain

/// Prepares a decoder for LoRA fine-tuning.
public enum LoRAHook {
    /// Applies `lora` to `decoder` (adapters on `lora.targets`, base frozen) before training.
    /// - Throws: `StudyError.loraUnavailable` in this build.
    public static func apply(_ lora: LoRASpec, to decoder: DecoderModel, run: String) throws {
        throw StudyError.loraUnavailable(run: run)
    }
}
