// Qwen3 and Llama-family decoders against PyTorch: tiny-qwen3 (SFT loss, logits, gradients, AdamW),
// tiny-qwen3-cls (left/right padding, gradients) and real SmolLM2-135M from GGUF.
import Foundation
import SiftCheckpoints
import SiftModels
@testable import SiftTrain
import SiftTensor
import SiftTestSupport
import Testing

@Suite("Decoder parity with transformers", .serialized)
struct DecoderParityTests {
    func loadTinyQwen3() throws -> DecoderModel {
        let bundle = try ModelLoader.load(modelFixture("tiny-qwen3"), task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw ModelError.invalidInput("expected a decoder") }
        #expect(model.lmHead == nil, "tiny-qwen3 ties its LM head to the embeddings")
        model.setRequiresGrad(true)
        return model
    }

    func sftBatch(_ ref: SafetensorsFile) throws -> (TokenBatch, [Int]) {
        let shape = try ref.entry("input_ids").shape
        let batch = try TokenBatch(ids: ref.integers("input_ids"), attentionMask: ref.integers("attention_mask"),
                                   positionIds: ref.integers("position_ids"), batchSize: shape[0], length: shape[1])
        return (batch, try ref.integers("labels"))
    }

    @Test("tiny-qwen3: hidden states, logits, log-sum-exp, SFT loss and gradients match")
    func tinyQwen3() throws {
        let ref = try referenceFile("tiny-qwen3")
        let model = try loadTinyQwen3()
        let (batch, labels) = try sftBatch(ref)
        var observed: [Int: Tensor] = [:]
        let hidden = try model.hiddenStates(batch) { observed[$0] = $1 }
        for layer in 0...2 {
            expectClose(try #require(observed[layer]).scalars, try ref.tensor("hidden_states.\(layer)").scalars, atol: 1e-5, rtol: 1e-4, "hidden_states.\(layer)")
        }
        expectClose(hidden.scalars, try ref.tensor("final_hidden").scalars, atol: 1e-5, rtol: 1e-4, "final_hidden")
        // Logits for a vocabulary subset at every position, and full rows' log-sum-exp.
        let (b, t, c) = (batch.batchSize, batch.length, 32)
        try withNoGrad {
            let vocabIds = try ref.integers("logits_subset.vocab_ids")
            let subsetWeight = try Tensor.embedding(table: model.embedTokens, ids: vocabIds, shape: [vocabIds.count])
            let subset = try hidden.detached().reshaped([b * t, c]).linear(weight: subsetWeight)
            expectClose(subset.scalars, try ref.tensor("logits_subset").scalars, atol: 1e-5, rtol: 1e-4, "logits_subset")
            let full = try model.logits(fromHidden: hidden.detached().reshaped([b * t, c]))
            let logProbs = try full.logSoftmax(axis: -1)
            let lse = (0..<(b * t)).map { full.storage.pointer[$0 * model.config.vocabSize] - logProbs.storage.pointer[$0 * model.config.vocabSize] }
            expectClose(lse, try ref.tensor("logits.lse").scalars, atol: 1e-4, rtol: 1e-5, "logits.lse")
        }
        let (loss, count) = try model.languageModelingLoss(hidden: hidden, labels: labels)
        #expect(count == 18)
        expectClose([loss.item], try ref.tensor("loss").scalars, atol: 0, rtol: 1e-5, "loss")
        try loss.backward()
        for (name, parameter) in model.namedParameters() where name != "model.embed_tokens.weight" {
            expectClose(try #require(parameter.grad, "no gradient for \(name)").scalars, try ref.tensor("grad." + name).scalars,
                        atol: 1e-6, rtol: 1e-3, "grad.\(name)")
        }
        let embedRows = try ref.integers("embed_rows")
        let embedGrad = try #require(model.embedTokens.grad).scalars
        expectClose(rows(embedGrad, width: c, embedRows), try ref.tensor("grad_rows.model.embed_tokens.weight").scalars,
                    atol: 1e-6, rtol: 1e-3, "embedding gradient rows")
    }

    @Test("tiny-qwen3: three AdamW steps give the fixture's losses and parameters")
    func tinyQwen3AdamW() throws {
        let ref = try referenceFile("tiny-qwen3")
        let model = try loadTinyQwen3()
        let (batch, labels) = try sftBatch(ref)
        let parameters = model.namedParameters()
        let optimizer = AdamW(parameters: parameters, config: AdamWConfig(learningRate: 1e-3, weightDecay: 0.01), decayAll: true)
        let expected = try ref.tensor("losses").scalars
        for step in 0..<3 {
            let (loss, _) = try model.languageModelingLoss(hidden: model.hiddenStates(batch), labels: labels)
            expectClose([loss.item], [expected[step]], atol: 0, rtol: 1e-5, "loss before step \(step + 1)")
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step(learningRate: 1e-3)
            if step == 0 {
                for (name, parameter) in parameters where name != "model.embed_tokens.weight" {
                    expectClose(parameter.scalars, try ref.tensor("param_after." + name).scalars, atol: 1e-5, rtol: 0, "param_after.\(name)")
                }
                let embedRows = try ref.integers("embed_rows")
                expectClose(rows(model.embedTokens.scalars, width: 32, embedRows), try ref.tensor("param_after_rows.model.embed_tokens.weight").scalars,
                            atol: 1e-5, rtol: 0, "updated embedding rows")
            }
        }
    }

    @Test("tiny-qwen3-cls: right- and left-padded batches give the fixture's logits; loss and gradients match")
    func tinyQwen3Classifier() throws {
        let ref = try referenceFile("tiny-qwen3-cls")
        let bundle = try ModelLoader.load(modelFixture("tiny-qwen3-cls"), task: .classification(labels: nil))
        guard case let .decoderClassifier(model) = bundle.model else { throw ModelError.invalidInput("expected a decoder classifier") }
        #expect(bundle.newlyInitialized.isEmpty)
        model.setRequiresGrad(true)
        let shape = try ref.entry("right.input_ids").shape
        func batch(_ side: String) throws -> TokenBatch {
            try TokenBatch(ids: ref.integers("\(side).input_ids"), attentionMask: ref.integers("\(side).attention_mask"),
                           positionIds: ref.integers("\(side).position_ids"), batchSize: shape[0], length: shape[1])
        }
        let right = try batch("right"), left = try batch("left")
        #expect(try model.pooledPositions(right) == ref.integers("right.last_token_index"))
        #expect(try model.pooledPositions(left) == ref.integers("left.last_token_index"))
        let leftLogits = try withNoGrad { try model.logits(left) }
        expectClose(leftLogits.scalars, try ref.tensor("left.logits").scalars, atol: 1e-5, rtol: 1e-4, "left.logits")
        // Positions derived from the mask (no explicit position_ids) give the same result.
        var derived = left
        derived.positionIds = nil
        expectClose(try withNoGrad { try model.logits(derived) }.scalars, leftLogits.scalars, atol: 1e-6, rtol: 0, "left logits, derived positions")
        let logits = try model.logits(right)
        expectClose(logits.scalars, try ref.tensor("right.logits").scalars, atol: 1e-5, rtol: 1e-4, "right.logits")
        let loss = try Tensor.crossEntropy(logits: logits, targets: ref.integers("labels"))
        expectClose([loss.item], try ref.tensor("loss").scalars, atol: 0, rtol: 1e-5, "loss")
        try loss.backward()
        for (name, parameter) in model.namedParameters() where name != "model.embed_tokens.weight" {
            expectClose(try #require(parameter.grad, "no gradient for \(name)").scalars, try ref.tensor("grad." + name).scalars,
                        atol: 1e-6, rtol: 1e-3, "grad.\(name)")
        }
        // A batch > 1 without a pad id is refused with a clear error.
        var noPad = model.model.config
        noPad.padTokenId = nil
        let unpadded = DecoderForSequenceClassification(
            model: DecoderModel(config: noPad, embedTokens: model.model.embedTokens, layers: model.model.layers, norm: model.model.norm, lmHead: nil),
            score: model.score)
        #expect(throws: ModelError.self) { try unpadded.logits(right) }
    }

    @Test("SmolLM2-135M (real GGUF): top-20 logits, log-sum-exp, continuation log-probs, greedy generation")
    func smolLM2() throws {
        guard let gguf = Fixtures.smolLM2GGUF else { return }
        let bundle = try ModelLoader.load(gguf, task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw ModelError.invalidInput("expected a decoder") }
        let data = try Data(contentsOf: modelFixture("smollm2").appendingPathComponent("reference.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let prompts = try #require(json["prompts"] as? [[String: Any]])
        #expect(prompts.count >= 8)
        for prompt in prompts {
            let name = prompt["name"] as? String ?? "?"
            let ids = try #require(prompt["input_ids"] as? [Int])
            #expect(bundle.tokenizer.encode(try #require(prompt["prompt"] as? String), addSpecialTokens: false).ids == ids, "\(name): prompt ids")
            // 1. Last-position logits and log-sum-exp.
            let logits = try withNoGrad {
                let hidden = try model.hiddenStates(TokenBatch(ids: ids, batchSize: 1, length: ids.count))
                return try model.logits(fromHidden: hidden.pickRows([ids.count - 1]))
            }
            let top = try #require(prompt["top20"] as? [String: Any])
            let topIds = try #require(top["ids"] as? [Int]), topLogits = try #require(top["logits"] as? [Double])
            expectClose(topIds.map { logits.storage.pointer[$0] }, topLogits.map(Float.init), atol: 1e-3, rtol: 0, "\(name): top-20 logits")
            let row = logits.scalars
            let maxLogit = row.max() ?? 0
            let lse = Double(maxLogit) + log(row.reduce(0.0) { $0 + exp(Double($1 - maxLogit)) })
            #expect(abs(lse - (prompt["last_logsumexp"] as? Double ?? .nan)) < 1e-3, "\(name): last log-sum-exp")
            // 2. Continuation log-probabilities, prompt computed once.
            let continuations = try #require(prompt["continuations"] as? [[String: Any]])
            let scores = try model.scoreContinuations(prompt: ids, continuations: continuations.map { $0["ids"] as? [Int] ?? [] })
            for (continuation, score) in zip(continuations, scores) {
                let expected = try #require(continuation["token_logprobs"] as? [Double])
                expectClose(score.tokenLogprobs.map(Float.init), expected.map(Float.init), atol: 1e-3, rtol: 0, "\(name): log-probs of \(continuation["text"] ?? "")")
            }
            // 3. Greedy generation with the KV cache equals the fixture's full-forward greedy ids
            //    up to the first step whose top-1/top-2 margin is within numeric noise.
            let greedy = try #require(prompt["greedy_ids"] as? [Int])
            let margins = try #require(prompt["greedy_top1_minus_top2"] as? [Double])
            let comparable = margins.firstIndex { $0 < 2e-3 } ?? greedy.count
            let generated = try model.generate(prompts: [ids], maxNewTokens: comparable, stopTokens: [])
            #expect(Array(generated[0].tokens.prefix(comparable)) == Array(greedy.prefix(comparable)), "\(name): greedy ids")
        }
    }

    @Test("batched generation equals generating each prompt alone")
    func batchedGeneration() throws {
        let model = try loadTinyQwen3()
        let prompts = [[9707, 1879, 11], [785, 3974, 13876, 38835, 34208], [40]]
        let together = try model.generate(prompts: prompts, maxNewTokens: 6, stopTokens: [])
        for (prompt, result) in zip(prompts, together) {
            let alone = try model.generate(prompts: [prompt], maxNewTokens: 6, stopTokens: [])
            #expect(alone[0].tokens == result.tokens)
        }
        // Scoring continuations on the cached prompt equals scoring each with a full forward.
        let prompt = [9707, 1879, 11, 785]
        let continuations = [[3974], [13876, 38835], [34208, 40, 11]]
        let cached = try model.scoreContinuations(prompt: prompt, continuations: continuations)
        for (continuation, score) in zip(continuations, cached) {
            let all = prompt + continuation
            let full = try withNoGrad {
                let hidden = try model.hiddenStates(TokenBatch(ids: all, batchSize: 1, length: all.count))
                return try model.logits(fromHidden: hidden.reshaped([all.count, 32])).logSoftmax(axis: -1)
            }
            let vocab = model.config.vocabSize
            let expected = continuation.indices.map { j in full.storage.pointer[(prompt.count + j - 1) * vocab + continuation[j]] }
            expectClose(score.tokenLogprobs.map(Float.init), expected, atol: 1e-5, rtol: 0, "cached vs full scoring")
        }
    }
}
