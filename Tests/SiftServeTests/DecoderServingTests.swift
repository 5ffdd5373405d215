// The two decoder kinds behind the same API: a linear head (parity with `sift predict`) and option
// scoring of the multiple-choice prompt (parity with `sift eval --method choice`'s OptionScorer).
import Foundation
import SiftModels
@testable import SiftServe
import SiftTestSupport
import SiftTrain
import Testing

@Suite("Serving decoders (tiny Qwen3)", .serialized)
struct DecoderServingTests {
    @Test("decoder linear head: /predict equals the library's prediction, batched or not")
    func linearHeadParity() async throws {
        let texts = try ServeFixtures.texts(perClass: 2)
        let expected = try ServerEndpointTests.libraryPredictions(modelPath: Fixtures.fixture("models/tiny-qwen3-cls"),
                                                                  texts: texts.map { ($0, nil) }, maxLength: 128)
        let model = try ServeFixtures.tinyQwenClassifier()
        #expect(model.kind == .decoderClassifier && !model.canEmbed)
        try await withServer(model, configuration: ServerConfiguration(maxInputLength: 128)) { _, client in
            let batch = try await client.post("/predict", json: "{\"inputs\": [\(texts.map { "[\(quoted($0))]" }.joined(separator: ","))], \"truncate\": true}")
            #expect(batch.status == 200)
            for (row, reference) in zip(try decodeBatchAnswer(batch), expected) { ServerEndpointTests.expectClose(row, reference) }
            for (text, reference) in zip(texts, expected) {
                let single = try await client.post("/predict", json: "{\"inputs\": \(quoted(text)), \"truncate\": true}")
                ServerEndpointTests.expectClose(try decodeAnswer(single), reference)
            }
            let embed = try await client.post("/embed", json: "{\"inputs\": \"x\"}")
            #expect(embed.status == 400)
            #expect(try decodeError(embed).error.contains("encoder"))
        }
    }

    @Test("option scoring: /predict equals OptionScorer (sift eval --method choice) for the same texts")
    func choiceParity() async throws {
        let texts = try ServeFixtures.texts(perClass: 2)
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-qwen3"), task: .causalLM)
        guard case let .decoder(decoder) = bundle.model else { throw ServeSetupError("expected a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: ServeFixtures.agNewsLabels))
        let reference = try OptionScorer(model: decoder, formatter: formatter, cutoffLength: 1024, batchSize: 3).predict(texts: texts)
        let model = try ServeFixtures.tinyQwenChoice()
        #expect(model.kind == .optionScoring && model.labels == ServeFixtures.agNewsLabels)
        try await withServer(model, configuration: ServerConfiguration(maxInputLength: 1024)) { _, client in
            let batch = try await client.post("/predict", json: "{\"inputs\": [\(texts.map { "[\(quoted($0))]" }.joined(separator: ","))]}")
            #expect(batch.status == 200, "\(batch.text.prefix(200))")
            let rows = try decodeBatchAnswer(batch)
            #expect(rows.count == texts.count)
            for (row, prediction) in zip(rows, reference.predictions) {
                #expect(row.first?.label == ServeFixtures.agNewsLabels[prediction.predicted])
                let library = zip(ServeFixtures.agNewsLabels, prediction.probabilities).map { PredictedLabel(label: $0, score: $1) }
                ServerEndpointTests.expectClose(row, library)
            }
            // A text too long for the limit: 413 unless truncated (the article is shortened to fit).
            let long = String(repeating: texts[0] + " ", count: 40)
            let refused = try await client.post("/predict", json: "{\"inputs\": \(quoted(long))}")
            #expect(refused.status == 413)
            let cut = try await client.post("/predict", json: "{\"inputs\": \(quoted(long)), \"truncate\": true}")
            #expect(cut.status == 200)
        }
    }
}
