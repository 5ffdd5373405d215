// BERT against PyTorch: tiny-bert (forward, loss, every gradient, AdamW steps) and real MiniLM-L6.
import Foundation
import SiftCheckpoints
@testable import SiftModels
@testable import SiftTrain
import SiftTensor
import SiftTestSupport
import Testing

@Suite("BERT parity with transformers", .serialized)
struct BertParityTests {
    /// The fixture batch of tiny-bert as a TokenBatch.
    func tinyBertBatch(_ ref: SafetensorsFile) throws -> (TokenBatch, [Int]) {
        let shape = try ref.entry("input_ids").shape
        let batch = try TokenBatch(ids: ref.integers("input_ids"), attentionMask: ref.integers("attention_mask"),
                                   tokenTypeIds: ref.integers("token_type_ids"), batchSize: shape[0], length: shape[1])
        return (batch, try ref.integers("labels"))
    }

    func loadTinyBert() throws -> BertForSequenceClassification {
        let bundle = try ModelLoader.load(modelFixture("tiny-bert"), task: .classification(labels: nil))
        #expect(bundle.newlyInitialized.isEmpty)
        #expect(bundle.labelNames == ["World", "Sports", "Business", "Sci/Tech"])
        guard case let .bertClassifier(model) = bundle.model else { throw ModelError.invalidInput("expected a BERT classifier") }
        model.setRequiresGrad(true)
        return model
    }

    @Test("tiny-bert: hidden states, pooled output, logits, loss and every gradient match")
    func tinyBertForwardBackward() throws {
        let ref = try referenceFile("tiny-bert")
        let model = try loadTinyBert()
        let (batch, labels) = try tinyBertBatch(ref)
        var context = ForwardContext.inference
        var observed: [Int: Tensor] = [:]
        let hidden = try model.bert.hiddenStates(batch, context: &context) { observed[$0] = $1 }
        for layer in 0...2 {
            expectClose(try #require(observed[layer]).scalars, try ref.tensor("hidden_states.\(layer)").scalars,
                        atol: 1e-5, rtol: 1e-4, "hidden_states.\(layer)")
        }
        expectClose(try model.bert.pooled(hidden).scalars, try ref.tensor("pooled_output").scalars, atol: 1e-5, rtol: 1e-4, "pooled_output")
        let logits = try model.logits(batch, context: &context)
        expectClose(logits.scalars, try ref.tensor("logits").scalars, atol: 1e-5, rtol: 1e-4, "logits")
        let loss = try Tensor.crossEntropy(logits: logits, targets: labels)
        expectClose([loss.item], try ref.tensor("loss").scalars, atol: 0, rtol: 1e-5, "loss")
        try loss.backward()
        for (name, parameter) in model.namedParameters() {
            let expected = try ref.tensor("grad." + name).scalars
            let actual = try #require(parameter.grad, "no gradient for \(name)").scalars
            let atol: Float = name.hasSuffix("key.bias") ? 1e-6 : 1e-6
            expectClose(actual, expected, atol: atol, rtol: 1e-3, "grad.\(name)")
        }
    }

    @Test("tiny-bert inference with kept weight copies (packed, fused Q/K/V) matches the fixture and follows weight changes")
    func tinyBertKeptCopies() throws {
        let ref = try referenceFile("tiny-bert")
        let model = try loadTinyBert()
        let (batch, _) = try tinyBertBatch(ref)
        func logits(keepingCopies: Bool) throws -> [Float] {
            try WeightCopyCache.withEnabled(keepingCopies) {
                try withNoGrad {
                    var context = ForwardContext.inference
                    return try model.logits(batch, context: &context).scalars
                }
            }
        }
        #expect(!model.bert.layers[0].fusedQKV.isStacked)
        let kept = try logits(keepingCopies: true)
        #expect(model.bert.layers.allSatisfy { $0.fusedQKV.isStacked }, "inference with copies kept runs the fused projection")
        expectClose(kept, try ref.tensor("logits").scalars, atol: 1e-5, rtol: 1e-4, "logits (fused Q/K/V)")
        // An in-place write (marked, as the optimizer's are) and a replaced weight are both picked up.
        let layer = model.bert.layers[1]
        let key = layer.key.weight.storage
        for index in 0..<key.count { key.pointer[index] *= -2 }
        key.markMutated()
        let afterWrite = try logits(keepingCopies: true)
        expectClose(afterWrite, try logits(keepingCopies: false), atol: 1e-6, rtol: 1e-5, "logits after an in-place write")
        #expect(zip(afterWrite, kept).contains { abs($0 - $1) > 1e-4 }, "the write changes the logits")
        layer.value.weight = try Tensor.zeros(layer.value.weight.shape)
        let afterReplace = try logits(keepingCopies: true)
        expectClose(afterReplace, try logits(keepingCopies: false), atol: 1e-6, rtol: 1e-5, "logits after a replaced weight")
        #expect(zip(afterReplace, afterWrite).contains { abs($0 - $1) > 1e-4 }, "the replacement changes the logits")
    }

    @Test("tiny-bert: one AdamW step gives the fixture's parameters; three steps give its losses")
    func tinyBertAdamW() throws {
        let ref = try referenceFile("tiny-bert")
        let model = try loadTinyBert()
        let (batch, labels) = try tinyBertBatch(ref)
        let parameters = model.namedParameters()
        let optimizer = AdamW(parameters: parameters, config: AdamWConfig(learningRate: 1e-3, weightDecay: 0.01), decayAll: true)
        let expectedLosses = try ref.tensor("losses").scalars
        for step in 0..<3 {
            var context = ForwardContext.inference
            let loss = try Tensor.crossEntropy(logits: model.logits(batch, context: &context), targets: labels)
            expectClose([loss.item], [expectedLosses[step]], atol: 0, rtol: 1e-5, "loss before step \(step + 1)")
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step(learningRate: 1e-3)
            if step == 0 {
                for (name, parameter) in parameters {
                    // key.bias has a true gradient of 0: AdamW amplifies rounding noise there (fixture README).
                    let atol: Float = name.hasSuffix("key.bias") ? 1e-3 : 1e-5
                    expectClose(parameter.scalars, try ref.tensor("param_after." + name).scalars, atol: atol, rtol: 0, "param_after.\(name)")
                }
            }
        }
        var context = ForwardContext.inference
        expectClose(try model.logits(batch, context: &context).scalars, try ref.tensor("logits_after_3_steps").scalars,
                    atol: 1e-4, rtol: 1e-3, "logits after 3 steps")
    }

    @Test("MiniLM-L6 (real weights): last hidden state, sentence embedding, pooled output, classifier logits")
    func miniLM() throws {
        guard let directory = Fixtures.miniLMDirectory else { return }
        let ref = try referenceFile("minilm-l6")
        let bundle = try ModelLoader.load(directory, task: .base)
        guard case let .bert(model) = bundle.model else { throw ModelError.invalidInput("expected a BertModel") }
        let shape = try ref.entry("input_ids").shape
        let mask = try ref.integers("attention_mask")
        let batch = try TokenBatch(ids: ref.integers("input_ids"), attentionMask: mask, tokenTypeIds: ref.integers("token_type_ids"),
                                   batchSize: shape[0], length: shape[1])
        // The fixture's ids come from the folder's tokenizer: check Sift's tokenizer gives the same.
        let hidden = try withNoGrad {
            var context = ForwardContext.inference
            return try model.hiddenStates(batch, context: &context)
        }
        // Compare at real positions (padding positions depend on masked attention details only).
        let width = 384
        let expected = try ref.tensor("last_hidden_state").scalars
        let valid = (0..<(shape[0] * shape[1])).filter { mask[$0] != 0 }
        expectClose(rows(hidden.scalars, width: width, valid), rows(expected, width: width, valid), atol: 1e-4, rtol: 0, "last_hidden_state")
        let embedding = try hidden.maskedMean(mask: mask).l2Normalized()
        expectClose(embedding.scalars, try ref.tensor("sentence_embedding").scalars, atol: 1e-5, rtol: 0, "sentence_embedding")
        expectClose(try withNoGrad { try model.pooled(hidden) }.scalars, try ref.tensor("pooled_output").scalars, atol: 1e-5, rtol: 0, "pooled_output")
        let head = try SafetensorsFile(url: modelFixture("minilm-l6").appendingPathComponent("classifier-head.safetensors"))
        let classifier = BertForSequenceClassification(
            bert: model, classifier: Linear(weight: try head.tensor("classifier.weight"), bias: try head.tensor("classifier.bias")))
        var context = ForwardContext.inference
        let logits = try withNoGrad { try classifier.logits(batch, context: &context) }
        expectClose(logits.scalars, try ref.tensor("logits").scalars, atol: 1e-5, rtol: 0, "logits")
    }

    @Test("a checkpoint without a classifier gets a new head, reported; a wrong path is a clear error")
    func newHeadAndErrors() throws {
        guard let directory = Fixtures.miniLMDirectory else { return }
        let bundle = try ModelLoader.load(directory, task: .classification(labels: ["a", "b", "c"]))
        #expect(bundle.newlyInitialized == ["classifier.weight", "classifier.bias"])
        #expect(throws: ModelError.self) { try ModelLoader.load(URL(fileURLWithPath: "/nonexistent/model"), task: .base) }
    }
}
