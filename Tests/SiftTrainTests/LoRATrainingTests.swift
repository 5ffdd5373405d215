// LoRA prompt SFT through the shared Trainer: only the adapter is optimised and checkpointed, the
// base stays frozen, resuming from an adapter checkpoint ends bit-identical to an uninterrupted
// run (dropout included), and both final formats (PEFT adapter, merged) load back to the same model.
import Foundation
import SiftCheckpoints
import SiftData
import SiftModels
import SiftTensor
import SiftTestSupport
@testable import SiftTrain
import Testing

@Suite("LoRA prompt SFT", .serialized)
struct LoRATrainingTests {
    let labels = ["World", "Sports", "Business", "Sci/Tech"]
    let base = Fixtures.fixture("models/tiny-qwen3")

    struct Run {
        let bundle: ModelBundle
        let decoder: DecoderModel
        let objective: SFTObjective
        let adapters: LoRAAdapterSet
    }

    /// A fresh tiny-qwen3 with LoRA adapters and its SFT objective.
    func makeRun(lora: LoRAConfig, saveMode: LoRASaveMode = .adapter, validate: Bool = false) throws -> Run {
        let bundle = try ModelLoader.load(base, task: .causalLM)
        guard case let .decoder(decoder) = bundle.model else { throw TrainError.invalidArgument("expected a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: labels))
        let data = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/train.csv")).limitedPerClass(4)
        let examples = try data.examples.map { try formatter.sftExample(text: $0.text, label: $0.label, cutoffLength: 128) }
        let validation = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv")).limitedPerClass(1)
        let adapters = try LoRAAdapterSet.attach(to: decoder, config: lora, seed: 42)
        let objective = SFTObjective(decoder: decoder, formatter: formatter, train: examples,
                                     validationTexts: validate ? validation.examples.map(\.text) : [],
                                     validationLabels: validate ? validation.examples.map(\.label) : [],
                                     padId: 151643, cutoffLength: 128, evalBatchSize: 4, lora: adapters)
        objective.checkpointModel = LoRACheckpointing(adapters: adapters, bundle: bundle, baseModel: base.path, saveMode: saveMode)
        return Run(bundle: bundle, decoder: decoder, objective: objective, adapters: adapters)
    }

    func options(lora: LoRAConfig, maxSteps: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.learningRate = 1e-2
        o.maxSteps = maxSteps
        o.batchSize = 4
        o.loggingSteps = 2
        o.saveSteps = 4
        o.lora = lora
        return o
    }

    func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sift-lora-sft-\(name)-\(UUID().uuidString)")
    }

    @Test("only the adapter is trained and checkpointed; the base is untouched; resume from an adapter checkpoint is exact")
    func adapterTrainingAndExactResume() throws {
        let lora = LoRAConfig(rank: 4, alpha: 8, dropout: 0.1, targetModules: LoRAConfig.allDecoderProjections)
        let o = options(lora: lora, maxSteps: 8)
        let straight = temporaryDirectory("straight"), resumed = temporaryDirectory("resumed")
        defer {
            try? FileManager.default.removeItem(at: straight)
            try? FileManager.default.removeItem(at: resumed)
        }
        let run = try makeRun(lora: lora)
        let baseBefore = run.decoder.namedParameters().map { $0.tensor.scalars }
        let summary = try Trainer(bundle: run.bundle, objective: run.objective, options: o, output: straight).run()
        let losses = summary.log.compactMap(\.loss)
        #expect(losses.count >= 3 && losses.last! < losses.first!, "LoRA SFT loss should fall: \(losses)")
        #expect(run.decoder.namedParameters().map { $0.tensor.scalars } == baseBefore, "the base weights must stay frozen")
        #expect(run.adapters.modules.contains { $0.adapter.loraB.scalars.contains { $0 != 0 } }, "B should have moved from zero")
        // Checkpoints hold the adapter, its moments and the state — no base weights.
        let checkpoint = straight.appendingPathComponent("checkpoint-4")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: checkpoint.path))
        #expect(files == ["adapter_config.json", "adapter_model.safetensors", "optimizer.safetensors", "trainer_state.json"])
        let moments = try SafetensorsFile(url: checkpoint.appendingPathComponent("optimizer.safetensors"))
        #expect(moments.tensorNames.count == 2 * run.adapters.namedParameters().count)
        #expect(moments.tensorNames.allSatisfy { $0.contains(".lora_A.weight") || $0.contains(".lora_B.weight") })
        #expect(FileManager.default.fileExists(atPath: straight.appendingPathComponent("model/adapter_model.safetensors").path))
        // Resume from checkpoint-4 in a fresh process-like setting: new model, new adapters.
        try FileManager.default.createDirectory(at: resumed, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: checkpoint, to: resumed.appendingPathComponent("checkpoint-4"))
        let second = try makeRun(lora: lora)
        _ = try Trainer(bundle: second.bundle, objective: second.objective, options: o, output: resumed).run(resume: true)
        let a = try SafetensorsFile(url: straight.appendingPathComponent("checkpoint-8/adapter_model.safetensors"))
        let b = try SafetensorsFile(url: resumed.appendingPathComponent("checkpoint-8/adapter_model.safetensors"))
        #expect(a.tensorNames == b.tensorNames)
        for name in a.tensorNames {
            #expect(try a.tensor(name).scalars == b.tensor(name).scalars, "\(name) differs after resume")
        }
        // Resuming with another LoRA configuration is refused.
        var other = lora
        other.rank = 8
        let third = try makeRun(lora: other)
        #expect(throws: TrainError.self) {
            try Trainer(bundle: third.bundle, objective: third.objective, options: options(lora: other, maxSteps: 8), output: resumed).run(resume: true)
        }
    }

    @Test("the final model as a PEFT adapter and merged: both load back to the same logits as the trained adapters")
    func finalFormats() throws {
        let lora = LoRAConfig(rank: 2, alpha: 4, dropout: 0, targetModules: ["q_proj", "v_proj", "up_proj"])
        let adapterOutput = temporaryDirectory("adapter"), mergedOutput = temporaryDirectory("merged")
        defer {
            try? FileManager.default.removeItem(at: adapterOutput)
            try? FileManager.default.removeItem(at: mergedOutput)
        }
        let ids = [151644, 872, 198, 9707, 11, 1879, 151645]
        func logits(_ model: DecoderModel) throws -> [Float] {
            try withNoGrad {
                let hidden = try model.hiddenStates(TokenBatch(ids: ids, batchSize: 1, length: ids.count))
                return try model.logits(fromHidden: hidden.reshaped([ids.count, hidden.shape[2]])).scalars
            }
        }
        func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } }
        // Adapter: model/ holds PEFT's two files; loading the directory alone finds the base.
        let adapterRun = try makeRun(lora: lora, validate: true)
        _ = try Trainer(bundle: adapterRun.bundle, objective: adapterRun.objective, options: options(lora: lora, maxSteps: 4), output: adapterOutput).run()
        let trained = try logits(adapterRun.decoder)
        let finalAdapter = adapterOutput.appendingPathComponent("model")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: finalAdapter.path)) == ["adapter_config.json", "adapter_model.safetensors"])
        let loaded = try ModelLoader.load(finalAdapter, task: .causalLM, adapter: nil)
        guard case let .decoder(fromAdapter) = loaded.model else { throw TrainError.invalidArgument("expected a decoder") }
        let adapterDifference = maxDifference(try logits(fromAdapter), trained)
        print("LoRA final adapter reload: max |Δ logit| \(adapterDifference)")
        #expect(adapterDifference < 1e-4)
        // Merged: model/ is a normal checkpoint equal to the same training run's adapters.
        let mergedRun = try makeRun(lora: lora, saveMode: .merged, validate: true)
        _ = try Trainer(bundle: mergedRun.bundle, objective: mergedRun.objective, options: options(lora: lora, maxSteps: 4), output: mergedOutput).run()
        let merged = try ModelLoader.load(mergedOutput.appendingPathComponent("model"), task: .causalLM)
        guard case let .decoder(fromMerged) = merged.model else { throw TrainError.invalidArgument("expected a decoder") }
        let mergedDifference = maxDifference(try logits(fromMerged), trained)
        print("LoRA merged export: max |Δ logit| \(mergedDifference)")
        #expect(mergedDifference < 1e-4)
    }
}
