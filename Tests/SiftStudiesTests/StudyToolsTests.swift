// Difficulty mining against independent code paths (the KV-cache continuation scorer and the
// option scorer), easy/hard splits, ranking files, and a tiny scale study.
import Foundation
import SiftData
import SiftModels
@testable import SiftStudies
import SiftTestSupport
import SiftTrain
import Testing

@Suite("Study tools", .serialized)
struct StudyToolsTests {
    @Test("mining: the gold-option NLL equals the KV-cache scorer's, correctness and option loss equal the option scorer's")
    func miningMatchesScorers() throws {
        guard Fixtures.sharedIsPresent else {
            print("SKIP: ../shared is not present")
            return
        }
        let train = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/train.csv")).limitedPerClass(3)
        let bundle = try ModelLoader.load(Fixtures.fixture("models/tiny-qwen3"), task: .causalLM)
        guard case let .decoder(model) = bundle.model else { throw StudyError.invalidStudy("tiny-qwen3 is not a decoder") }
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: .study(labelNames: train.labels.names))
        let scores = try DifficultyMiner(model: model, formatter: formatter, cutoffLength: 200, batchSize: 5).score(train)
        #expect(scores.count == 12)
        let reference = try OptionScorer(model: model, formatter: formatter, cutoffLength: 200, batchSize: 3).predict(texts: train.examples.map(\.text))
        let options = formatter.optionIds()
        for (index, score) in scores.enumerated() {
            let example = train.examples[index]
            #expect(score.index == index && score.row == example.row && score.text == example.text)
            let prompt = try formatter.promptIds(text: example.text, cutoffLength: 200, reserve: 1)
            let gold = try model.scoreContinuations(prompt: prompt, continuations: [options[example.label]])[0]
            #expect(abs(score.goldNLL - gold.meanNegativeLogLikelihood) < 1e-3, "row \(example.row): \(score.goldNLL) vs \(gold.meanNegativeLogLikelihood)")
            let predicted = reference.predictions[index]
            #expect(score.correct == (predicted.predicted == example.label))
            #expect(abs(score.optionLoss + log(Double(predicted.probabilities[example.label]))) < 1e-3)
        }
        // Ranking: hardest first by each measure.
        for measure in DifficultyMeasure.allCases {
            let ranked = DifficultyMiner.ranking(scores, by: measure)
            #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.difficulty(measure) >= $1.difficulty(measure) })
            let zeroShotWrongFirst = DifficultyMiner.ranking(scores, by: .zeroShot)
            if let firstRight = zeroShotWrongFirst.firstIndex(where: \.correct) {
                let rest = zeroShotWrongFirst[firstRight...]
                #expect(rest.allSatisfy { $0.correct })
            }
        }
        // Split: per class, the hardest 2 of 3 are hard, and every hard one is at least as hard as every easy one.
        let (easy, hard) = try DifficultyMiner.split(train, scores: scores, by: .perplexity, hardFraction: 0.5)
        #expect(hard.classCounts == [2, 2, 2, 2] && easy.classCounts == [1, 1, 1, 1])
        let nllByRow = Dictionary(uniqueKeysWithValues: scores.map { ($0.row, $0.goldNLL) })
        for label in 0..<4 {
            let hardest = hard.examples.filter { $0.label == label }.compactMap { nllByRow[$0.row] }.min() ?? 0
            let easiest = easy.examples.filter { $0.label == label }.compactMap { nllByRow[$0.row] }.max() ?? 0
            #expect(hardest >= easiest)
        }
        #expect(throws: StudyError.self) { try DifficultyMiner.split(train, scores: scores, by: .perplexity, hardFraction: 1) }
        // Ranking files round-trip.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sift-mine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ranked = DifficultyMiner.ranking(scores, by: .perplexity)
        try DifficultyMiner.writeRanking(ranked, by: .perplexity, jsonl: folder.appendingPathComponent("r.jsonl"), csv: folder.appendingPathComponent("r.csv"))
        #expect(try DifficultyMiner.readRanking(folder.appendingPathComponent("r.jsonl")) == ranked)
        let csv = try String(contentsOf: folder.appendingPathComponent("r.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 13 && csv[1].hasPrefix("1,\(ranked[0].row),"))
        try Data("{\"rank\": 1}\n".utf8).write(to: folder.appendingPathComponent("bad.jsonl"))
        #expect(throws: StudyError.self) { try DifficultyMiner.readRanking(folder.appendingPathComponent("bad.jsonl")) }
    }

    @Test("a tiny scale study trains every method × subset × size cell and writes its table and chart")
    func tinyScaleStudy() async throws {
        guard Fixtures.sharedIsPresent else {
            print("SKIP: ../shared is not present")
            return
        }
        let agnews = Fixtures.sharedFile("data/agnews")
        var run = RunSpec(id: "bert", method: .classifier, model: Fixtures.fixture("models/tiny-bert").path)
        run.maxSteps = 1
        run.batchSize = 4
        run.evalEvery = 1
        let base = StudySpec(name: "tiny scale", data: StudyDataSpec(train: agnews.appendingPathComponent("train.csv").path,
                                                                   test: agnews.appendingPathComponent("test.csv").path),
                             testPerClass: 2, evalPerClass: 1, seed: 5, runs: [run])
        // A ranking of the first 6 rows of each class, with made-up difficulties.
        let train = try DatasetLoader.loadAGNews(agnews.appendingPathComponent("train.csv")).limitedPerClass(6)
        let ranking = train.examples.enumerated().map { index, example in
            ExampleDifficulty(index: index, row: example.row, label: String(example.label), text: example.text,
                              goldNLL: Double((example.row * 7919) % 101), optionLoss: 0, predicted: "", correct: true)
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sift-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(throws: StudyError.self) {
            try ScaleStudy(base: base, sizes: [2], subsets: [.hard], ranking: nil, measure: .perplexity, output: output, resume: false)
        }
        let study = try ScaleStudy(base: base, sizes: [4, 2], subsets: [.random, .hard, .easy], ranking: ranking, measure: .perplexity,
                                   output: output, resume: false)
        let (pool, scores) = try study.pool(try DatasetLoader.loadAGNews(agnews.appendingPathComponent("train.csv")))
        #expect(pool.examples.map(\.row) == train.examples.map(\.row))
        #expect(scores == ranking.map(\.goldNLL))
        let cells = try await study.run()
        #expect(cells.count == 6)
        #expect(cells.map(\.perClass) == [2, 4, 2, 4, 2, 4])
        for cell in cells {
            #expect(cell.result.trainExamples == cell.perClass * 4)
            #expect(cell.result.testExamples == 8)
        }
        let markdown = try String(contentsOf: output.appendingPathComponent("scale.md"), encoding: .utf8)
        #expect(markdown.contains("| bert | random |") && markdown.contains("| bert | hard |") && markdown.contains("| bert | easy |"))
        for name in ["scale.svg", "scale.html", "scale.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name) missing")
        }
        #expect(try String(contentsOf: output.appendingPathComponent("scale.svg"), encoding: .utf8).contains("data-series=\"bert · hard\""))
        // Too large a size for the pool is refused.
        let tooLarge = try ScaleStudy(base: base, sizes: [7], subsets: [.hard], ranking: ranking, measure: .perplexity,
                                      output: output, resume: false)
        await #expect(throws: StudyError.self) { try await tooLarge.run() }
    }
}
