// BERT's dropout sites in training: `attention_probs_dropout_prob` on the attention probabilities
// (as transformers' BertSelfAttention), separate from `hidden_dropout_prob`.
@testable import SiftModels
import SiftTensor
import Testing

@Suite("BERT dropout")
struct BertDropoutTests {
    func tinyBert(attentionDropout: Float) throws -> BertForSequenceClassification {
        var config = BertConfig()
        config.vocabSize = 40
        config.hiddenSize = 16
        config.numHiddenLayers = 2
        config.numAttentionHeads = 2
        config.intermediateSize = 32
        config.maxPositionEmbeddings = 16
        config.hiddenDropoutProb = 0
        config.attentionProbsDropoutProb = attentionDropout
        return try BertForSequenceClassification.random(config: config, labels: 3, seed: 4)
    }

    let batch = try! TokenBatch(ids: [2, 7, 9, 11, 3, 0, 2, 5, 6, 8, 13, 3], attentionMask: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
                                batchSize: 2, length: 6)

    func hidden(_ model: BertForSequenceClassification, training: Bool, seed: UInt64 = 1) throws -> [Float] {
        var context = ForwardContext(training: training, seed: seed)
        return try model.bert.hiddenStates(batch, context: &context).scalars
    }

    @Test("attention dropout changes training forwards only, and a seed fixes its masks")
    func attentionProbabilityDropout() throws {
        let model = try tinyBert(attentionDropout: 0.5)
        let evaluation = try hidden(model, training: false)
        let trained = try hidden(model, training: true)
        #expect(trained != evaluation, "training applies dropout to the attention probabilities")
        #expect(try hidden(model, training: true) == trained, "the same seed draws the same masks")
        #expect(try hidden(model, training: true, seed: 2) != trained, "another seed draws other masks")

        let withoutDropout = try tinyBert(attentionDropout: 0)
        #expect(try hidden(withoutDropout, training: true) == (try hidden(withoutDropout, training: false)),
                "with both dropout probabilities 0 a training forward is the evaluation forward")
    }
}
