import Foundation
import Testing
import SiftData
import SiftTestSupport
@testable import SiftTrain

@Suite struct MetricsTests {
    @Test func smallExampleAgainstDirectCounting() throws {
        let labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1]
        let predictions = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1]
        let report = try ClassificationReport(labels: labels, predictions: predictions, labelNames: ["a", "b", "c"])
        for label in 0..<3 {
            let pairs = zip(labels, predictions)
            let truePositives = Double(pairs.filter { $0 == label && $1 == label }.count)
            let precision = truePositives / Double(predictions.filter { $0 == label }.count)
            let recall = truePositives / Double(labels.filter { $0 == label }.count)
            #expect(report.perClass[label].precision == precision)
            #expect(report.perClass[label].recall == recall)
            #expect(abs(report.perClass[label].f1 - 2 * precision * recall / (precision + recall)) < 1e-15)
        }
        #expect(report.accuracy == Double(zip(labels, predictions).filter { $0 == $1 }.count) / 10)
        #expect(report.perClass.map(\.support) == [3, 3, 4])
        let weighted = (report.perClass[0].f1 * 3 + report.perClass[1].f1 * 3 + report.perClass[2].f1 * 4) / 10
        #expect(abs(report.weightedF1 - weighted) < 1e-15)
        #expect(report.confusionMatrix == [[2, 1, 0], [0, 2, 1], [1, 0, 3]])
    }

    @Test func classNeverPredictedOrAbsentCountsAsZero() throws {
        let report = try ClassificationReport(labels: [0, 0, 1], predictions: [0, 0, 0], labelNames: ["x", "y", "z"])
        #expect(report.perClass[1].precision == 0 && report.perClass[1].f1 == 0)
        #expect(report.perClass[2].support == 0 && report.perClass[2].f1 == 0)
        #expect(report.macroF1 == report.perClass.map(\.f1).reduce(0, +) / 3)
    }

    @Test func invalidInputsThrow() throws {
        #expect(throws: MetricsError.lengthMismatch(labels: 2, predictions: 1)) {
            try ConfusionMatrix(labels: [0, 1], predictions: [0], classCount: 2)
        }
        #expect(throws: MetricsError.classOutOfRange(what: "predictions", index: 1, value: 5, classCount: 2)) {
            try ConfusionMatrix(labels: [0, 1], predictions: [0, 5], classCount: 2)
        }
        #expect(throws: MetricsError.self) { try ConfusionMatrix(classCount: 0) }
        #expect(throws: MetricsError.self) { try ClassificationReport(confusion: ConfusionMatrix(classCount: 2), labelNames: ["a"]) }
        #expect(throws: MetricsError.badLogitCount(count: 5, classCount: 2)) { try ClassPredictions.argmax(logits: [1, 2, 3, 4, 5], classCount: 2) }
    }

    @Test func argmaxTakesTheFirstMaximum() throws {
        #expect(try ClassPredictions.argmax(logits: [0.1, 0.9, 0.9, 3, -1, -2, .nan, 1, 0], classCount: 3) == [1, 0, 1])
    }

    /// Recomputes every stored metric of the MiniLM AG News run from its stored predictions.
    @Test func matchesTheMiniLMTrainingFixture() throws {
        let directory = Fixtures.fixture("training/minilm-agnews")
        try #require(FileManager.default.fileExists(atPath: directory.appendingPathComponent("results.json").path),
                     "training fixture missing")
        struct Predictions: Decodable { let labels: [Int]; let predictions: [String: [Int]] }
        struct SeedResult: Decodable {
            let accuracy: Double
            let macro_f1: Double
            let per_class_f1: [String: Double]
            let confusion_matrix: [[Int]]
        }
        struct Results: Decodable { let seeds: [String: SeedResult] }
        let stored = try JSONDecoder().decode(Predictions.self, from: Data(contentsOf: directory.appendingPathComponent("predictions.json")))
        let results = try JSONDecoder().decode(Results.self, from: Data(contentsOf: directory.appendingPathComponent("results.json")))
        let test = try DatasetLoader.loadAGNews(Fixtures.sharedFile("data/agnews/test.csv"))
        #expect(test.labelIDs == stored.labels)
        let names = test.labels.names
        #expect(results.seeds.count == 3)
        for (seed, expected) in results.seeds {
            let predictions = try #require(stored.predictions[seed])
            let report = try ClassificationReport(labels: test.labelIDs, predictions: predictions, labelNames: names)
            #expect(report.confusionMatrix == expected.confusion_matrix, "seed \(seed)")
            #expect(abs(report.accuracy - expected.accuracy) < 1e-12, "seed \(seed)")
            #expect(abs(report.macroF1 - expected.macro_f1) < 1e-12, "seed \(seed)")
            for metrics in report.perClass {
                let f1 = try #require(expected.per_class_f1[metrics.name])
                #expect(abs(metrics.f1 - f1) < 1e-12, "seed \(seed) class \(metrics.name)")
            }
            // The test set is balanced (1,900 per class), so weighted averages equal macro ones.
            #expect(report.perClass.allSatisfy { $0.support == 1_900 })
            #expect(abs(report.weightedF1 - report.macroF1) < 1e-12)
            if seed == "0" {
                print(report.table())
                print(try ConfusionMatrix(labels: test.labelIDs, predictions: predictions, classCount: 4).table(labelNames: names))
            }
        }
    }

    @Test func reportEncodesAsJSONAndTablesListEveryClass() throws {
        let report = try ClassificationReport(labels: [0, 1, 1], predictions: [0, 1, 0], labelNames: ["World", "Sci/Tech"])
        let decoded = try JSONDecoder().decode(ClassificationReport.self, from: Data(try report.jsonString().utf8))
        #expect(decoded == report)
        let table = report.table()
        #expect(table.contains("Sci/Tech"))
        #expect(table.contains("macro avg"))
        #expect(table.contains(String(format: "%.4f", report.macroF1)))
        let matrix = try ConfusionMatrix(labels: [0, 1, 1], predictions: [0, 1, 0], classCount: 2).table(labelNames: ["World", "Sci/Tech"])
        #expect(matrix.split(separator: "\n").count == 3)
    }
}
