// `sift eval` and `sift predict`: run a trained classifier over a dataset.
import ArgumentParser
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTrain

/// Loads a classifier checkpoint for inference.
func loadClassifier(_ path: String) throws -> (ModelBundle, SequenceClassifier) {
    let bundle = try ModelLoader.load(URL(fileURLWithPath: path), task: .classification(labels: nil))
    guard let classifier = bundle.model.classifier else {
        throw CLIError("\(path) is not a classifier checkpoint (its config has no id2label/num_labels)")
    }
    return (bundle, classifier)
}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a classifier on a labelled dataset: accuracy, macro/weighted F1, per-class metrics, confusion matrix.")

    @Option(help: "Classifier checkpoint (a Hugging Face directory written by `sift train` or transformers).")
    var model: String

    @Option(help: "Labelled data file (CSV, TSV, JSON Lines or JSON).")
    var data: String

    @OptionGroup var columns: DataColumnOptions
    @OptionGroup var encoding: EncodingOptions

    @Option(help: "Evaluate at most this many examples per class (the first ones in file order).")
    var maxPerClass: Int?

    @Option(help: "Examples per batch.")
    var batchSize: Int = 64

    @Option(help: "Write the report (metrics, confusion matrix) as JSON to this file.")
    var report: String?

    @Option(help: "Write the confusion matrix as an SVG chart to this file.")
    var confusionSVG: String?

    @Option(help: "Write every prediction with its class probabilities as JSON Lines to this file.")
    var predictions: String?

    @Flag(help: "Print the report as JSON on stdout instead of tables.")
    var json = false

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let (bundle, classifier) = try loadClassifier(model)
        let labels = try LabelSet(names: bundle.labelNames)
        var dataset = try columns.load(data, labels: labels)
        if let maxPerClass { dataset = try dataset.limitedPerClass(maxPerClass) }
        let tokens = try bundle.tokenizer.encodeDataset(dataset, options: encoding.textEncoding())
        let bar = ProgressBar(total: tokens.count, label: "eval", unit: "ex", quiet: quiet)
        let result = try Evaluator.evaluate(classifier, examples: tokens, labelNames: bundle.labelNames, batchSize: batchSize,
                                            padId: padId(for: bundle)) { bar.update($0) }
        bar.finish()
        if let report {
            try result.report.jsonString().write(toFile: report, atomically: true, encoding: .utf8)
        }
        if let confusionSVG {
            let chart = ConfusionMatrixChart(title: "Confusion matrix", counts: result.report.confusionMatrix, labelNames: bundle.labelNames)
            try chart.svg().write(toFile: confusionSVG, atomically: true, encoding: .utf8)
        }
        if let predictions {
            var lines = ""
            for (example, prediction) in zip(dataset.examples, result.predictions) {
                let row = PredictionRow(text: example.text, label: bundle.labelNames[example.label],
                                        predicted: bundle.labelNames[prediction.predicted],
                                        probabilities: Dictionary(uniqueKeysWithValues: zip(bundle.labelNames, prediction.probabilities)))
                lines += String(decoding: try JSONEncoder.sorted.encode(row), as: UTF8.self) + "\n"
            }
            try lines.write(toFile: predictions, atomically: true, encoding: .utf8)
        }
        if json {
            print(try result.report.jsonString())
        } else {
            print(result.report.table())
            print(String(format: "loss %.4f · %d examples in %.1f s (%.1f examples/s)", result.loss, tokens.count, result.seconds, result.examplesPerSecond))
        }
    }
}

struct PredictionRow: Codable {
    var text: String
    var label: String?
    var predicted: String
    var probabilities: [String: Float]
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify texts: JSON Lines on stdin (a string, or {\"text\": …, \"text_pair\"?: …}) → one JSON line per text with the label and class scores.")

    @Option(help: "Classifier checkpoint directory.")
    var model: String

    @Option(help: "Read texts from this file instead of stdin (JSON Lines, or CSV/TSV with --text-column).")
    var input: String?

    @OptionGroup var encoding: EncodingOptions

    @Option(help: "With a CSV/TSV --input: the text column.")
    var textColumn: String = "text"

    @Option(help: "Texts per batch.")
    var batchSize: Int = 32

    func run() throws {
        let (bundle, classifier) = try loadClassifier(model)
        let texts = try readTexts()
        guard !texts.isEmpty else { return }
        let examples = try texts.map { text, pair in
            let (ids, types) = try bundle.tokenizer.encodeExample(text: text, pair: pair, options: encoding.textEncoding())
            return TokenizedExample(ids: ids, label: 0, tokenTypeIDs: pair == nil ? nil : types)
        }
        let logits = try Evaluator.logits(classifier, examples: examples, batchSize: batchSize, padId: padId(for: bundle))
        let classes = classifier.classCount
        for i in examples.indices {
            let probabilities = Evaluator.softmax(Array(logits[(i * classes)..<((i + 1) * classes)]))
            let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
            let row = PredictOutput(label: bundle.labelNames[ranked[0]],
                                    scores: ranked.map { LabelScore(label: bundle.labelNames[$0], score: probabilities[$0]) })
            print(String(decoding: try JSONEncoder.sorted.encode(row), as: UTF8.self))
        }
    }

    func readTexts() throws -> [(String, String?)] {
        if let input, !input.hasSuffix(".jsonl") && !input.hasSuffix(".json") {
            let table = try DatasetLoader.readTable(URL(fileURLWithPath: input))
            let column = try table.columnIndex(of: Int(textColumn).map { .index($0) } ?? .name(textColumn))
            return table.rows.map { row -> (String, String?) in (column < row.count ? row[column].stringValue ?? row[column].description : "", nil) }
        }
        let data = try input.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } ?? FileHandle.standardInput.readDataToEndOfFile()
        var texts: [(String, String?)] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let value = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed]) else {
                throw CLIError("line \(number + 1) is not valid JSON: \(trimmed.prefix(80))")
            }
            if let text = value as? String {
                texts.append((text, nil))
            } else if let object = value as? [String: Any], let text = object["text"] as? String {
                texts.append((text, object["text_pair"] as? String))
            } else {
                throw CLIError("line \(number + 1): expected a JSON string or an object with a \"text\" string")
            }
        }
        return texts
    }
}

struct LabelScore: Codable {
    var label: String
    var score: Float
}

struct PredictOutput: Codable {
    var label: String
    var scores: [LabelScore]
}
