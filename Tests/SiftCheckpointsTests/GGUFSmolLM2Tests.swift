// The real SmolLM2-135M-Instruct Q4_1 GGUF: metadata against the transformers config stored in the
// fixture, the embedded tokenizer against the fixture's token strings, every tensor mapped to a
// Hugging Face name, dequantised (and q/k un-permuted) values bit-exact to gguf-py + transformers'
// un-permutation (smollm2-dequant.json), and the time to load everything.
import Foundation
import Testing
import SiftTensor
import SiftTestSupport
@testable import SiftCheckpoints

@Suite("SmolLM2 GGUF", .serialized)
struct GGUFSmolLM2Tests {
    static func reference() throws -> [String: Any]? {
        let url = Fixtures.fixture("models/smollm2/reference.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("SKIP: \(url.path) not present")
            return nil
        }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    }

    @Test("metadata gives the configuration transformers derived")
    func configuration() throws {
        guard let path = Fixtures.smolLM2GGUF?.path, let reference = try Self.reference() else { return }
        let config = try #require(reference["config"] as? [String: Any])
        let rope = try #require(reference["rope"] as? [String: Any])
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        let model = try file.modelConfig()
        #expect(model.architecture == "llama")
        #expect(model.blockCount == config["num_hidden_layers"] as? Int)
        #expect(model.embeddingLength == config["hidden_size"] as? Int)
        #expect(model.feedForwardLength == config["intermediate_size"] as? Int)
        #expect(model.headCount == config["num_attention_heads"] as? Int)
        #expect(model.headCountKV == config["num_key_value_heads"] as? Int)
        #expect(model.vocabSize == config["vocab_size"] as? Int)
        #expect(model.contextLength == config["max_position_embeddings"] as? Int)
        #expect(model.rmsNormEpsilon == config["rms_norm_eps"] as? Double)
        #expect(model.ropeFreqBase == rope["rope_theta"] as? Double)
        #expect(model.headDimension == 64)
    }

    @Test("the embedded tokenizer matches the fixture's token strings")
    func tokenizer() throws {
        guard let path = Fixtures.smolLM2GGUF?.path else { return }
        let jsonl = Fixtures.fixture("tokenizers/smollm2.jsonl")
        guard FileManager.default.fileExists(atPath: jsonl.path) else {
            print("SKIP: \(jsonl.path) not present")
            return
        }
        let tokenizer = try GGUFFile(path: path).tokenizerData()
        #expect(tokenizer.model == "gpt2")
        #expect(tokenizer.preTokenizer == "smollm")
        #expect(tokenizer.tokens.count == 49152)
        #expect(tokenizer.merges.count == 48900)
        #expect(tokenizer.tokenTypes?.count == tokenizer.tokens.count)
        #expect(tokenizer.bosTokenID == 1)
        #expect(tokenizer.eosTokenID == 2)
        #expect(tokenizer.paddingTokenID == 2)
        #expect(tokenizer.addBOSToken == false)
        #expect(tokenizer.tokens[1] == "<|im_start|>" && tokenizer.tokens[2] == "<|im_end|>")
        #expect(tokenizer.chatTemplate?.contains("You are a helpful AI assistant named SmolLM") == true)
        // Every (id, token) pair of the fixture must agree with the GGUF vocabulary.
        var checked = 0
        for line in try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n") {
            guard let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let ids = row["ids"] as? [Int], let tokens = row["tokens"] as? [String] else { continue }
            for (id, token) in zip(ids, tokens) {
                #expect(tokenizer.tokens[id] == token, "id \(id)")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test("tensors map to Hugging Face names and dequantise bit-exactly")
    func dequantisedTensors() throws {
        guard let path = Fixtures.smolLM2GGUF?.path, let reference = try Self.reference() else { return }
        let weights = try GGUFHuggingFaceWeights(path: path)
        #expect(weights.file.tensors.count == 272)
        let typeCounts = Dictionary(grouping: weights.file.tensors, by: \.type).mapValues(\.count)
        #expect(typeCounts == [.q4_1: 210, .q8_0: 1, .f32: 61])
        // The fixture's dequant_check lists the tensors transformers' weights were compared with.
        let fixtureCheck = try #require(reference["dequant_check"] as? [String: [String: Any]])
        let expected = try #require(try TestFiles.jsonResource("smollm2-dequant.json")["tensors"] as? [String: [String: Any]])
        #expect(Set(expected.values.compactMap { $0["gguf_name"] as? String }) == Set(fixtureCheck.keys))
        for (hfName, info) in expected {
            let ggufName = try #require(info["gguf_name"] as? String)
            #expect(try weights.ggufName(for: hfName) == ggufName)
            let tensor = try weights.loadTensor(hfName)
            #expect(tensor.shape == info["shape"] as? [Int], "\(hfName)")
            #expect(tensor.shape == fixtureCheck[ggufName]?["shape_hf"] as? [Int], "\(hfName)")
            #expect(bitChecksum(tensor) == (info["checksum"] as? String).flatMap(UInt64.init), "\(hfName)")
            let indices = try #require(info["sample_indices"] as? [Int])
            let bits = try #require(info["sample_bits"] as? [Int])
            for (index, expectedBits) in zip(indices, bits) {
                #expect(Int(tensor.storage.pointer[index].bitPattern) == expectedBits, "\(hfName)[\(index)]")
            }
        }
        // Without the un-permutation q would differ: the check above is sensitive to it.
        let rawQ = try weights.file.dequantize("blk.0.attn_q.weight")
        let qInfo = try #require(expected["model.layers.0.self_attn.q_proj.weight"])
        #expect(bitChecksum(rawQ) != (qInfo["checksum"] as? String).flatMap(UInt64.init))
    }

    @Test("strict load of all tensors by Hugging Face name, timed")
    func loadAllTimed() throws {
        guard let path = Fixtures.smolLM2GGUF?.path else { return }
        let start = ContinuousClock.now
        let weights = try GGUFHuggingFaceWeights(path: path)
        let config = try weights.file.modelConfig()
        let hidden = config.embeddingLength, kv = config.headCountKV * config.headDimension, ffn = config.feedForwardLength
        var expected: [(name: String, shape: [Int])] = [
            ("model.embed_tokens.weight", [config.vocabSize, hidden]), ("model.norm.weight", [hidden]),
            ("lm_head.weight", [config.vocabSize, hidden]),
        ]
        for layer in 0..<config.blockCount {
            let prefix = "model.layers.\(layer)."
            expected += [
                (prefix + "input_layernorm.weight", [hidden]), (prefix + "post_attention_layernorm.weight", [hidden]),
                (prefix + "self_attn.q_proj.weight", [hidden, hidden]), (prefix + "self_attn.k_proj.weight", [kv, hidden]),
                (prefix + "self_attn.v_proj.weight", [kv, hidden]), (prefix + "self_attn.o_proj.weight", [hidden, hidden]),
                (prefix + "mlp.gate_proj.weight", [ffn, hidden]), (prefix + "mlp.up_proj.weight", [ffn, hidden]),
                (prefix + "mlp.down_proj.weight", [hidden, ffn]),
            ]
        }
        let set = try WeightSet.load(from: weights, expecting: expected, optional: ["lm_head.weight"], sourceName: path)
        let elapsed = ContinuousClock.now - start
        #expect(set.tensors.count == 272)
        #expect(set["lm_head.weight"] == nil, "SmolLM2 ties lm_head to the embeddings")
        let elements = set.tensors.values.reduce(0) { $0 + $1.count }
        print("SmolLM2 GGUF: parsed + dequantised \(set.tensors.count) tensors (\(elements) values) in \(elapsed) with \(Parallel.threadCount) threads (shared machine)")
        // A missing lm_head without the optional flag is reported by name.
        let report = try WeightSet.mismatches(in: weights, expecting: expected)
        #expect(report.missing == ["lm_head.weight"] && report.unexpected.isEmpty && report.misshaped.isEmpty)
    }
}
