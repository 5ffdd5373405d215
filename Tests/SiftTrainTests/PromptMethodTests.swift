// Prompt methods: the study prompt through the Qwen3 chat template (byte-exact against the fixture),
// answer-only SFT labels (against tiny-qwen3's fixture batch), batched option scoring (against a full
// forward per option), zero-shot generation, and answer parsing.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTestSupport
import SiftTokenizers
@testable import SiftTrain
import Testing

@Suite("Prompt methods", .serialized)
struct PromptMethodTests {
    let agNewsLabels = ["World", "Sports", "Business", "Sci/Tech"]

    func qwenFormatter() throws -> PromptFormatter {
        let tokenizer = try Tokenizer.load(from: Fixtures.sharedFile("tokenizers/qwen3"))
        return PromptFormatter(tokenizer: tokenizer, template: .study(labelNames: agNewsLabels))
    }

    @Test("the study prompt renders byte-exact through the Qwen3 chat template; SFT labels cover the answer only")
    func chatRenderingMatchesFixture() throws {
        let formatter = try qwenFormatter()
        #expect(formatter.thinkingModel)
        let lines = try String(contentsOf: Fixtures.fixture("tokenizers/chat/qwen3_chat.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 20)
        for line in lines {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let article = try #require(row["news_article"] as? String)
            let label = try #require(row["label"] as? Int)
            #expect(try formatter.promptText(text: article) == row["prompt_text"] as? String)
            #expect(try formatter.promptIds(text: article) == row["prompt_ids"] as? [Int])
            let sft = try formatter.sftExample(text: article, label: label)
            #expect(sft.ids == row["sft_ids"] as? [Int])
            #expect(sft.answerStart == row["answer_start"] as? Int)
            let answer = sft.labels.filter { $0 != -100 }
            #expect(answer == row["answer_ids"] as? [Int])
            // Option scoring reads the letter right after the no-think prompt.
            let letterIndex = try #require(row["letter_index"] as? Int)
            #expect(formatter.optionIds()[label] == [sft.ids[letterIndex]])
        }
    }

    @Test("SFT sequences and answer-only labels equal tiny-qwen3's fixture batch")
    func sftLabelsMatchTinyQwen3() throws {
        let formatter = try qwenFormatter()
        let ref = try SiftCheckpointsFile.reference("tiny-qwen3")
        let ids = try ref.integers("input_ids"), labels = try ref.integers("labels"), mask = try ref.integers("attention_mask")
        let train = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/train.csv"))
        let width = 98
        for (row, (source, label)) in [(11997, 0), (21593, 1), (27897, 2)].enumerated() {
            let example = train.examples[source]
            #expect(example.label == label)
            let sft = try formatter.sftExample(text: example.text, label: label)
            let length = mask[(row * width)..<((row + 1) * width)].reduce(0, +)
            #expect(sft.ids == Array(ids[(row * width)..<(row * width + length)]))
            #expect(sft.labels == Array(labels[(row * width)..<(row * width + length)]))
        }
    }

    @Test("--cutoff-len shortens the article only; the question and the answer stay whole")
    func cutoffShortensArticle() throws {
        let formatter = try qwenFormatter()
        let long = String(repeating: "Markets rallied as investors cheered earnings. ", count: 60)
        let full = try formatter.sftExample(text: long, label: 3)
        let cut = try formatter.sftExample(text: long, label: 3, cutoffLength: 160)
        #expect(full.ids.count > 160 && cut.ids.count <= 160)
        #expect(cut.labels.filter { $0 != -100 } == full.labels.filter { $0 != -100 })
        let text = formatter.tokenizer.decode(cut.ids, skipSpecialTokens: false)
        #expect(text.contains("Question: What is the most appropriate category for this news article?\nA. World"))
        #expect(throws: TrainError.self) { try formatter.sftExample(text: long, label: 3, cutoffLength: 20) }
    }

    @Test("batched option scoring equals scoring each option with a full forward")
    func optionScoringMatchesFullForward() throws {
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-qwen3"), task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw TrainError.invalidArgument("expected a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: agNewsLabels))
        let texts = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv")).limitedPerClass(2).examples.map(\.text)
        var padded = model.config
        padded.padTokenId = 151643
        let scorer = OptionScorer(model: DecoderModel(config: padded, embedTokens: model.embedTokens, layers: model.layers, norm: model.norm, lmHead: nil),
                                  formatter: formatter, batchSize: 3)
        let batched = try scorer.predict(texts: texts)
        for (text, prediction) in zip(texts, batched.predictions) {
            let prompt = try formatter.promptIds(text: text)
            var nll: [Double] = []
            for option in formatter.optionIds() {
                let all = prompt + option
                let logProbs = try withNoGrad {
                    let hidden = try model.hiddenStates(TokenBatch(ids: all, batchSize: 1, length: all.count))
                    return try model.logits(fromHidden: hidden.pickRows([prompt.count - 1])).logSoftmax(axis: -1)
                }
                nll.append(-Double(logProbs.storage.pointer[option[0]]))
            }
            let expected = OptionScorer.prediction(fromMeanNLL: nll)
            #expect(prediction.predicted == expected.predicted)
            for (a, b) in zip(prediction.probabilities, expected.probabilities) { #expect(abs(a - b) < 1e-4) }
        }
    }

    @Test("answers are parsed: letters, 'Answer: C', words, junk and nothing")
    func answerParsing() {
        let parser = AnswerParser(template: .study(labelNames: agNewsLabels))
        #expect(parser.parse("<think>\nIt is about markets.\n</think>\n\nC") == 2)
        #expect(parser.parse("<think>A. World? no</think>\n\nAnswer: B") == 1)
        #expect(parser.parse("</think> **D**") == 3)
        #expect(parser.parse("</think>\n(A) World") == 0)
        #expect(parser.parse("</think> The category is Sports.") == 1)
        #expect(parser.parse("</think> Science/Technology") == 3)
        #expect(parser.parse("</think> banana") == nil)
        #expect(parser.parse("") == nil)
        #expect(parser.parse("<think> still thinking about C", requireThinkEnd: true) == nil)
        #expect(parser.parse("Answer: A", requireThinkEnd: false) == 0)
    }

    @Test("SmolLM2 (GGUF) zero-shot: option scoring and thinking generation run end to end")
    func smolLM2ZeroShot() throws {
        guard let gguf = Fixtures.smolLM2GGUF else { return }
        let bundle = try ModelLoader.load(gguf, task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw TrainError.invalidArgument("expected a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: agNewsLabels))
        #expect(!formatter.thinkingModel)
        let texts = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv")).limitedPerClass(1).examples.map(\.text)
        let scored = try OptionScorer(model: model, formatter: formatter, batchSize: 4).predict(texts: texts)
        #expect(scored.predictions.count == 4)
        for p in scored.predictions { #expect(abs(p.probabilities.reduce(0, +) - 1) < 1e-4) }
        let generated = try ThinkingPredictor(model: model, formatter: formatter, maxNewTokens: 8, batchSize: 4).predict(texts: texts)
        #expect(generated.predictions.count == 4 && generated.generatedTokens.allSatisfy { $0 >= 1 && $0 <= 8 })
        #expect(generated.unparseable == generated.predictions.filter { $0.predicted < 0 }.count)
    }
}

/// Reads a model fixture's reference tensors.
enum SiftCheckpointsFile {
    static func reference(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(url: Fixtures.fixture("models/\(name)/reference.safetensors"))
    }
}

import SiftCheckpoints

@Suite("Prompt SFT", .serialized)
struct PromptSFTTests {
    @Test("prompt SFT of tiny-qwen3: the answer-only loss falls; the saved model reloads to identical option scores")
    func sftTrains() throws {
        let labels = ["World", "Sports", "Business", "Sci/Tech"]
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-qwen3"), task: .causalLM)
        guard case let .decoder(decoder) = bundle.model else { throw TrainError.invalidArgument("expected a decoder") }
        decoder.setRequiresGrad(true)
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: labels))
        let data = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/train.csv")).limitedPerClass(6)
        let examples = try data.examples.map { try formatter.sftExample(text: $0.text, label: $0.label, cutoffLength: 160) }
        #expect(examples.allSatisfy { $0.ids.count <= 160 })
        let validation = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv")).limitedPerClass(2)
        let objective = SFTObjective(decoder: decoder, formatter: formatter, train: examples,
                                     validationTexts: validation.examples.map(\.text), validationLabels: validation.examples.map(\.label),
                                     padId: 151643, cutoffLength: 160, evalBatchSize: 4)
        var o = TrainingOptions()
        o.learningRate = 3e-3
        o.epochs = 3
        o.batchSize = 4
        o.loggingSteps = 2
        o.evaluation = .steps(6)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sift-sft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let summary = try Trainer(bundle: bundle, objective: objective, options: o, output: output).run()
        let losses = summary.log.compactMap(\.loss)
        #expect(losses.count >= 4 && losses.last! < losses.first!, "SFT loss should fall: \(losses)")
        #expect(summary.log.contains { $0.evalAccuracy != nil })
        // The exported model/ is the best checkpoint; the last checkpoint equals the in-memory model.
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("model/model.safetensors").path))
        let reloaded = try ModelLoader.load(output.appendingPathComponent("checkpoint-\(summary.totalSteps)"), task: .causalLM)
        guard case let .decoder(saved) = reloaded.model else { throw TrainError.invalidArgument("expected a decoder") }
        var config = saved.config
        config.padTokenId = 151643
        let scorerA = OptionScorer(model: DecoderModel(config: config, embedTokens: saved.embedTokens, layers: saved.layers, norm: saved.norm, lmHead: saved.lmHead),
                                   formatter: formatter, batchSize: 4)
        let texts = validation.examples.map(\.text)
        let a = try scorerA.predict(texts: texts).predictions
        let b = try objective.scorer.predict(texts: texts).predictions
        #expect(a == b)
    }
}
