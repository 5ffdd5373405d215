// Sliding-window classification of long texts: exact window boundaries, aggregated logits equal to
// the mean/max of windows classified one at a time, short texts equal to the plain path, gradients
// of the aggregated loss equal to finite differences, and a window-mode training run that learns.
import Foundation
import SiftData
import SiftModels
import SiftTensor
import SiftTestSupport
@testable import SiftTrain
import Testing

@Suite("Sliding-window long texts", .serialized)
struct SlidingWindowTests {
    static let labels = ["World", "Sports", "Business", "Sci/Tech"]

    func tinyBert() throws -> ModelBundle {
        try ModelLoader.load(Fixtures.fixture("models/tiny-bert"), task: .classification(labels: nil))
    }

    /// Long texts (about 100–200 tokens): three AG News rows of the same class joined, `perClass`
    /// texts per class (classes interleaved), skipping the first `offset` texts of each class.
    func longTexts(perClass: Int, split: String = "train", offset: Int = 0) throws -> TextDataset {
        let base = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/\(split).csv")).limitedPerClass(3 * (perClass + offset))
        let byClass = Dictionary(grouping: base.examples, by: \.label)
        var examples: [TextExample] = []
        for i in offset..<(offset + perClass) {
            for label in byClass.keys.sorted() {
                let rows = try #require(byClass[label])[(3 * i)..<(3 * i + 3)]
                examples.append(TextExample(text: rows.map(\.text).joined(separator: " "), label: label, row: examples.count))
            }
        }
        return TextDataset(examples: examples, labels: base.labels, source: "agnews-joined")
    }

    @Test("windows hold exactly ids[start..<start+content] between [CLS] and [SEP], starts `stride` apart, the last one reaching the end")
    func windowBoundaries() throws {
        let tokenizer = try tinyBert().tokenizer
        let text = try longTexts(perClass: 1).examples[0].text
        let ids = tokenizer.encode(text, addSpecialTokens: false).ids
        let withSpecials = tokenizer.encode("x", addSpecialTokens: true).ids
        let cls = try #require(withSpecials.first), sep = try #require(withSpecials.last)
        let maxLength = 16, stride = 5, content = maxLength - 2
        let windows = try tokenizer.encodeWindows(text: text, pair: nil, label: 2,
                                                  options: TextEncodingOptions(maxLength: maxLength, window: WindowOptions(stride: stride)))
        #expect(ids.count > 3 * content, "the test text must need several windows (\(ids.count) ids)")
        // Starts 0, 5, 10, … until a window reaches the last id.
        let expectedCount = (ids.count - content + stride - 1) / stride + 1
        #expect(windows.count == expectedCount)
        for (k, window) in windows.enumerated() {
            let start = k * stride
            let end = min(start + content, ids.count)
            #expect(window.ids == [cls] + Array(ids[start..<end]) + [sep], "window \(k)")
            #expect(window.label == 2)
            #expect(window.ids.count <= maxLength)
        }
        #expect(windows.last?.ids.dropLast().suffix(3).elementsEqual(ids.suffix(3)) == true, "the last window ends with the text")
        // Consecutive windows overlap by content − stride ids.
        for k in 1..<(windows.count - 1) {
            #expect(Array(windows[k - 1].ids[(1 + stride)...].dropLast()) == Array(windows[k].ids[1...(content - stride)]))
        }
        // The default stride is half the window's content.
        let halves = try tokenizer.encodeWindows(text: text, pair: nil, label: 0,
                                                 options: TextEncodingOptions(maxLength: maxLength, window: WindowOptions()))
        #expect(halves[1].ids[1] == ids[content / 2])
        // A stride larger than a window's content would skip tokens: a clear error.
        #expect(throws: TrainError.self) {
            try tokenizer.encodeWindows(text: text, pair: nil, label: 0,
                                        options: TextEncodingOptions(maxLength: maxLength, window: WindowOptions(stride: content + 1)))
        }
    }

    @Test("aggregated logits (batched, windows of several documents per batch) equal the mean/max of windows classified one at a time")
    func aggregationMatchesPerWindow() throws {
        for model in ["tiny-bert", "tiny-qwen3-cls"] {
            let bundle = try ModelLoader.load(Fixtures.fixture("models/\(model)"), task: .classification(labels: nil))
            let classifier = try #require(bundle.model.classifier)
            let pad = bundle.padTokenId
            let dataset = try Array(longTexts(perClass: 2).examples.prefix(5)).dataset
            for method in LogitAggregation.allCases {
                let options = TextEncodingOptions(maxLength: 32, window: WindowOptions(stride: 20, aggregation: method))
                let documents = try bundle.tokenizer.encodeDocuments(dataset, options: options)
                #expect(documents.chunks.count > 2 * documents.count, "several windows per document")
                let batched = try Evaluator.logits(classifier, windows: documents, aggregation: method, batchSize: 4, padId: pad)
                let classes = classifier.classCount
                var maxDifference: Float = 0
                for (d, range) in documents.documentRanges.enumerated() {
                    let single = try range.map { try Evaluator.logits(classifier, examples: [documents.chunks[$0]], batchSize: 1, padId: pad) }
                    for c in 0..<classes {
                        let values = single.map { $0[c] }
                        let expected = method == .mean ? values.reduce(0, +) / Float(values.count) : values.max()!
                        maxDifference = max(maxDifference, abs(batched[d * classes + c] - expected))
                    }
                }
                print("window aggregation \(model) \(method): max |batched − per-window| = \(maxDifference)")
                #expect(maxDifference < 1e-5, "\(model) \(method): max |batched − per-window| = \(maxDifference)")
            }
        }
    }

    @Test("a text that fits gives exactly the plain path's logits (and a short dataset is one window per text)")
    func shortTextsEqualPlainPath() throws {
        let bundle = try tinyBert()
        let classifier = try #require(bundle.model.classifier)
        let dataset = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv")).limitedPerClass(3)
        let plain = try bundle.tokenizer.encodeDataset(dataset, options: TextEncodingOptions(maxLength: 128))
        let windowed = try bundle.tokenizer.encodeDocuments(dataset, options: TextEncodingOptions(maxLength: 128, window: WindowOptions(stride: 10)))
        #expect(windowed.isPlain)
        #expect(windowed.chunks == plain)
        for method in LogitAggregation.allCases {
            let a = try Evaluator.logits(classifier, windows: windowed, aggregation: method, batchSize: 8, padId: 0)
            let b = try Evaluator.logits(classifier, examples: plain, batchSize: 8, padId: 0)
            #expect(a == b)
        }
        // One short text alone, through the training objective too: the same logits as the plain batch.
        let objective = ClassificationObjective(classifier: classifier, train: windowed, validation: nil, aggregation: .max,
                                                labelNames: Self.labels, padId: 0, paddingSide: .right, batchSize: 4, evalBatchSize: 4)
        var context = ForwardContext.inference
        let fromObjective = try withNoGrad { try objective.documentLogits(indices: [3], context: &context).scalars }
        let single = try Evaluator.logits(classifier, examples: [plain[3]], batchSize: 1, padId: 0)
        #expect(fromObjective == single)
    }

    @Test("the aggregation op's gradient (mean and max) matches central finite differences")
    func aggregationGradCheck() throws {
        var generator = SeededGenerator(seed: 11)
        let windows = 7, classes = 3, documents = 3
        let documentOfRow = [0, 0, 1, 2, 2, 2, 1]
        let values = (0..<(windows * classes)).map { _ in Float(generator.nextNormal()) }
        let weights = (0..<(documents * classes)).map { _ in Double(generator.nextNormal()) }
        /// Σ w ⊙ aggregate(x), in Float64.
        func reference(_ x: [Double], _ method: LogitAggregation) -> Double {
            var total = 0.0
            for d in 0..<documents {
                let rows = documentOfRow.indices.filter { documentOfRow[$0] == d }
                for c in 0..<classes {
                    let column = rows.map { x[$0 * classes + c] }
                    let value = method == .mean ? column.reduce(0, +) / Double(column.count) : column.max()!
                    total += weights[d * classes + c] * value
                }
            }
            return total
        }
        for method in LogitAggregation.allCases {
            let x = try Tensor(shape: [windows, classes], values: values, requiresGrad: true)
            let y = try x.aggregatingWindows(documentOfRow: documentOfRow, documentCount: documents, method: method)
            #expect(y.shape == [documents, classes])
            let forward = reference(values.map(Double.init), method)
            let fast = zip(y.scalars, weights).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            #expect(abs(fast - forward) < 1e-5)
            try y.backward(gradient: Tensor(shape: [documents, classes], values: weights.map(Float.init)))
            let analytic = try #require(x.grad).scalars
            let step = 1e-4
            var worst = 0.0
            for i in values.indices {
                var plus = values.map(Double.init), minus = plus
                plus[i] += step
                minus[i] -= step
                let numeric = (reference(plus, method) - reference(minus, method)) / (2 * step)
                worst = max(worst, abs(numeric - Double(analytic[i])))
            }
            print("aggregation op gradcheck \(method): max |autodiff − finite difference| = \(worst)")
            #expect(worst < 1e-4, "\(method): max |autodiff − finite difference| = \(worst)")
        }
        // Bad input is a thrown error, not a crash.
        let x = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        #expect(throws: TensorError.self) { try x.aggregatingWindows(documentOfRow: [0, 2], documentCount: 2, method: .mean) }
        #expect(throws: TensorError.self) { try x.aggregatingWindows(documentOfRow: [0, 0], documentCount: 2, method: .max) }
        #expect(throws: TensorError.self) { try x.aggregatingWindows(documentOfRow: [0], documentCount: 1, method: .max) }
    }

    @Test("the gradient of the window-aggregated loss on tiny-bert matches finite differences, including batches split by the window cap")
    func aggregatedLossGradient() throws {
        let bundle = try tinyBert()
        let classifier = try #require(bundle.model.classifier)
        let dataset = try Array(longTexts(perClass: 1, offset: 7).examples.prefix(3)).dataset
        for method in LogitAggregation.allCases {
            let documents = try bundle.tokenizer.encodeDocuments(dataset, options: TextEncodingOptions(maxLength: 24, window: WindowOptions(stride: 16, aggregation: method)))
            // batchSize 4 < windows of the 3 documents: the windows run in several padded batches.
            #expect(documents.chunks.count > 4)
            let objective = ClassificationObjective(classifier: classifier, train: documents, validation: nil, aggregation: method,
                                                    labelNames: Self.labels, padId: 0, paddingSide: .right, batchSize: 4, evalBatchSize: 4)
            let indices = [2, 0, 1]
            // The split forward gives the evaluator's aggregated logits.
            var context = ForwardContext.inference
            let split = try withNoGrad { try objective.documentLogits(indices: indices, context: &context).scalars }
            let evaluated = try Evaluator.logits(classifier, windows: documents.subset(indices), aggregation: method, batchSize: 64, padId: 0)
            #expect(zip(split, evaluated).allSatisfy { abs($0 - $1) < 1e-5 }, "\(method): split batches \(split) vs \(evaluated)")
            // Autodiff gradient of the loss vs central differences, on classifier and embedding weights.
            let parameters = Dictionary(uniqueKeysWithValues: classifier.namedParameters().map { ($0.name, $0.tensor) })
            let probes: [(String, Int)] = [("classifier.weight", 0), ("classifier.weight", 37), ("classifier.bias", 2),
                                           ("bert.pooler.dense.weight", 100), ("bert.embeddings.LayerNorm.weight", 5),
                                           ("bert.encoder.layer.1.output.dense.weight", 301)]
            classifier.setRequiresGrad(true)
            defer { classifier.setRequiresGrad(false) }
            for (_, tensor) in classifier.namedParameters() { tensor.zeroGrad() }
            let loss = try objective.loss(indices: indices, context: &context)
            try loss.backward()
            func lossValue() throws -> Double {
                var inference = ForwardContext.inference
                return Double(try withNoGrad { try objective.loss(indices: indices, context: &inference).item })
            }
            for (name, index) in probes {
                let tensor = try #require(parameters[name], "parameter \(name)")
                let analytic = Double(try #require(tensor.grad).scalars[index])
                let original = tensor.storage.pointer[index]
                let step: Float = 5e-3
                tensor.storage.pointer[index] = original + step
                let plus = try lossValue()
                tensor.storage.pointer[index] = original - step
                let minus = try lossValue()
                tensor.storage.pointer[index] = original
                let numeric = (plus - minus) / Double(2 * step)
                print("window loss gradient \(method) \(name)[\(index)]: autodiff \(analytic), finite difference \(numeric)")
                #expect(abs(numeric - analytic) <= 5e-5 + 0.01 * abs(numeric),
                        "\(method) \(name)[\(index)]: autodiff \(analytic) vs finite difference \(numeric)")
            }
        }
    }

    @Test("training in window mode lowers the loss (tiny-bert; tiny-qwen3-cls decoder head); evaluation aggregates windows",
          arguments: ["tiny-bert", "tiny-qwen3-cls"])
    func windowTrainingLearns(model: String) throws {
        let bundle = try ModelLoader.load(Fixtures.fixture("models/\(model)"), task: .classification(labels: Self.labels))
        let options = TextEncodingOptions(maxLength: 48, window: WindowOptions(stride: 32, aggregation: .mean))
        let train = try bundle.tokenizer.encodeDocuments(longTexts(perClass: model == "tiny-bert" ? 24 : 12), options: options)
        let validation = try bundle.tokenizer.encodeDocuments(longTexts(perClass: 4, split: "test"), options: options)
        #expect(train.chunks.count >= 3 * train.count, "\(train.chunks.count) windows for \(train.count) texts")
        var o = TrainingOptions()
        o.learningRate = model == "tiny-bert" ? 5e-3 : 2e-3
        o.epochs = model == "tiny-bert" ? 5 : 2
        o.batchSize = 8
        o.loggingSteps = model == "tiny-bert" ? 4 : 2
        o.evaluation = .steps(model == "tiny-bert" ? 20 : 6)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sift-window-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let trainer = try ClassifierTrainer(bundle: bundle, options: o, output: output, train: train, validation: validation,
                                            aggregation: .mean, labelNames: Self.labels, padId: bundle.padTokenId)
        let summary = try trainer.run()
        let losses = summary.log.compactMap(\.loss)
        print("window-mode training losses (\(model)): \(losses); eval accuracy \(summary.log.compactMap(\.evalAccuracy))")
        #expect(losses.count >= 4)
        #expect(losses.last! < losses.first! - (model == "tiny-bert" ? 0.1 : 0), "training loss should fall: \(losses)")
        #expect(summary.log.contains { $0.evalAccuracy != nil })
    }
}

extension Array where Element == TextExample {
    /// These examples as a dataset with AG News' labels.
    var dataset: TextDataset {
        get throws { TextDataset(examples: self, labels: try LabelSet(names: SlidingWindowTests.labels), source: "agnews-joined") }
    }
}
