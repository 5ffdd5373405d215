// Hard-sample mining with a decoder and the multiple-choice prompt (the study's open question):
//   • perplexity: the mean negative log-likelihood of the gold option's answer after the no-think
//     prompt (higher = harder);
//   • zero-shot: whether no-think zero-shot (option perplexity) gets the example wrong, ties broken
//     by the loss of the gold option among the options.
// One batched forward per chunk of prompts gives both, and the ranking and easy/hard splits follow.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTrain

/// How an example's difficulty is measured.
public enum DifficultyMeasure: String, Sendable, Codable, CaseIterable {
    case perplexity
    case zeroShot = "zero-shot"
}

/// The difficulty of one training example.
public struct ExampleDifficulty: Sendable, Codable, Equatable {
    /// Position in the scored dataset.
    public var index: Int
    /// Row in the source file (0-based, as `TextExample.row`).
    public var row: Int
    public var label: String
    public var text: String
    /// Mean NLL of the gold option's answer tokens (natural log; exp gives the perplexity).
    public var goldNLL: Double
    /// −log p(gold) under the distribution over the options.
    public var optionLoss: Double
    /// The option no-think zero-shot picks.
    public var predicted: String
    public var correct: Bool

    enum CodingKeys: String, CodingKey {
        case index, row, label, text, predicted, correct
        case goldNLL = "gold_nll", optionLoss = "option_loss"
    }

    /// The score for `measure` (higher = harder). Zero-shot: 1 + a tie-breaker in [0, 1) for wrong
    /// answers, the tie-breaker alone for right ones.
    public func difficulty(_ measure: DifficultyMeasure) -> Double {
        switch measure {
        case .perplexity: return goldNLL
        case .zeroShot: return (correct ? 0 : 1) + optionLoss / (1 + optionLoss)
        }
    }
}

/// Scores examples' difficulty with a decoder.
public struct DifficultyMiner {
    public let model: DecoderModel
    public let formatter: PromptFormatter
    public var cutoffLength: Int?
    public var batchSize: Int

    public init(model: DecoderModel, formatter: PromptFormatter, cutoffLength: Int? = 512, batchSize: Int = 8) {
        self.model = model
        self.formatter = formatter
        self.cutoffLength = cutoffLength
        self.batchSize = max(1, batchSize)
    }

    /// Scores every example of `dataset` (its labels must match the template's options).
    public func score(_ dataset: TextDataset, progress: ((Int) -> Void)? = nil) throws -> [ExampleDifficulty] {
        let options = formatter.optionIds()
        guard options.count == dataset.labels.count else {
            throw StudyError.invalidStudy("the prompt has \(options.count) options but the data has \(dataset.labels.count) labels")
        }
        let reserve = options.map(\.count).max() ?? 1
        let examples = dataset.examples
        var results: [ExampleDifficulty] = []
        results.reserveCapacity(examples.count)
        func record(_ index: Int, optionNLL: [Double]) {
            let example = examples[index]
            let gold = example.label
            let shifted = optionNLL.map { -$0 }
            let top = shifted.max() ?? 0
            let logNormaliser = top + Foundation.log(shifted.reduce(0) { $0 + Foundation.exp($1 - top) })
            let predicted = optionNLL.indices.min { optionNLL[$0] < optionNLL[$1] } ?? 0
            results.append(ExampleDifficulty(
                index: index, row: example.row, label: dataset.labels.name(of: gold) ?? String(gold), text: example.text,
                goldNLL: optionNLL[gold], optionLoss: optionNLL[gold] + logNormaliser,
                predicted: dataset.labels.name(of: predicted) ?? String(predicted), correct: predicted == gold))
        }
        if options.allSatisfy({ $0.count == 1 }) {
            // Single-token answers: the last prompt position's log-softmax scores every option at once.
            let pad = model.config.padTokenId ?? model.config.eosTokenIds.first ?? 0
            let tokens = options.map { $0[0] }
            var start = 0
            while start < examples.count {
                let end = min(start + batchSize, examples.count)
                let prompts = try examples[start..<end].map {
                    try formatter.promptIds(text: $0.text, cutoffLength: cutoffLength, reserve: reserve)
                }
                let logProbs = try withNoGrad {
                    let batch = try TokenBatch(rows: prompts, padId: pad, padLeft: true)
                    let hidden = try model.hiddenStates(batch)
                    let last = try hidden.pickRows([Int](repeating: batch.length - 1, count: prompts.count))
                    return try model.logits(fromHidden: last).logSoftmax(axis: -1)
                }
                let vocab = logProbs.shape[1]
                for row in 0..<prompts.count {
                    record(start + row, optionNLL: tokens.map { -Double(logProbs.storage.pointer[row * vocab + $0]) })
                }
                start = end
                progress?(start)
            }
        } else {
            for index in examples.indices {
                let prompt = try formatter.promptIds(text: examples[index].text, cutoffLength: cutoffLength, reserve: reserve)
                let scores = try model.scoreContinuations(prompt: prompt, continuations: options)
                record(index, optionNLL: scores.map(\.meanNegativeLogLikelihood))
                progress?(index + 1)
            }
        }
        return results
    }

    /// The scores sorted hardest first (ties keep dataset order).
    public static func ranking(_ scores: [ExampleDifficulty], by measure: DifficultyMeasure) -> [ExampleDifficulty] {
        scores.enumerated().sorted { a, b in
            let x = a.element.difficulty(measure), y = b.element.difficulty(measure)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
    }

    /// Splits `dataset` per class into its hardest `hardFraction` and the rest (easy), by `measure`.
    /// `scores` must be in dataset order (as `score` returns them).
    public static func split(_ dataset: TextDataset, scores: [ExampleDifficulty], by measure: DifficultyMeasure,
                             hardFraction: Double) throws -> (easy: TextDataset, hard: TextDataset) {
        guard scores.count == dataset.count else {
            throw StudyError.invalidStudy("\(scores.count) difficulty scores for \(dataset.count) examples")
        }
        guard hardFraction > 0, hardFraction < 1 else {
            throw StudyError.invalidStudy("the hard fraction must be strictly between 0 and 1, got \(hardFraction)")
        }
        var isHard = [Bool](repeating: false, count: dataset.count)
        for members in dataset.indicesByClass() {
            let ranked = members.sorted { a, b in
                let x = scores[a].difficulty(measure), y = scores[b].difficulty(measure)
                return x != y ? x > y : a < b
            }
            let count = Int((Double(members.count) * hardFraction).rounded())
            for index in ranked.prefix(count) { isHard[index] = true }
        }
        return (dataset.selecting(dataset.examples.indices.filter { !isHard[$0] }),
                dataset.selecting(dataset.examples.indices.filter { isHard[$0] }))
    }

    /// Writes the ranking as JSON Lines (hardest first, with a `rank` and the `difficulty`) and CSV.
    public static func writeRanking(_ ranked: [ExampleDifficulty], by measure: DifficultyMeasure, jsonl: URL, csv: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Line: Encodable {
            var rank: Int
            var difficulty: Double
            var measure: String
            var example: ExampleDifficulty
            func encode(to encoder: Encoder) throws {
                try example.encode(to: encoder)
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(rank, forKey: .rank)
                try container.encode(difficulty, forKey: .difficulty)
                try container.encode(measure, forKey: .measure)
            }
            enum Key: String, CodingKey { case rank, difficulty, measure }
        }
        var lines = ""
        var table = "rank,row,label,predicted,correct,gold_nll,option_loss,difficulty\n"
        for (rank, example) in ranked.enumerated() {
            let line = Line(rank: rank + 1, difficulty: example.difficulty(measure), measure: measure.rawValue, example: example)
            lines += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
            table += "\(rank + 1),\(example.row),\(csvField(example.label)),\(csvField(example.predicted)),\(example.correct),"
                + String(format: "%.6f,%.6f,%.6f\n", example.goldNLL, example.optionLoss, example.difficulty(measure))
        }
        try Data(lines.utf8).write(to: jsonl, options: .atomic)
        try Data(table.utf8).write(to: csv, options: .atomic)
    }

    /// Reads a ranking written by `writeRanking` (any order).
    public static func readRanking(_ url: URL) throws -> [ExampleDifficulty] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StudyError.unreadableFile(path: url.path, reason: "no such file or not readable")
        }
        var result: [ExampleDifficulty] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.isEmpty {
            do {
                result.append(try JSONDecoder().decode(ExampleDifficulty.self, from: Data(line.utf8)))
            } catch {
                throw StudyError.unreadableFile(path: url.path, reason: "line \(number + 1) is not a difficulty record from `sift mine` (\(error))")
            }
        }
        return result
    }

    static func csvField(_ text: String) -> String {
        text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
