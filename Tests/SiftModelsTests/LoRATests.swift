// LoRA: the adapted projection's gradients against finite differences, PEFT's initialisation,
// merging, PEFT adapter files (round trip, strict loading, base-model discovery), and batched
// continuation scoring against a full forward per (prompt, continuation).
import Foundation
import SiftCheckpoints
import SiftModels
import SiftTensor
import SiftTestSupport
import Testing

@Suite("LoRA adapters", .serialized)
struct LoRATests {
    /// A tiny random Llama-style decoder (tied head) with a pad id.
    func tinyDecoder(seed: UInt64 = 7) throws -> DecoderModel {
        var c = DecoderConfig.llama()
        c.vocabSize = 50
        c.hiddenSize = 16
        c.intermediateSize = 24
        c.numHiddenLayers = 2
        c.numAttentionHeads = 4
        c.numKeyValueHeads = 2
        c.headDim = 4
        c.tieWordEmbeddings = true
        c.padTokenId = 0
        return try DecoderForSequenceClassification.random(config: c, labels: 2, seed: seed).model
    }

    func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sift-lora-\(name)-\(UUID().uuidString)")
    }

    func logits(_ model: DecoderModel, _ ids: [Int]) throws -> [Float] {
        try withNoGrad {
            let hidden = try model.hiddenStates(TokenBatch(ids: ids, batchSize: 1, length: ids.count))
            return try model.logits(fromHidden: hidden.reshaped([ids.count, hidden.shape[2]])).scalars
        }
    }

    @Test("the LoRA projection's gradients (x, A, B) match central finite differences")
    func gradientCheck() throws {
        var generator = SeededGenerator(seed: 3)
        let (rows, inFeatures, outFeatures, rank) = (3, 5, 4, 2)
        let linear = Linear(weight: try generator.normal([outFeatures, inFeatures]), bias: try generator.normal([outFeatures]))
        let config = LoRAConfig(rank: rank, alpha: 3, dropout: 0, targetModules: ["proj"])
        let adapter = try LoRAAdapter(loraA: try generator.normal([rank, inFeatures], requiresGrad: true),
                                      loraB: try generator.normal([outFeatures, rank], requiresGrad: true),
                                      scaling: config.scaling, dropout: 0, randomness: LoRARandomness())
        linear.adapter = adapter
        let x = try generator.normal([rows, inFeatures], requiresGrad: true)
        let probe = try generator.normal([rows, outFeatures])  // loss = Σ y ⊙ probe
        func loss() throws -> Double {
            let y = try withNoGrad { try linear(x) }
            return zip(y.scalars, probe.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let y = try linear(x)
        try (y * probe).sum().backward()
        for (name, tensor) in [("x", x), ("lora_A", adapter.loraA), ("lora_B", adapter.loraB)] {
            let analytic = try #require(tensor.grad).scalars
            var worst = 0.0
            for i in 0..<tensor.count {
                let saved = tensor.storage.pointer[i]
                let h: Float = 1e-2
                tensor.storage.pointer[i] = saved + h
                let plus = try loss()
                tensor.storage.pointer[i] = saved - h
                let minus = try loss()
                tensor.storage.pointer[i] = saved
                let numeric = (plus - minus) / Double(2 * h)
                worst = max(worst, abs(numeric - Double(analytic[i])) / max(1, abs(numeric)))
            }
            print("LoRA grad check \(name): max relative error \(worst)")
            #expect(worst < 2e-3, "\(name): finite differences disagree (max relative error \(worst))")
        }
        // The frozen base weight gets no gradient.
        #expect(linear.weight.grad == nil)
    }

    @Test("fresh adapters follow PEFT's init (A in ±1/√in, B = 0), leave logits unchanged and freeze the base")
    func freshAdapters() throws {
        let model = try tinyDecoder()
        let ids = [3, 9, 14, 27, 5]
        let before = try logits(model, ids)
        let adapters = try LoRAAdapterSet.attach(to: model, config: LoRAConfig(rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj", "down_proj"]), seed: 1)
        #expect(adapters.modules.count == 6)
        #expect(adapters.modules.map(\.name).first == "model.layers.0.self_attn.q_proj")
        #expect(try logits(model, ids) == before)
        for module in adapters.modules {
            let bound = 1 / Float(module.linear.weight.shape[1]).squareRoot()
            #expect(module.adapter.loraA.scalars.allSatisfy { abs($0) <= bound })
            #expect(Set(module.adapter.loraA.scalars).count > 1)
            #expect(module.adapter.loraB.scalars.allSatisfy { $0 == 0 })
            #expect(module.adapter.loraA.requiresGrad && module.adapter.loraB.requiresGrad)
        }
        #expect(model.namedParameters().allSatisfy { !$0.tensor.requiresGrad })
        let names = adapters.namedParameters().map(\.name)
        #expect(names.contains("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"))
        #expect(adapters.trainableParameterCount == adapters.namedParameters().reduce(0) { $0 + $1.tensor.count })
        #expect(throws: AdapterError.self) { try LoRAAdapterSet.attach(to: model, config: LoRAConfig(rank: 2, targetModules: ["q_proj"]), seed: 1) }
        #expect(throws: AdapterError.self) { try LoRAAdapterSet.attach(to: try tinyDecoder(), config: LoRAConfig(rank: 2, targetModules: ["query"]), seed: 1) }
        #expect(throws: AdapterError.self) { try LoRAConfig(rank: 0).validate() }
        #expect(try LoRAConfig.targetModules(parsing: "q, v,gate") == ["q_proj", "v_proj", "gate_proj"])
        #expect(try LoRAConfig.targetModules(parsing: "all") == LoRAConfig.allDecoderProjections)
    }

    /// Attaches adapters with random (non-zero) B so they change the function.
    func randomizedAdapters(_ model: DecoderModel, config: LoRAConfig) throws -> LoRAAdapterSet {
        let adapters = try LoRAAdapterSet.attach(to: model, config: config, seed: 5)
        var generator = SeededGenerator(seed: 11)
        for module in adapters.modules {
            let b = module.adapter.loraB
            for i in 0..<b.count { b.storage.pointer[i] = Float(generator.nextNormal()) * 0.3 }
        }
        return adapters
    }

    @Test("merging W += s·B·A computes the same logits as the attached adapters")
    func mergeMatchesAdapters() throws {
        let model = try tinyDecoder()
        let ids = [1, 4, 8, 15, 16, 23, 42]
        let base = try logits(model, ids)
        let adapters = try randomizedAdapters(model, config: LoRAConfig(rank: 3, alpha: 6, targetModules: LoRAConfig.allDecoderProjections))
        let adapted = try logits(model, ids)
        #expect(compare(adapted, base, atol: 1e-3, rtol: 0).ok == false, "the random adapters should change the logits")
        try adapters.mergeIntoBase()
        #expect(!adapters.isAttached)
        expectClose(try logits(model, ids), adapted, atol: 1e-5, rtol: 1e-4, "merged vs adapter logits")
        #expect(throws: AdapterError.self) { try adapters.mergeIntoBase() }
    }

    @Test("PEFT adapter files: names and config as PEFT writes them; reload gives identical logits; a directory finds its base")
    func peftRoundTrip() throws {
        let baseURL = modelFixture("tiny-qwen3")
        let bundle = try ModelLoader.load(baseURL, task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw ModelError.invalidInput("expected a decoder") }
        let adapters = try randomizedAdapters(model, config: LoRAConfig(rank: 4, alpha: 16, dropout: 0.05, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj"]))
        let ids = [151644, 872, 198, 9707, 151645]
        let expected = try logits(model, ids)
        let directory = temporaryDirectory("peft")
        defer { try? FileManager.default.removeItem(at: directory) }
        try PEFTAdapter.save(adapters, baseModel: baseURL.path, to: directory)
        // The files.
        let json = try #require(try ConfigJSON.parse(Data(contentsOf: directory.appendingPathComponent("adapter_config.json"))).objectValue)
        #expect(json["peft_type"] == .string("LORA") && json["task_type"] == .string("CAUSAL_LM"))
        #expect(json["r"] == .number(4) && json["lora_alpha"] == .number(16) && json["bias"] == .string("none"))
        #expect(json["fan_in_fan_out"] == .bool(false) && json["base_model_name_or_path"] == .string(baseURL.path))
        let weights = try SafetensorsFile(url: directory.appendingPathComponent("adapter_model.safetensors"))
        #expect(weights.tensorNames.count == 2 * 4 * 2)
        #expect(try weights.shape(of: "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight") == [4, 32])
        #expect(try weights.shape(of: "base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight") == [2 * 16, 4])
        // Explicit --adapter, and the adapter directory alone (base from base_model_name_or_path).
        for reloaded in [try ModelLoader.load(baseURL, task: .causalLM, adapter: directory), try ModelLoader.load(directory, task: .causalLM, adapter: nil)] {
            guard case let .decoder(other) = reloaded.model else { throw ModelError.invalidInput("expected a decoder") }
            expectClose(try logits(other, ids), expected, atol: 1e-5, rtol: 1e-4, "reloaded adapter logits")
        }
        // Loaded unmerged: the same adapters by name.
        let fresh = try ModelLoader.load(baseURL, task: .causalLM)
        guard case let .decoder(freshModel) = fresh.model else { throw ModelError.invalidInput("expected a decoder") }
        let loaded = try PEFTAdapter.load(from: directory, into: freshModel)
        #expect(loaded.config.rank == 4 && loaded.config.dropout == 0.05 && loaded.isAttached)
        for ((nameA, a), (nameB, b)) in zip(loaded.namedParameters(), adapters.namedParameters()) {
            #expect(nameA == nameB && a.scalars == b.scalars)
        }
    }

    @Test("broken adapters are refused with a clear error: missing or extra tensor, wrong shape, DoRA, bad JSON, unknown base")
    func strictLoading() throws {
        let model = try tinyDecoder()
        let adapters = try randomizedAdapters(model, config: LoRAConfig(rank: 2, alpha: 4, targetModules: ["q_proj", "v_proj"]))
        let good = temporaryDirectory("good")
        defer { try? FileManager.default.removeItem(at: good) }
        try PEFTAdapter.save(adapters, baseModel: "/nonexistent/base", to: good)
        func variant(_ name: String, _ edit: (URL) throws -> Void) throws -> URL {
            let url = temporaryDirectory(name)
            try FileManager.default.copyItem(at: good, to: url)
            try edit(url)
            return url
        }
        func expectRefused(_ url: URL, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                _ = try PEFTAdapter.load(from: url, into: try tinyDecoder())
                Issue.record("expected an error mentioning \(text)", sourceLocation: sourceLocation)
            } catch {
                #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
            }
        }
        let weightsName = "adapter_model.safetensors"
        var tensors = adapters.namedParameters()
        expectRefused(try variant("missing") { url in
            try SafetensorsWriter.write(Array(tensors.dropLast()), to: url.appendingPathComponent(weightsName).path)
        }, containing: "lacks")
        expectRefused(try variant("extra") { url in
            try SafetensorsWriter.write(tensors + [("base_model.model.lm_head.lora_A.weight", try Tensor.zeros([2, 16]))],
                                        to: url.appendingPathComponent(weightsName).path)
        }, containing: "match no adapted projection")
        tensors[0] = (tensors[0].name, try Tensor.zeros([3, 16]))
        expectRefused(try variant("shape") { url in
            try SafetensorsWriter.write(tensors, to: url.appendingPathComponent(weightsName).path)
        }, containing: "this model needs")
        func editConfig(_ url: URL, _ change: (inout [String: ConfigJSON]) -> Void) throws {
            let configURL = url.appendingPathComponent("adapter_config.json")
            var object = try #require(try ConfigJSON.parse(Data(contentsOf: configURL)).objectValue)
            change(&object)
            try writeJSON(.object(object), to: configURL)
        }
        expectRefused(try variant("dora") { try editConfig($0) { $0["use_dora"] = .bool(true) } }, containing: "DoRA")
        expectRefused(try variant("prefix") { try editConfig($0) { $0["peft_type"] = .string("PREFIX_TUNING") } }, containing: "LORA adapters only")
        expectRefused(try variant("json") { url in
            try Data("{\"r\": 2, ".utf8).write(to: url.appendingPathComponent("adapter_config.json"))
        }, containing: "not valid JSON")
        expectRefused(try variant("noweights") { url in
            try FileManager.default.removeItem(at: url.appendingPathComponent(weightsName))
        }, containing: "missing")
        #expect(throws: AdapterError.self) { try ModelLoader.load(good, task: .causalLM, adapter: nil) }
        // A regular-expression target list: the weights file says which projections are adapted.
        let regex = try variant("regex") { try editConfig($0) { $0["target_modules"] = .string(".*(q|v)_proj") } }
        defer { try? FileManager.default.removeItem(at: regex) }
        #expect(try PEFTAdapter.load(from: regex, into: try tinyDecoder()).modules.count == 4)
    }

    @Test("batched continuation scoring across prompts equals a full forward per (prompt, continuation)")
    func batchedScoringMatchesFullForward() throws {
        let model = try tinyDecoder()
        let prompts = [[5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15, 16]]
        let continuations = [[20], [21, 22, 23], [24, 25]]
        let batched = try model.scoreContinuations(prompts: prompts, continuations: continuations)
        #expect(batched.count == prompts.count)
        var worst = 0.0
        for (p, prompt) in prompts.enumerated() {
            // The single-prompt cached path must agree too.
            let single = try model.scoreContinuations(prompt: prompt, continuations: continuations)
            for (c, continuation) in continuations.enumerated() {
                let all = prompt + continuation
                let logProbs = try withNoGrad {
                    let hidden = try model.hiddenStates(TokenBatch(ids: all, batchSize: 1, length: all.count))
                    return try model.logits(fromHidden: hidden.reshaped([all.count, hidden.shape[2]])).logSoftmax(axis: -1)
                }
                let vocab = logProbs.shape[1]
                let expected = continuation.indices.map { j in Double(logProbs.storage.pointer[(prompt.count - 1 + j) * vocab + continuation[j]]) }
                let got = batched[p][c].tokenLogprobs
                #expect(got.count == expected.count)
                for (a, b) in zip(got, expected) { worst = max(worst, abs(a - b)) }
                for (a, b) in zip(single[c].tokenLogprobs, expected) { worst = max(worst, abs(a - b)) }
            }
        }
        print("batched continuation scoring: max |Δ log p| \(worst)")
        #expect(worst < 1e-4)
    }
}
