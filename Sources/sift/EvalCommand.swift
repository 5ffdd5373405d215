// `sift eval` and `sift predict`: run a trained classifier over a dataset.
import ArgumentParser
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTrain

/// Loads a classifier checkpoint (a local path or a Hub id) for inference, with a PEFT adapter merged in if given.
func loadClassifier(_ path: String, revision: String = "main", adapter: AdapterOption? = nil) throws -> (ModelBundle, SequenceClassifier) {
    let bundle = try (adapter ?? AdapterOption()).load(try resolveModelLocation(path, revision: revision), task: .classification(labels: nil))
    guard let classifier = bundle.model.classifier else {
        throw CLIError("\(path) is not a classifier checkpoint (its config has no id2label/num_labels)")
    }
    return (bundle, classifier)
}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate on a labelled dataset: accuracy, macro/weighted F1, per-class metrics, confusion matrix.",
        discussion: """
            --method classifier: a classifier checkpoint (encoder or decoder linear head).
            --method choice: a decoder with the multiple-choice prompt, predicting the option whose answer has the lowest             perplexity (zero-shot no-think with an instruct model, or a model trained by prompt SFT).
            --method think: zero-shot with thinking: generate up to --max-new-tokens and take the first option letter             after </think>; unreadable answers count as wrong and are reported.
            """)

    @Option(help: "classifier, choice (option perplexity) or think (generate, then parse the answer).")
    var method: EvalMethod = .classifier

    @Option(help: "Model: a classifier checkpoint directory, or (choice/think) a decoder directory or .gguf file.")
    var model: String

    @OptionGroup var prompt: PromptMethodOptions
    @OptionGroup var adapter: AdapterOption

    @Option(help: "Labelled data file (CSV, TSV, JSON Lines or JSON).")
    var data: String

    @OptionGroup var columns: DataColumnOptions
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @OptionGroup var encoding: EncodingOptions
    @OptionGroup(title: "Precision") var precisionOptions: InferencePrecisionOptions

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
        precisionOptions.apply()
        if method != .classifier { return try runPromptMethod() }
        let (bundle, classifier) = try loadClassifier(model, revision: hub.revision, adapter: adapter)
        let labels = try LabelSet(names: bundle.labelNames)
        var dataset = try columns.load(data, labels: labels, role: .evaluation)
        if let maxPerClass { dataset = try dataset.limitedPerClass(maxPerClass) }
        let tokens = try bundle.tokenizer.encodeDocuments(dataset, options: encoding.textEncoding())
        let bar = ProgressBar(total: tokens.count, label: "eval", unit: "ex", quiet: quiet)
        let result = try Evaluator.evaluate(classifier, windows: tokens, aggregation: encoding.aggregation, labelNames: bundle.labelNames,
                                            batchSize: batchSize, padId: padId(for: bundle)) { bar.update($0) }
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

enum EvalMethod: String, ExpressibleByArgument, CaseIterable {
    case classifier, choice, think
}

/// Flags of the prompt methods (choice, think).
struct PromptMethodOptions: ParsableArguments {
    @Option(help: "Prompt template file ({text}, {title}, {description}, {options}; optional first line 'options: A|B|…'). Default: the study's prompt.")
    var promptTemplate: String?
    @Option(help: "Shorten the article so prompt + answer fit in this many tokens.")
    var cutoffLen: Int = 1024
    @Option(help: "think: maximum new tokens per answer.")
    var maxNewTokens: Int = 1024
    @Flag(help: "think: sample with the model's recommended settings (temperature 0.6, top-p 0.95, top-k 20) instead of greedy decoding.")
    var sample = false
    @Option(help: "think: sampling seed (with --sample).")
    var samplingSeed: UInt64 = 0
    @Option(help: "Examples per forward (choice) or per generation batch (think).")
    var promptBatchSize: Int = 8

    func template(labels: [String]) throws -> PromptTemplate {
        guard let promptTemplate else { return .study(labelNames: labels) }
        return try PromptTemplate.load(from: URL(fileURLWithPath: promptTemplate), labelNames: labels)
    }
}

extension EvalCommand {
    /// Option scoring or thinking zero-shot with a decoder.
    func runPromptMethod() throws {
        let bundle = try adapter.load(try hub.modelURL(model), task: .causalLM)
        guard case let .decoder(decoder) = bundle.model else { throw CLIError("\(model) is not a decoder (choice and think need a Qwen3/Llama model)") }
        var dataset = try columns.load(data, role: .evaluation)
        if let maxPerClass { dataset = try dataset.limitedPerClass(maxPerClass) }
        let labelNames = dataset.labels.names
        let formatter = PromptFormatter(tokenizer: bundle.tokenizer, template: try prompt.template(labels: labelNames))
        let texts = dataset.examples.map(\.text)
        let bar = ProgressBar(total: texts.count, label: method.rawValue, unit: "ex", quiet: quiet)
        let result: PromptPredictionResult
        if method == .choice {
            result = try OptionScorer(model: decoder, formatter: formatter, cutoffLength: prompt.cutoffLen, batchSize: prompt.promptBatchSize)
                .predict(texts: texts) { bar.update($0) }
        } else {
            let sampling = prompt.sample ? SamplingOptions(greedy: false, temperature: 0.6, topP: 0.95, topK: 20, seed: prompt.samplingSeed) : SamplingOptions()
            result = try ThinkingPredictor(model: decoder, formatter: formatter, maxNewTokens: prompt.maxNewTokens, sampling: sampling,
                                           batchSize: prompt.promptBatchSize, cutoffLength: prompt.cutoffLen)
                .predict(texts: texts) { bar.update($0) }
        }
        bar.finish()
        // Unreadable answers are wrong: score them as the next class after the true one.
        let labels = dataset.examples.map(\.label)
        let predicted = zip(labels, result.predictions).map { label, p in p.predicted >= 0 ? p.predicted : (label + 1) % labelNames.count }
        let report = try ClassificationReport(labels: labels, predictions: predicted, labelNames: labelNames)
        let summary = PromptEvalSummary(
            method: method.rawValue, report: report, unparseable: result.unparseable, examples: texts.count,
            secondsPerExample: result.secondsPerExample,
            meanGeneratedTokens: result.generatedTokens.isEmpty ? nil : Double(result.generatedTokens.reduce(0, +)) / Double(result.generatedTokens.count))
        if let reportPath = self.report { try JSONEncoder.sorted.encode(summary).write(to: URL(fileURLWithPath: reportPath)) }
        if let confusionSVG {
            try ConfusionMatrixChart(title: "Confusion matrix (\(method.rawValue))", counts: report.confusionMatrix, labelNames: labelNames)
                .svg().write(toFile: confusionSVG, atomically: true, encoding: .utf8)
        }
        if let predictions {
            var lines = ""
            for (i, example) in dataset.examples.enumerated() {
                var row: [String: Any] = ["text": example.text, "label": labelNames[example.label],
                                          "predicted": result.predictions[i].predicted >= 0 ? labelNames[result.predictions[i].predicted] : NSNull(),
                                          "probabilities": Dictionary(uniqueKeysWithValues: zip(labelNames, result.predictions[i].probabilities.map(Double.init)))]
                if i < result.generations.count { row["generation"] = result.generations[i] }
                lines += String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self) + "\n"
            }
            try lines.write(toFile: predictions, atomically: true, encoding: .utf8)
        }
        if json {
            try printJSON(summary, pretty: true)
        } else {
            print(report.table())
            print(String(format: "%d examples · %.3f s/example · unparseable %d", texts.count, result.secondsPerExample, result.unparseable)
                  + (summary.meanGeneratedTokens.map { String(format: " · %.1f tokens generated per example", $0) } ?? ""))
        }
    }
}

struct PromptEvalSummary: Codable {
    var method: String
    var report: ClassificationReport
    var unparseable: Int
    var examples: Int
    var secondsPerExample: Double
    var meanGeneratedTokens: Double?
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
    @OptionGroup(title: "Hugging Face Hub") var hub: HubOptions
    @OptionGroup var adapter: AdapterOption

    @Option(help: "Read texts from this file instead of stdin (JSON Lines, or CSV/TSV with --text-column).")
    var input: String?

    @OptionGroup var encoding: EncodingOptions
    @OptionGroup(title: "Precision") var precisionOptions: InferencePrecisionOptions

    @Option(help: "With a CSV/TSV --input: the text column.")
    var textColumn: String = "text"

    @Option(help: "Texts per batch.")
    var batchSize: Int = 32

    func run() throws {
        precisionOptions.apply()
        let (bundle, classifier) = try loadClassifier(model, revision: hub.revision, adapter: adapter)
        let texts = try readTexts()
        guard !texts.isEmpty else { return }
        let documents = try bundle.tokenizer.encodeDocuments(texts.map { ($0.0, $0.1, 0) }, options: encoding.textEncoding())
        let logits = try Evaluator.logits(classifier, windows: documents, aggregation: encoding.aggregation, batchSize: batchSize,
                                          padId: padId(for: bundle))
        let classes = classifier.classCount
        for i in 0..<documents.count {
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
